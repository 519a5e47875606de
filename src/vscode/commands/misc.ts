import * as vscode from 'vscode';
import type { Log } from '../log';
import type { TokenController } from '../tokenController';

/** Copy Access Token, Show Log, Open Settings: small enough to share a file. */
export function registerMisc(controller: TokenController, log: Log): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('salesiq.copyAccessToken', async () => {
      if (!controller.token) return false;
      await vscode.env.clipboard.writeText(controller.token.accessToken);
      vscode.window.setStatusBarMessage('$(check) SalesIQ access token copied', 3000);
      log.info('copy', `copied the ${controller.profile.name} access token to the clipboard`);
      return true;
    }),
    vscode.commands.registerCommand('salesiq.showLog', () => log.show()),
    vscode.commands.registerCommand('salesiq.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:salesiq-devkit.salesiq-devkit')),
  ];
}
