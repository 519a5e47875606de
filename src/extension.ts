import * as path from 'path';
import * as vscode from 'vscode';
import { systemClock } from './core/token/clock';
import { StateStore } from './core/token/stateFiles';
import { registerAuthorize } from './vscode/commands/authorize';
import { registerImportEnv } from './vscode/commands/importEnv';
import { registerMisc } from './vscode/commands/misc';
import { registerForget, registerSwitchProfile } from './vscode/commands/profiles';
import { registerRefreshToken } from './vscode/commands/refreshToken';
import { registerSetupCredentials } from './vscode/commands/setupCredentials';
import { registerShowActions } from './vscode/commands/showActions';
import type { Handoff } from './vscode/bootstrapItem';
import type { FeatureDeps } from './vscode/deps';
import { Log } from './vscode/log';
import { ProfileStore, StoredCredentials } from './vscode/profileStore';
import { importSandboxSeed } from './vscode/sandboxSeed';
import { registerDecode } from './vscode/decode';
import { registerDoctor } from './vscode/doctor';
import { registerHub } from './vscode/hub';
import { registerRemote } from './vscode/remote';
import { registerSalesIQ } from './vscode/salesiq';
import { SecretStore } from './vscode/secretStore';
import { settings } from './vscode/settings';
import { StatusBar } from './vscode/statusBar';
import { TokenController } from './vscode/tokenController';

/**
 * What the integration tests can see. Exported only outside production: any extension can read another's
 * exports, and these objects reach SecretStorage.
 */
export interface DevKitApi {
  statusBar: StatusBar;
  controller: TokenController;
  credentialsOf(profile: string): Promise<StoredCredentials | undefined>;
  /** The refresh history and lease every window of this machine shares. */
  shared: StateStore;
  /** The extension's globalState, where the countdown memo lives (src/vscode/expiryMemo.ts). */
  globalState: vscode.Memento;
}

/**
 * Builds the pieces and registers them; nothing else. Loaded by the bootstrap (src/vscode/bootstrap.ts, the
 * manifest's `main`), whose status bar item and stand-in commands it takes over through `handoff`.
 */
export async function activate(context: vscode.ExtensionContext, handoff?: Handoff): Promise<DevKitApi | undefined> {
  const clock = systemClock;
  const log = new Log();
  const secrets = new SecretStore(context.secrets);
  const shared = new StateStore(path.join(context.globalStorageUri.fsPath, 'state'));
  const controller = new TokenController(secrets, shared, clock, log, context.globalState);
  context.subscriptions.push(log, controller);

  const seeded = await importSandboxSeed(context, secrets, log).catch((e) => void log.error('sandbox', String(e)));
  await controller.switchTo(seeded ?? settings.activeProfileName());
  // No await from here to the last registration: the stand-ins leave and the real commands arrive in one tick.
  handoff?.releaseCommands();
  const statusBar = new StatusBar(controller, clock, handoff?.takeItem());

  context.subscriptions.push(
    statusBar,
    registerRefreshToken(controller, log),
    registerSetupCredentials(secrets, controller, clock, log),
    registerImportEnv(secrets, controller, clock, log),
    registerSwitchProfile(secrets, controller, clock, log),
    registerForget(controller, secrets, log),
    registerShowActions(controller, log),
    ...registerMisc(controller, log),
  );
  const deps: FeatureDeps = { context, clock, log, secrets, controller, statusBar };
  context.subscriptions.push(...registerRemote(deps), ...registerSalesIQ(deps), ...registerDecode(deps));
  context.subscriptions.push(registerAuthorize(deps));
  context.subscriptions.push(...registerDoctor(deps));
  context.subscriptions.push(...registerHub(deps));
  log.info('activate', `SalesIQ DevKit ${context.extension.packageJSON.version} on VS Code ${vscode.version}; profile ${controller.profile.name}`);
  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  const credentialsOf = (p: string) => new ProfileStore(secrets, p).readCredentials();
  return { statusBar, controller, shared, globalState: context.globalState, credentialsOf };
}

export function deactivate(): void {}
