import * as vscode from 'vscode';
import { countdownText } from '../../core/token';
import type { Clock } from '../../core/clock';
import type { Log } from '../log';
import { showFailure } from '../notify';
import { ProfileStore } from '../profileStore';
import type { SecretStore } from '../secretStore';
import { settings } from '../settings';
import type { TokenController } from '../tokenController';

/** SalesIQ: Switch Profile… — one pick, with each profile's remaining time. */
export function registerSwitchProfile(secrets: SecretStore, controller: TokenController, clock: Clock): vscode.Disposable {
  return vscode.commands.registerCommand('salesiq.switchProfile', async (name?: string) => {
    const target = name ?? (await pickProfile(secrets, controller, clock));
    if (target === '$new') return vscode.commands.executeCommand('salesiq.setupCredentials');
    if (!target) return false;
    await settings.setActiveProfile(target);
    await controller.switchTo(target);
    return true;
  });
}

async function pickProfile(secrets: SecretStore, controller: TokenController, clock: Clock): Promise<string | undefined> {
  const items = await Promise.all(
    settings.profiles().map(async (p) => {
      const t = await new ProfileStore(secrets, p.name).readToken();
      const left = t ? countdownText(t.expiresAt - clock.now()) : 'no token';
      return { label: `${p.name === controller.profile.name ? '$(check) ' : ''}${p.name}`, description: `${p.dataCenter.toUpperCase()} · ${left}`, detail: `.env key ${p.envKey}`, id: p.name };
    }),
  );
  const pick = await vscode.window.showQuickPick([...items, { label: '$(add) New profile…', description: '', detail: 'Set up credentials for another token', id: '$new' }], { title: 'SalesIQ: Switch Profile' });
  return pick?.id;
}

/** SalesIQ: Forget Credentials… — removes the active profile's secrets after a modal confirmation. */
export function registerForget(controller: TokenController, log: Log): vscode.Disposable {
  return vscode.commands.registerCommand('salesiq.forgetCredentials', async (opts?: { confirm?: boolean }) => {
    const name = controller.profile.name;
    if (opts?.confirm !== false) {
      const ok = await vscode.window.showWarningMessage(`Forget the stored SalesIQ credentials and token of profile "${name}"?`, { modal: true, detail: 'They are removed from VS Code secret storage. Your Zoho client and refresh token stay valid; you can set them up again later.' }, 'Forget');
      if (ok !== 'Forget') return false;
    }
    try {
      await controller.store.forget();
      const remaining = settings.profiles().filter((p) => p.name !== name);
      // The last profile stays listed (empty) so the status bar can offer set-up; otherwise move to the next one.
      if (remaining.length) {
        await settings.saveProfiles(remaining);
        await settings.setActiveProfile(remaining[0].name);
      }
      await controller.switchTo(remaining[0]?.name ?? name);
      log.info('setup', `forgot credentials of profile ${name}`);
      return true;
    } catch (e) {
      void showFailure(e, log);
      return false;
    }
  });
}
