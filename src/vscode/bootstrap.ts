/**
 * The extension's `main` (dist/bootstrap.js), activated at `*` so the countdown shows with the rest of the status
 * bar instead of after `onStartupFinished`, which an offline workbench reaches only after its own timeouts.
 * activate() creates the item, registers stand-ins for the contributed commands, draws the countdown from the
 * countdown memo in globalState when there is one (src/vscode/expiryMemo.ts: no secret, no round trip) and starts
 * one secret read, which confirms or corrects that text; it returns before the read answers, so VS Code's
 * activation time is this small bundle's load and a few calls. The full extension (dist/extension.js: controller,
 * auto-refresh, commands, views) loads FULL_LOAD_DELAY_MS after the secret read's text is drawn, or at once when a
 * command runs, when the token is due for its automatic refresh, or when the bootstrap cannot draw the final text
 * itself (a sandbox seed to import, an unreadable secret). It takes over the same item and replaces the stand-ins
 * in one tick (Handoff). docs/vscode.md §10 says what this relies on.
 */
import * as vscode from 'vscode';
import type * as Full from '../extension';
import { ShownToken, statusView, StatusInput } from '../core/token/statusView';
import { isDue, nextTickMs } from '../core/token/token';
import { applyView, createTokenItem, Handoff, settingsInput, shownProfile } from './bootstrapItem';
import { readMemo } from './expiryMemo';
import { keys } from './profileStore';
import type { ProfileSetting } from './settings';
import { readSeedFile, seedImportedBefore } from './seedFile';

/**
 * Long enough that the full extension's load and its SecretStorage round trips stay out of the window's own
 * start-up work, short enough that auto-refresh, other windows' tokens and the palette's when-clauses follow soon.
 * SALESIQ_DEVKIT_FULL_LOAD_MS overrides it (the UI test holds the full extension back to prove the stand-ins).
 */
const FULL_LOAD_DELAY_MS = 2000;

export function activate(context: vscode.ExtensionContext): Promise<Full.DevKitApi | undefined> | undefined {
  const item = createTokenItem();
  let timer: NodeJS.Timeout | undefined;
  let taken = false;
  let full: Promise<Full.DevKitApi | undefined> | undefined;
  const handoff: Handoff = {
    takeItem: () => {
      taken = true;
      clearTimeout(timer);
      return item;
    },
    releaseCommands: () => stubs.release(),
  };
  const load = (): Promise<Full.DevKitApi | undefined> => {
    // A later turn of the event loop: a stand-in command or a draw never compiles the full bundle inside its own call.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    full ??= new Promise<void>((r) => setImmediate(r)).then(() => (require('./extension.js') as typeof Full).activate(context, handoff));
    return full;
  };
  const stubs = registerStandIns(context, load);
  context.subscriptions.push(item, stubs, { dispose: () => clearTimeout(timer) });

  const profile = shownProfile();
  const seed = pendingSeed(context);
  // The countdown memo first (no round trip); the secret read then confirms or corrects it. A seed still to import
  // will change the secrets, so its memo is not drawn.
  let input = seed === 'changed' ? undefined : memoInput(context, profile);
  let confirmed = false;
  let loadAt = Infinity;
  // Draws until the full extension takes the item, waking when the text changes and when the full one is due.
  const tick = (): void => {
    if (taken || !input) return;
    const now = Date.now();
    applyView(item, statusView({ ...input, now }));
    item.show();
    const due = confirmed && input.token && input.autoRefresh && isDue(input.token, now, input.autoRefreshMarginMin * 60_000);
    if (!full && (due || now >= loadAt)) void load();
    const change = input.token ? nextTickMs(input.token.expiresAt - now) : 60_000;
    timer = setTimeout(tick, full ? change : Math.min(change, Math.max(0, loadAt - now)));
  };
  // In the next turn, so that activate() returns first: the first date formatting of the tooltip initialises Intl
  // (~40 ms cold), and VS Code's activation of the other extensions need not wait for it.
  const first = setImmediate(tick);
  context.subscriptions.push({ dispose: () => clearImmediate(first) });
  secretInput(context, profile, seed).then(
    (read) => {
      if (!read || taken) return void load();
      input = read;
      confirmed = true;
      loadAt = Date.now() + fullLoadDelayMs();
      clearImmediate(first);
      clearTimeout(timer);
      tick();
    },
    () => void load(),
  );
  // Outside Production the tests need the full extension's API (src/extension.ts) from activate().
  return context.extensionMode === vscode.ExtensionMode.Production ? undefined : load();
}

