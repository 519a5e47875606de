import * as vscode from 'vscode';
import { checkClientId, checkClientSecret, checkProfileName } from '../../core/credentials/credentialChecks';
import { DATA_CENTERS, DATA_CENTER_IDS, type DataCenter } from '../../core/zoho/datacenters';
import { tokenFromGrant } from '../../core/token/token';
import { apiConsoleUrl, DEFAULT_REDIRECT_PORT, isClientType, isValidPort, readPastedCode, SELF_CLIENT_CODE_MS, tokenKindOf, type ClientType, type RedirectParams } from '../../core/zoho/authorize';
import type { AuthorizeResult, ClientCredentials } from '../../core/zoho/authorizeFlow';
import { parseScopes, presetScopes, scopeText } from '../../core/zoho/scopes';
import type { FeatureDeps } from '../deps';
import { error, inputStep, warning } from '../input';
import { loadNet } from '../lazy';
import { registerCommand } from '../command';
import { Cmd } from '../commandIds';
import { saveProfile } from '../profileSetup';
import { ProfileStore, type StoredCredentials } from '../profileStore';
import { settings, type ProfileSetting } from '../settings';

const TITLE = 'SalesIQ: Authorize with Zoho';
const BROWSER_TIMEOUT_MS = 5 * 60_000;

/**
 * A client id and secret kept for a profile that has no refresh token yet (a new profile, or the sandbox's
 * unauthorized one), so that authorizing never asks for them twice. SecretStorage only, like the credentials.
 */
export const pendingClientKey = (profile: string) => `salesiq.client/${profile}`;
interface PendingClient extends ClientCredentials {
  clientType?: ClientType;
}

/** Programmatic form (walkthrough links, the re-authorize button on a finding): skips the pick steps given. */
export interface AuthorizeArgs {
  profile?: string;
  clientType?: ClientType;
}

interface Plan {
  profile: ProfileSetting;
  isNew: boolean;
  clientType: ClientType;
  scopes: string[];
  existing?: StoredCredentials;
}

const CLIENT_TYPES: Array<vscode.QuickPickItem & { id: ClientType }> = [
  { id: 'self', label: '$(key) Self Client', description: 'paste a grant code from the API console', detail: 'Operator API (user token, 1000.…). Works anywhere, also in remote and browser VS Code.' },
  { id: 'server', label: '$(globe) Server-based client', description: 'sign in in the browser', detail: 'Operator API (user token). Register the redirect URI http://127.0.0.1:PORT/callback with the client.' },
  { id: 'org', label: '$(organization) Org client', description: 'sign in in the browser, /oauth/v2/org/auth', detail: 'Visitor API for the test transfer (org token, 1005.…). Same redirect URI.' },
];

/**
 * SalesIQ: Authorize with Zoho… — the first refresh token of a profile, or a new one when Zoho revoked the old.
 * The previous credentials stay as they are until a new refresh token is actually in hand; a re-authorization
 * keeps the profile, its client and its settings and replaces only the refresh token (and the access token).
 */
export function registerAuthorize(deps: FeatureDeps): vscode.Disposable {
  const { log } = deps;
  const run = async (args?: AuthorizeArgs): Promise<boolean> => {
    const plan = await planFor(deps, args ?? {});
    if (!plan) return false;
    const client = await clientFor(deps, plan);
    if (!client) return false;
    log.remember(client.clientSecret);
    const result = plan.clientType === 'self' ? await selfClient(deps, plan, client) : await browserSignIn(deps, plan, client);
    if (!result) return false;
    await store(deps, plan, client, result);
    return true;
  };
  return registerCommand(Cmd.authorize, log, run, { onError: () => false, retry: true });
}

async function planFor(deps: FeatureDeps, args: AuthorizeArgs): Promise<Plan | undefined> {
  const picked = args.profile ? existingOrNew(args.profile) : await pickProfile(deps);
  if (!picked) return undefined;
  const { profile, isNew } = picked;
  const existing = isNew ? undefined : await new ProfileStore(deps.secrets, profile.name).readCredentials();
  const pending = await deps.secrets.getJson<PendingClient>(pendingClientKey(profile.name));
  const remembered = deps.context.globalState.get<string>(`salesiq.authorize.clientType/${profile.name}`) ?? pending?.clientType;
  const fallback: ClientType = profile.name === settings.transferProfile() ? 'org' : 'self';
  const clientType = args.clientType ?? (await pickClientType(isClientType(remembered) ? remembered : fallback));
  if (!clientType) return undefined;
  const scopes = await askScopes(deps, profile.name, clientType);
  if (!scopes) return undefined;
  return { profile, isNew, clientType, scopes, existing };
}

