import * as vscode from 'vscode';

/** salesiq.remote.settleSeconds: how long a restarted service is watched after its new token is live (0: not at all). */
export function settleWindowMs(): number {
  const v = vscode.workspace.getConfiguration('salesiq').get<number>('remote.settleSeconds', 1.5);
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.min(300, v)) * 1000 : 1500;
}
