import * as vscode from 'vscode';
import type { FeatureDeps } from '../deps';
import type { RemoteFeature } from './feature';
import { loadSsh } from './lazySsh';
import { PushStatus } from './pushStatus';
import { autoPushEnabled } from './remoteSettings';
import { Cmd, type CommandId } from '../commandIds';
import { registerCommand } from '../command';

/**
 * Push to server, test connection, server logs, restore, trust host, auto-push. Only the command stubs and the
 * tooltip row live in the activation bundle; everything else (and ssh2) loads on first use. Do not import
 * the other remote modules from here: they pull in ssh2.
 */
let remoteOf: (() => RemoteFeature) | undefined;

/** The remote feature (loading ssh2 on first use), for Fix Now's server steps; undefined before registerRemote. */
export function remoteFeature(): RemoteFeature | undefined {
  return remoteOf?.();
}

export function registerRemote(deps: FeatureDeps): vscode.Disposable[] {
  const status = new PushStatus(deps.statusBar, deps.clock);
  let feature: RemoteFeature | undefined;
  const remote = () => (feature ??= loadSsh().createRemote(deps, status));
  remoteOf = remote;
  const cmd = (id: CommandId, run: (f: RemoteFeature, args: never) => unknown) =>
    registerCommand(id, deps.log, (args: never) => run(remote(), args));
  return [
    cmd(Cmd.pushToServer, (f, args) => f.push(args)),
    cmd(Cmd.testSshConnection, (f, args) => f.testConnection(args)),
    cmd(Cmd.showServerLogs, (f, args) => f.showLogs(args)),
    cmd(Cmd.restoreEnv, (f, args) => f.restore(args)),
    cmd(Cmd.trustHost, (f, args) => f.trustHost(args)),
    registerCommand(Cmd.stopFollowingServerLogs, deps.log, () => feature?.stopLogs() ?? { ok: true, stopped: false, lines: [] }),
    deps.controller.onDidRefresh((e) => {
      if (e.automatic && autoPushEnabled()) remote().onRefresh(e);
    }),
    { dispose: () => feature?.dispose() },
  ];
}
