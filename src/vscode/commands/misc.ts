import * as vscode from 'vscode';
import { registerCommand } from '../command';
import { BuiltinCmd, Cmd } from '../commandIds';
import type { Log } from '../log';
import type { TokenController } from '../tokenController';

/** Copy Access Token, Show Log, Open Settings: small enough to share a file. */
export function registerMisc(controller: TokenController, log: Log): vscode.Disposable[] {
  return [
    registerCommand(Cmd.copyAccessToken, log, async () => {
      if (!controller.token) return false;
      await vscode.env.clipboard.writeText(controller.token.accessToken);
      vscode.window.setStatusBarMessage('$(check) SalesIQ access token copied', 3000);
      log.info('copy', `copied the ${controller.profile.name} access token to the clipboard`);
      return true;
    }),
    registerCommand(Cmd.showLog, log, () => log.show()),
    registerCommand(Cmd.openSettings, log, () => vscode.commands.executeCommand(BuiltinCmd.openSettings, '@ext:salesiq-devkit.salesiq-devkit')),
  ];
}
