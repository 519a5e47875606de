import * as vscode from 'vscode';
import type { FeatureDeps } from '../deps';
import { loadSsh } from '../remote/lazySsh';
import type { DoctorArgs, DoctorFeature } from './feature';

/** SalesIQ: Run Doctor and its Restart button: command stubs only; the doctor loads with the SSH chunk. */
export function registerDoctor(deps: FeatureDeps): vscode.Disposable[] {
  let feature: DoctorFeature | undefined;
  const doctor = () => (feature ??= loadSsh().createDoctor(deps));
  return [
    vscode.commands.registerCommand('salesiq.runDoctor', (args?: DoctorArgs) => doctor().run(args)),
    vscode.commands.registerCommand('salesiq.doctor.restartService', (args?: { server?: string }) => doctor().restart(args)),
    { dispose: () => feature?.dispose() },
  ];
}
