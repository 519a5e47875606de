import * as vscode from 'vscode';
import type { FeatureDeps } from '../deps';
import { loadSsh } from '../remote/lazySsh';
import type { PushAllArgs } from '../remote/pushAll';
import type { DoctorArgs, DoctorFeature } from './feature';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

/** A named server with autoPush (the unnamed one follows salesiq.autoPush through the single-server push). */
function markedForAutoPush(): boolean {
  const list = vscode.workspace.getConfiguration('salesiq.remote').get<unknown[]>('servers') ?? [];
  return Array.isArray(list) && list.some((s) => !!s && typeof s === 'object' && (s as { autoPush?: unknown }).autoPush === true);
}

/** SalesIQ: Run Doctor and its Restart button: command stubs only; the doctor loads with the SSH chunk. */
export function registerDoctor(deps: FeatureDeps): vscode.Disposable[] {
  let feature: DoctorFeature | undefined;
  const doctor = () => (feature ??= loadSsh().createDoctor(deps));
  return [
    registerCommand(Cmd.runDoctor, deps.log, (args?: DoctorArgs) => doctor().run(args)),
    registerCommand(Cmd.restartService, deps.log, (args?: { server?: string }) => doctor().restart(args)),
    registerCommand(Cmd.pushToAllServers, deps.log, (args?: PushAllArgs) => doctor().pushAll(args)),
    // Servers marked autoPush in salesiq.remote.servers get each automatically minted token too.
    deps.controller.onDidRefresh((e) => {
      if (e.automatic && markedForAutoPush()) void doctor().pushAll({}, true);
    }),
    { dispose: () => feature?.dispose() },
  ];
}
