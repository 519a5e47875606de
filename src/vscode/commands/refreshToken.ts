import * as vscode from 'vscode';
import { relativeText } from '../../core/token/token';
import { registerCommand } from '../command';
import { Cmd } from '../commandIds';
import type { Log } from '../log';
import type { TokenController } from '../tokenController';

/** SalesIQ: Refresh Access Token — with progress, one result message, decoded failure. */
export function registerRefreshToken(controller: TokenController, log: Log): vscode.Disposable {
  const run = async (): Promise<boolean> => {
    const t = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SalesIQ: refreshing the ${controller.profile.name} token…`, cancellable: true },
      (_p, cancel) => {
        const abort = new AbortController();
        cancel.onCancellationRequested(() => abort.abort(new Error('cancelled')));
        return controller.refresh(abort.signal);
      },
    );
    vscode.window.setStatusBarMessage(`$(check) SalesIQ token refreshed: expires ${relativeText(t.expiresAt - Date.now())}`, 5000);
    return true;
  };
  return registerCommand(Cmd.refreshToken, log, run, { onError: () => false, retry: true });
}
