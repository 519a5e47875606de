import * as vscode from 'vscode';
import type { TokenController } from '../tokenController';

interface Action extends vscode.QuickPickItem {
  command: string;
  when?: (c: TokenController) => boolean;
}

/** What a status bar click offers; entries that cannot run in the current state are left out. */
const ACTIONS: Action[] = [
  { label: '$(sign-in) Authorize with Zoho…', description: 'get a refresh token: Self Client code or browser sign-in', command: 'salesiq.authorize', when: (c) => !c.hasCredentials },
  { label: '$(zap) Fix Now', description: 'refresh → push → restart → verify → test transfer', command: 'salesiq.fixNow', when: (c) => c.hasCredentials },
  { label: '$(refresh) Refresh Access Token', command: 'salesiq.refreshToken', when: (c) => c.hasCredentials },
  { label: '$(account) Switch Profile…', command: 'salesiq.switchProfile' },
  { label: '$(pass) Validate Token', command: 'salesiq.validateToken', when: (c) => !!c.token },
  { label: '$(cloud-upload) Push Token to Server', command: 'salesiq.pushToServer', when: (c) => !!c.token },
  { label: '$(cloud-upload) Push Token to All Servers', description: 'every server in salesiq.remote.servers, in parallel', command: 'salesiq.pushToAllServers', when: (c) => !!c.token },
  { label: '$(comment-discussion) Send Test Transfer', command: 'salesiq.sendTestTransfer' },
  { label: '$(plug) Test SSH Connection', command: 'salesiq.testSshConnection' },
  { label: '$(pulse) Run Doctor', description: 'check the whole chain, from credentials to the running service', command: 'salesiq.runDoctor' },
  { label: '$(server-process) Show Server Logs…', command: 'salesiq.showServerLogs' },
  { label: '$(history) Restore Previous .env…', command: 'salesiq.restoreEnv' },
  { label: '$(copy) Copy Access Token', command: 'salesiq.copyAccessToken', when: (c) => !!c.token },
  { label: '$(search) Decode Error…', command: 'salesiq.decodeError' },
  { label: '$(key) Set Up Credentials…', command: 'salesiq.setupCredentials' },
  { label: '$(sign-in) Re-authorize with Zoho…', description: 'replace the refresh token, keep the client', command: 'salesiq.authorize', when: (c) => c.hasCredentials },
  { label: '$(file) Import Credentials from .env…', command: 'salesiq.importFromEnv' },
  { label: '$(output) Show Log', command: 'salesiq.showLog' },
  { label: '$(gear) Open Settings', command: 'salesiq.openSettings' },
  { label: '$(trash) Forget Credentials…', command: 'salesiq.forgetCredentials', when: (c) => c.hasCredentials || !!c.token },
];

export function registerShowActions(controller: TokenController, extra: () => Action[] = () => []): vscode.Disposable {
  return vscode.commands.registerCommand('salesiq.showActions', async () => {
    const available = [...ACTIONS, ...extra()].filter((a) => !a.when || a.when(controller));
    const known = new Set(await vscode.commands.getCommands(true));
    const pick = await vscode.window.showQuickPick(available.filter((a) => known.has(a.command)), { title: `SalesIQ — profile ${controller.profile.name}`, placeHolder: 'Choose an action' });
    if (pick) await vscode.commands.executeCommand(pick.command);
  });
}