export function deactivate(): void {}

/** The first text from the countdown memo (src/vscode/expiryMemo.ts): a token's times only, or nothing to draw yet. */
function memoInput(context: vscode.ExtensionContext, profile: ProfileSetting): Omit<StatusInput, 'now'> | undefined {
  const token = readMemo(context.globalState, profile.name, Date.now());
  return token && { ...settingsInput(profile), hasCredentials: true, token, refreshing: false, extraRows: [] };
}

/**
 * Everything the text depends on, from settings and one secret: the active profile's token entry (its times
 * and last refresh are kept; the access token is dropped at once). Only without a token is the credentials entry
 * read, to tell "set up" from "no token". Undefined when the bootstrap must leave the text to the full
 * extension: a sandbox seed will change the secrets first, or SecretStorage failed (the full extension says why).
 */
async function secretInput(context: vscode.ExtensionContext, profile: ProfileSetting, seed: Seed): Promise<Omit<StatusInput, 'now'> | undefined> {
  if (seed === 'changed') return undefined;
  const token = shownToken(await context.secrets.get(keys.token(profile.name)));
  if (!token && seed === 'same') return undefined;
  const hasCredentials = !!token || parses(await context.secrets.get(keys.credentials(profile.name)));
  return { ...settingsInput(profile), hasCredentials, token, refreshing: false, extraRows: [] };
}

function shownToken(raw: string | undefined): ShownToken | undefined {
  if (!raw) return undefined;
  try {
    const t = JSON.parse(raw) as Partial<ShownToken>;
    if (typeof t.expiresAt !== 'number' || typeof t.obtainedAt !== 'number') return undefined;
    return { expiresAt: t.expiresAt, obtainedAt: t.obtainedAt, ...(t.lastRefresh ? { lastRefresh: t.lastRefresh } : {}) };
  } catch {
    return undefined;
  }
}

function parses(raw: string | undefined): boolean {
  if (!raw) return false;
  try {
    return !!JSON.parse(raw);
  } catch {
    return false;
  }
}

/**
 * Whether the full extension will import the sandbox seed named by SALESIQ_DEVKIT_SEED (src/vscode/sandboxSeed.ts):
 * 'changed' when the file differs from the one imported last, 'same' when it was imported (it is imported again
 * only where its profile's secrets are missing), undefined without a seed.
 */
type Seed = 'changed' | 'same' | undefined;

function pendingSeed(context: vscode.ExtensionContext): Seed {
  const seed = readSeedFile();
  if (!seed) return undefined;
  return seedImportedBefore(context, seed) ? 'same' : 'changed';
}

function fullLoadDelayMs(): number {
  const v = Number(process.env.SALESIQ_DEVKIT_FULL_LOAD_MS);
  return Number.isInteger(v) && v >= 0 && v <= 3_600_000 ? v : FULL_LOAD_DELAY_MS;
}

/**
 * One stand-in per command in the manifest. VS Code activates an extension for a contributed command
 * (`onCommand:`, implicit since 1.74) and then runs whatever is registered under that id; once the bootstrap is
 * active that activation is already done, so an id with nothing registered would fail as "command not found".
 * Each stand-in loads the full extension, which replaces the stand-ins with the real commands, and runs the real one.
 */
function registerStandIns(context: vscode.ExtensionContext, load: () => Promise<unknown>): vscode.Disposable & { release(): void } {
  const ids: string[] = ((context.extension.packageJSON as Manifest).contributes?.commands ?? []).map((c) => c.command);
  let standIns: vscode.Disposable[] | undefined = ids.map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      await load();
      return vscode.commands.executeCommand(id, ...args);
    }),
  );
  // Once: disposing a stand-in again after the real command took its id would unregister the real one.
  const release = (): void => {
    for (const d of standIns ?? []) d.dispose();
    standIns = undefined;
  };
  return { release, dispose: release };
}

interface Manifest {
  contributes?: { commands?: Array<{ command: string }> };
}