function existingOrNew(name: string): { profile: ProfileSetting; isNew: boolean } {
  const found = settings.profiles().find((p) => p.name === name);
  return found ? { profile: found, isNew: false } : { profile: { name, dataCenter: 'com', envKey: 'SALESIQ_ACCESS_TOKEN' }, isNew: true };
}

async function pickProfile(deps: FeatureDeps): Promise<{ profile: ProfileSetting; isNew: boolean } | undefined> {
  const profiles = settings.profiles();
  const active = deps.controller.profile?.name;
  const items = await Promise.all(
    profiles.map(async (p) => {
      const authorized = !!(await new ProfileStore(deps.secrets, p.name).readCredentials());
      return { id: p.name, label: p.name, description: DATA_CENTERS[p.dataCenter].label, detail: authorized ? 'authorized: a new refresh token replaces the current one' : 'not authorized yet' };
    }),
  );
  items.sort((a, b) => Number(b.id === active) - Number(a.id === active));
  const NEW = { id: '$new', label: '$(add) New profile…', description: '', detail: 'a profile for another client or token kind' };
  const choice = await pick([...items, NEW], { step: 1, placeholder: 'Which profile gets the refresh token?' });
  if (!choice) return undefined;
  if (choice.id !== '$new') return { profile: profiles.find((p) => p.name === choice.id)!, isNew: false };
  const existingNames = profiles.map((p) => p.name);
  const name = await inputStep({ title: TITLE, step: 1, totalSteps: 5, prompt: 'New profile name (e.g. "user" for the operator API, "org" for the visitor API)', validate: (v) => {
    const c = checkProfileName(v, []);
    if (c) return error(c.message);
    return existingNames.includes(v) ? error(`Profile "${v}" exists: pick it in the list instead.`) : undefined;
  } });
  if (!name) return undefined;
  const dcItems = DATA_CENTER_IDS.map((id) => ({ id, label: DATA_CENTERS[id].label, description: DATA_CENTERS[id].accountsUrl }));
  const dc = await pick(dcItems, { step: 1, placeholder: 'Data centre of your Zoho account (the domain you sign in at; a browser sign-in corrects it)' });
  if (!dc) return undefined;
  return { profile: { name, dataCenter: dc.id as DataCenter, envKey: 'SALESIQ_ACCESS_TOKEN' }, isNew: true };
}

async function pickClientType(preselect: ClientType): Promise<ClientType | undefined> {
  const choice = await pick(CLIENT_TYPES, { step: 2, placeholder: 'Which kind of Zoho client? (API console → your client)', active: preselect });
  return choice?.id;
}

