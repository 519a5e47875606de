import * as vscode from 'vscode';
import { countdownText } from '../../core/token/token';
import type { Clock } from '../../core/token/clock';
import type { Log } from '../log';
import { ProfileStore } from '../profileStore';
import { remoteSecretKeys } from '../remoteSecrets';
import { remoteSettings } from '../remote/remoteSettings';
import { resolveTarget } from '../remote/target';
import type { SecretStore } from '../secretStore';
import { settings } from '../settings';
import type { TokenController } from '../tokenController';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

/** SalesIQ: Switch Profile… — one pick, with each profile's remaining time. */
export function registerSwitchProfile(secrets: SecretStore, controller: TokenController, clock: Clock, log: Log): vscode.Disposable {
  return registerCommand(Cmd.switchProfile, log, async (name?: string) => {
    const target = name ?? (await pickProfile(secrets, controller, clock));
    if (target === '$new') return vscode.commands.executeCommand(Cmd.setupCredentials);
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

/**
 * SalesIQ: Forget Credentials… — removes the active profile's secrets after a modal confirmation. The server's
 * sudo password is kept apart (it belongs to the server, not the profile): it says so, and offers to forget it.
 */
export function registerForget(controller: TokenController, secrets: SecretStore, log: Log): vscode.Disposable {
  return registerCommand(Cmd.forgetCredentials, log, async (opts?: ForgetOptions): Promise<boolean> => {
    const name = controller.profile.name;
    if (opts?.confirm !== false) {
      const ok = await vscode.window.showWarningMessage(`Forget the stored SalesIQ credentials and token of profile "${name}"?`, { modal: true, detail: 'They are removed from VS Code secret storage. Your Zoho client and refresh token stay valid; you can set them up again later.' }, 'Forget');
      if (ok !== 'Forget') return false;
    }
    await controller.forget();
    const remaining = settings.profiles().filter((p) => p.name !== name);
    // The last profile stays listed (empty) so the status bar can offer set-up; otherwise move to the next one.
    if (remaining.length) {
      await settings.saveProfiles(remaining);
      await settings.setActiveProfile(remaining[0].name);
    }
    await controller.switchTo(remaining[0]?.name ?? name);
    log.info('setup', `forgot credentials of profile ${name}`);
    await offerToForgetSudoPassword(secrets, log, opts);
    return true;
  }, { onError: () => false });
}

/** A stored sudo password of the configured server survives Forget Credentials unless the user says otherwise. */
interface ForgetOptions {
  /** false: no questions (tests, scripts); a stored sudo password is then kept unless `sudoPassword` says. */
  confirm?: boolean;
  /** Forget (true) or keep (false) the server's stored sudo password without asking. */
  sudoPassword?: boolean;
}

async function offerToForgetSudoPassword(secrets: SecretStore, log: Log, opts?: ForgetOptions): Promise<void> {
  const target = sudoTarget();
  if (!target) return;
  const key = remoteSecretKeys.sudoPassword(target);
  if ((await secrets.getJson<string>(key)) === undefined) return;
  const who = `${target.user}@${target.host}`;
  const forget =
    opts?.sudoPassword ??
    (opts?.confirm === false
      ? false
      : (await vscode.window.showInformationMessage(
          `The sudo password for ${who} is still stored: it belongs to the server, not to the profile.`,
          'Forget It Too',
          'Keep It',
        )) === 'Forget It Too');
  if (!forget) {
    log.info('setup', `kept the stored sudo password for ${who}`);
    return;
  }
  await secrets.delete(key);
  log.info('setup', `forgot the stored sudo password for ${who}`);
}

/** The user and host the sudo password is stored under, when a server is configured and resolvable. */
function sudoTarget(): { user: string; host: string } | undefined {
  try {
    return resolveTarget(remoteSettings());
  } catch {
    return undefined; // no server configured (or no key for it): no sudo password can have been stored
  }
}
