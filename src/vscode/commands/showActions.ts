import * as vscode from 'vscode';
import type { TokenController } from '../tokenController';
import { Cmd, type CommandId } from '../commandIds';
import { registerCommand } from '../command';
import type { Log } from '../log';

interface Action extends vscode.QuickPickItem {
  command: CommandId;
  when?: (c: TokenController) => boolean;
}

/** What a status bar click offers; entries that cannot run in the current state are left out. */
const ACTIONS: Action[] = [
  { label: '$(sign-in) Authorize with Zoho…', description: 'get a refresh token: Self Client code or browser sign-in', command: Cmd.authorize, when: (c) => !c.hasCredentials },
  { label: '$(zap) Fix Now', description: 'refresh → push → restart → verify → test transfer', command: Cmd.fixNow, when: (c) => c.hasCredentials },
  { label: '$(refresh) Refresh Access Token', command: Cmd.refreshToken, when: (c) => c.hasCredentials },
  { label: '$(account) Switch Profile…', command: Cmd.switchProfile },
  { label: '$(pass) Validate Token', command: Cmd.validateToken, when: (c) => !!c.token },
  { label: '$(cloud-upload) Push Token to Server', command: Cmd.pushToServer, when: (c) => !!c.token },
  { label: '$(cloud-upload) Push Token to All Servers', description: 'every server in salesiq.remote.servers, in parallel', command: Cmd.pushToAllServers, when: (c) => !!c.token },
  { label: '$(comment-discussion) Send Test Transfer', command: Cmd.sendTestTransfer },
  { label: '$(plug) Test SSH Connection', command: Cmd.testSshConnection },
  { label: '$(pulse) Run Doctor', description: 'check the whole chain, from credentials to the running service', command: Cmd.runDoctor },
  { label: '$(server-process) Show Server Logs…', command: Cmd.showServerLogs },
  { label: '$(history) Restore Previous .env…', command: Cmd.restoreEnv },
  { label: '$(copy) Copy Access Token', command: Cmd.copyAccessToken, when: (c) => !!c.token },
  { label: '$(search) Decode Error…', command: Cmd.decodeError },
  { label: '$(key) Set Up Credentials…', command: Cmd.setupCredentials },
  { label: '$(sign-in) Re-authorize with Zoho…', description: 'replace the refresh token, keep the client', command: Cmd.authorize, when: (c) => c.hasCredentials },
  { label: '$(file) Import Credentials from .env…', command: Cmd.importFromEnv },
  { label: '$(output) Show Log', command: Cmd.showLog },
  { label: '$(gear) Open Settings', command: Cmd.openSettings },
  { label: '$(trash) Forget Credentials…', command: Cmd.forgetCredentials, when: (c) => c.hasCredentials || !!c.token },
];

export function registerShowActions(controller: TokenController, log: Log, extra: () => Action[] = () => []): vscode.Disposable {
  return registerCommand(Cmd.showActions, log, async () => {
    const available = [...ACTIONS, ...extra()].filter((a) => !a.when || a.when(controller));
    const known = new Set(await vscode.commands.getCommands(true));
    const pick = await vscode.window.showQuickPick(available.filter((a) => known.has(a.command)), { title: `SalesIQ — profile ${controller.profile.name}`, placeHolder: 'Choose an action' });
    if (pick) await vscode.commands.executeCommand(pick.command);
  });
}
