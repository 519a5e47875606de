import * as vscode from 'vscode';
import { REMOTE_DEFAULTS } from '../../core/defaults';

/** salesiq.remote.settleSeconds: how long a restarted service is watched after its new token is live (0: not at all). */
export function settleWindowMs(): number {
  const v = vscode.workspace.getConfiguration('salesiq').get<number>('remote.settleSeconds', REMOTE_DEFAULTS.settleSeconds);
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.min(300, v)) * 1000 : REMOTE_DEFAULTS.settleSeconds * 1000;
}