async function askScopes(deps: FeatureDeps, profile: string, clientType: ClientType): Promise<string[] | undefined> {
  const key = `salesiq.authorize.scopes/${profile}/${tokenKindOf(clientType)}`;
  const initial = deps.context.globalState.get<string>(key) ?? scopeText(presetScopes(tokenKindOf(clientType)));
  const text = await inputStep({
    title: TITLE, step: 3, totalSteps: 5, value: initial,
    prompt: `Scopes for a ${tokenKindOf(clientType)} token, comma-separated (the preset is what DevKit's checks${clientType === 'org' ? ' and the test transfer' : ''} need)`,
    validate: (v) => {
      const p = parseScopes(v);
      return p.ok ? undefined : error(p.message);
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseScopes(text);
  return parsed.ok ? parsed.scopes : undefined;
}

/** The client of the profile's credentials (or kept from an earlier attempt); asked only when there is none. */
async function clientFor(deps: FeatureDeps, plan: Plan): Promise<ClientCredentials | undefined> {
  if (plan.existing) return { clientId: plan.existing.clientId, clientSecret: plan.existing.clientSecret };
  const pending = await deps.secrets.getJson<PendingClient>(pendingClientKey(plan.profile.name));
  if (pending?.clientId && pending.clientSecret) return pending;
  const toMsg = (c: ReturnType<typeof checkClientId>) => (c ? (c.level === 'error' ? error(c.message) : warning(c.message)) : undefined);
  const clientId = await inputStep({ title: TITLE, step: 4, totalSteps: 5, prompt: 'Client ID (API console → your client → Client ID)', validate: (v) => toMsg(checkClientId(v)) });
  if (!clientId) return undefined;
  const clientSecret = await inputStep({ title: TITLE, step: 4, totalSteps: 5, prompt: 'Client secret', password: true, validate: (v) => toMsg(checkClientSecret(v)) });
  if (!clientSecret) return undefined;
  const client = { clientId, clientSecret };
  // Kept so a failed or cancelled attempt need not ask again.
  await deps.secrets.setJson(pendingClientKey(plan.profile.name), { ...client, clientType: plan.clientType });
  return client;
}

async function selfClient(deps: FeatureDeps, plan: Plan, client: ClientCredentials): Promise<AuthorizeResult | undefined> {
  const consoleUrl = apiConsoleUrl(plan.profile.dataCenter);
  // With an overridden accounts server (a sovereign cloud, the sandbox) the DC's console may not be the right one.
  if (!settings.accountsUrl()) void vscode.env.openExternal(vscode.Uri.parse(consoleUrl));
  const pasted = await askGrantCode(plan, consoleUrl);
  if (!pasted) return undefined;
  deps.log.remember(pasted.code);
  return progress(`SalesIQ: exchanging the grant code for profile ${plan.profile.name}…`, (signal) =>
    loadNet().authorizeWithCode({ ...common(deps, plan, client, signal), pasted, redirectPort: redirectPort() }),
  );
}

/** The grant-code box: scopes to paste with a copy button, the console link, and a 3-minute countdown. */
function askGrantCode(plan: Plan, consoleUrl: string): Promise<(RedirectParams & { code: string }) | undefined> {
  const scopes = scopeText(plan.scopes);
  const copy: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy the scopes' };
  const open: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('link-external'), tooltip: `Open ${consoleUrl}` };
  const box = vscode.window.createInputBox();
  const deadline = Date.now() + SELF_CLIENT_CODE_MS;
  Object.assign(box, {
    step: 5, totalSteps: 5, ignoreFocusOut: true, buttons: [copy, open], placeholder: 'grant code, e.g. 1000.1a2b….3c4d…  (a redirect URL holding code= works too)',
    prompt: `API console (${consoleUrl}) → Self Client → Generate Code with the scopes ${scopes} (copy button above), then paste the code here.`,
  });
  const render = () => {
    const left = Math.max(0, deadline - Date.now());
    box.title = left > 0 ? `${TITLE}: grant code (${Math.floor(left / 60_000)}:${String(Math.floor(left / 1000) % 60).padStart(2, '0')} left)` : `${TITLE}: grant code (3 minutes are up)`;
    if (left === 0 && !box.validationMessage) box.validationMessage = warning('3 minutes are up: this code has probably expired. Generate a new one (or set a longer time in the console).');
  };
  render();
  const timer = setInterval(render, 1000);
  return new Promise((resolve) => {
    let done = false;
    box.onDidTriggerButton((b) => {
      if (b === copy) void vscode.env.clipboard.writeText(scopes).then(() => vscode.window.setStatusBarMessage('$(check) Scopes copied', 3000));
      else void vscode.env.openExternal(vscode.Uri.parse(consoleUrl));
    });
    box.onDidChangeValue((v) => {
      const r = readPastedCode(v);
      box.validationMessage = !v.trim() || r.ok ? undefined : warning(r.message);
    });
    box.onDidAccept(() => {
      const r = readPastedCode(box.value);
      if (!r.ok) return void (box.validationMessage = error(r.message));
      done = true;
      resolve(r.params);
      box.dispose();
    });
    box.onDidHide(() => {
      clearInterval(timer);
      if (!done) resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

async function browserSignIn(deps: FeatureDeps, plan: Plan, client: ClientCredentials): Promise<AuthorizeResult | undefined> {
  const port = redirectPort();
  await forwardPort(deps, port);
  return progress(`SalesIQ: sign in to Zoho in your browser (profile ${plan.profile.name}; redirect to http://127.0.0.1:${port}/callback)…`, (signal) =>
    loadNet().authorizeInBrowser({
      ...common(deps, plan, client, signal),
      clientType: plan.clientType as Exclude<ClientType, 'self'>,
      scopes: plan.scopes,
      port,
      timeoutMs: BROWSER_TIMEOUT_MS,
      returnTo: 'VS Code',
      open: async (url, redirect) => {
        deps.log.info('authorize', `listening on ${redirect}; opening ${url}`);
        const opened = await vscode.env.openExternal(vscode.Uri.parse(url, true));
        if (!opened) deps.log.warn('authorize', 'the browser did not open: copy the URL above into a browser');
      },
    }),
  );
}

/**
 * The listener runs where the extension host runs. When the window is remote or in a browser, ask VS Code to
 * forward the port to the browser's machine; its rewritten URL (code-server: `/proxy/PORT/`) is not used, because
 * Zoho only redirects to the registered http://127.0.0.1:PORT/callback.
 */
async function forwardPort(deps: FeatureDeps, port: number): Promise<void> {
  if (!vscode.env.remoteName && vscode.env.uiKind !== vscode.UIKind.Web) return;
  try {
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${port}/`));
    deps.log.info('authorize', `remote window: asked VS Code to forward port ${port} (it offers ${external.toString(true)}); the redirect still goes to 127.0.0.1:${port}. If the browser runs on another machine and the sign-in never returns, forward that port or use Self Client.`);
  } catch (e) {
    deps.log.warn('authorize', `could not forward port ${port}: ${String(e)}`);
  }
}

function common(deps: FeatureDeps, plan: Plan, client: ClientCredentials, signal: AbortSignal) {
  return {
    http: loadNet().createHttpClient(settings.httpOptions()),
    clientType: plan.clientType,
    client,
    pickedDc: plan.profile.dataCenter,
    accountsOverride: settings.accountsUrl(),
    signal,
  };
}

function redirectPort(): number {
  const n = vscode.workspace.getConfiguration('salesiq').get<number>('authorize.redirectPort') ?? DEFAULT_REDIRECT_PORT;
  return isValidPort(n) ? n : DEFAULT_REDIRECT_PORT;
}

async function progress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, cancel) => {
    const abort = new AbortController();
    cancel.onCancellationRequested(() => abort.abort(new Error('cancelled')));
    try {
      return await work(abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return undefined;
      throw e;
    }
  });
}

/** Only now, with a refresh token in hand, is anything replaced: the refresh token, the access token, the DC if corrected. */
async function store(deps: FeatureDeps, plan: Plan, client: ClientCredentials, r: AuthorizeResult): Promise<void> {
  const { log, secrets, context, clock } = deps;
  log.remember(r.refreshToken, r.grant.accessToken);
  const now = clock.now();
  const t = tokenFromGrant(r.grant.accessToken, r.grant.lifetimeSec, now);
  const name = plan.profile.name;
  const credentials: StoredCredentials = { ...(plan.existing ?? {}), ...client, refreshToken: r.refreshToken };
  await saveProfile(
    secrets,
    {
      name,
      dataCenter: r.dataCenter,
      envKey: plan.profile.envKey,
      credentials,
      accessToken: t.accessToken,
      issuedAt: t.obtainedAt,
      expiresAt: t.expiresAt,
    },
    now,
  );
  await secrets.delete(pendingClientKey(name));
  await context.globalState.update(`salesiq.authorize.clientType/${name}`, plan.clientType);
  await context.globalState.update(`salesiq.authorize.scopes/${name}/${tokenKindOf(plan.clientType)}`, scopeText(plan.scopes));
  await deps.controller.switchTo(name);
  const what = plan.existing ? 'refresh token and access token replaced; client, profile and settings kept' : 'new profile credentials stored';
  log.info('authorize', `profile ${name} authorized (${plan.clientType} client, data centre ${r.dataCenter}, scope ${r.scope}): ${what}`);
  if (r.ignoredAccountsServer) log.warn('authorize', `ignored accounts-server ${r.ignoredAccountsServer}: not a known Zoho Accounts server; used ${r.accountsUrl}`);
  const moved = r.corrected ? ` Your account lives in ${DATA_CENTERS[r.dataCenter].label}, not ${DATA_CENTERS[plan.profile.dataCenter].label}: the profile now uses ${DATA_CENTERS[r.dataCenter].label}.` : '';
  if (r.corrected) log.info('authorize', `data centre of profile ${name} corrected from ${plan.profile.dataCenter} to ${r.dataCenter} by the redirect`);
  void vscode.window.showInformationMessage(`SalesIQ profile "${name}" is authorized: the token is valid for ${Math.round(r.grant.lifetimeSec / 60)} min.${moved}`);
}

type Item = vscode.QuickPickItem & { id: string };

function pick<T extends Item>(items: T[], o: { step: number; placeholder: string; active?: string }): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  Object.assign(qp, {
    title: TITLE,
    step: o.step,
    totalSteps: 5,
    placeholder: o.placeholder,
    items,
    ignoreFocusOut: true,
    matchOnDetail: true,
  });
  if (o.active) qp.activeItems = items.filter((i) => i.id === o.active);
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!chosen) return;
      done = true;
      resolve(chosen);
      qp.dispose();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
