import type * as vscode from 'vscode';
import type { FeatureDeps } from '../deps';

/** Push to server, test connection, server logs, restore, auto-push. */
export function registerRemote(_deps: FeatureDeps): vscode.Disposable[] {
  return [];
}
