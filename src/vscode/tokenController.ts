import * as vscode from 'vscode';
import { AutoRefreshBackoff, autoRefreshDue } from '../core/token/autoRefresh';
import type { Clock } from '../core/token/clock';
import type { StateStore } from '../core/token/stateFiles';
import { endpointsFor, Endpoints } from '../core/zoho/datacenters';
import { isDevKitError } from '../core/errors/devkitError';
import type { LazyHub } from '../core/hub/lazyHub';
import { Refresher, StoredToken, TokenManager } from '../core/token/tokenManager';
import { rememberToken } from './expiryMemo';
import { loadNet } from './lazy';
import type { Log } from './log';
import { ProfileStore, keys } from './profileStore';
import type { SecretStore } from './secretStore';
import { ProfileSetting, settings } from './settings';
import { BuiltinCmd } from './commandIds';

/**
 * The active profile's token as the UI sees it: cached state, refresh (manual and automatic), and
 * adoption of tokens refreshed by other windows. Everything visual listens to onDidChange.
 */
export class TokenController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly refreshed = new vscode.EventEmitter<{ token: StoredToken; automatic: boolean; profile: ProfileSetting }>();
  /** A token was minted in this window (not adopted from another): auto-push listens here. */
  readonly onDidRefresh = this.refreshed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.refreshed];
  private readonly backoff = new AutoRefreshBackoff();
  /** Per-window offset so several windows don't race for the same refresh. */
  private readonly jitterMs = Math.floor(Math.random() * 20_000);

  profile!: ProfileSetting;
  store!: ProfileStore;
  token: StoredToken | undefined;
  hasCredentials = false;
  private manager!: TokenManager;
  private readonly managers = new Map<string, TokenManager>();
  /** The team hub (salesiq.hub.url), when set: consulted before each mint, told after. */
  team: LazyHub | undefined;

  constructor(
    private readonly secrets: SecretStore,
    /** Refresh history and lease, in files every window and extension host of this machine sees live. */
    private readonly shared: StateStore,
    private readonly clock: Clock,
    private readonly log: Log,
    /** globalState: the countdown memo (src/vscode/expiryMemo.ts) the bootstrap draws from at the next start. */
    private readonly state: vscode.Memento,
  ) {
    this.disposables.push(
      secrets.onDidChange((key) => {
        if (key === keys.token(this.profile.name) || key === keys.credentials(this.profile.name)) void this.reload();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('salesiq')) void this.switchTo(settings.activeProfileName());
      }),
    );
  }

  get refreshing(): boolean {
    return this.manager?.refreshing ?? false;
  }

  get autoStoppedBy() {
    return this.backoff.stoppedBy;
  }

  endpoints(profile: ProfileSetting = this.profile): Endpoints {
    return endpointsFor(profile.dataCenter, { accountsUrl: settings.accountsUrl(), salesiqUrl: settings.salesiqUrl() });
  }

  async switchTo(name: string): Promise<void> {
    const profile = settings.profiles().find((p) => p.name === name) ?? settings.profiles()[0];
    const same = this.profile && profile.name === this.profile.name && profile.dataCenter === this.profile.dataCenter;
    this.profile = profile;
    if (!same) {
      this.store = new ProfileStore(this.secrets, profile.name);
      this.manager = this.managerFor(profile);
      this.backoff.reset();
    }
    await this.reload();
  }

  /** A new hub (or none): managers are rebuilt so every later refresh goes through it. */
  setTeam(team: LazyHub | undefined): void {
    this.team = team;
    this.managers.clear();
    if (this.profile) this.manager = this.managerFor(this.profile);
  }

  /** Refreshes any profile (the test transfer uses the org profile while the user one is shown). */
  async refreshProfile(name: string, signal?: AbortSignal): Promise<StoredToken> {
    if (name === this.profile.name) return this.refresh(signal);
    const profile = settings.profiles().find((p) => p.name === name);
    if (!profile) throw new Error(`There is no SalesIQ profile named "${name}".`);
    return this.managerFor(profile).refresh({ automatic: false, signal });
  }

  /** One manager per profile for the window's life: single-flight only works within one manager. */
  private managerFor(profile: ProfileSetting): TokenManager {
    const key = `${profile.name}|${profile.dataCenter}`;
    let m = this.managers.get(key);
    if (!m) {
      const store = new ProfileStore(this.secrets, profile.name);
      m = new TokenManager({
        store,
        refresher: this.refresher(profile),
        clock: this.clock,
        lease: this.shared.lease(profile.name, this.clock, 30_000),
        ...(this.team ? { team: this.team } : {}),
        onMint: (token, automatic) => {
          this.remember(profile.name, token);
          this.refreshed.fire({ token, automatic, profile });
        },
      });
      this.managers.set(key, m);
    }
    return m;
  }

  async reload(): Promise<void> {
    const [token, creds] = await Promise.all([this.store.readToken(), this.store.readCredentials()]);
    const credsChanged = this.hasCredentials !== !!creds;
    this.token = token;
    this.hasCredentials = !!creds;
    this.log.remember(token?.accessToken, creds?.clientSecret, creds?.refreshToken);
    if (credsChanged) this.backoff.reset();
    await vscode.commands.executeCommand(BuiltinCmd.setContext, 'salesiq.hasCredentials', this.hasCredentials);
    await vscode.commands.executeCommand(BuiltinCmd.setContext, 'salesiq.hasToken', !!token);
    this.changed.fire();
    this.remember(this.profile.name, token);
  }

  /** Removes the active profile's secrets, then its countdown memo (the bootstrap would draw a forgotten token). */
  async forget(): Promise<void> {
    const name = this.profile.name;
    await this.store.forget();
    this.remember(name, undefined);
  }

  /** The memo follows what SecretStorage holds; a failed write only costs the next start its early draw. */
  private remember(profile: string, token: StoredToken | undefined): void {
    rememberToken(this.state, profile, token)?.then(undefined, (e) => this.log.warn('status', `could not keep the countdown memo: ${String(e)}`));
  }

  /** A user-initiated refresh: always asks Zoho (within the guard), reports errors to the caller. */
  async refresh(signal?: AbortSignal): Promise<StoredToken> {
    return this.run(false, signal);
  }

  /** Called on every countdown tick and on window focus. */
  tick(): void {
    if (!settings.autoRefresh() || !this.hasCredentials || this.refreshing) return;
    const now = this.clock.now();
    const marginMs = settings.autoRefreshMarginMin() * 60_000;
    if (!autoRefreshDue({ now, expiresAt: this.token?.expiresAt ?? now, marginMs, jitterMs: this.jitterMs })) return;
    if (!this.backoff.allowed(now)) return;
    this.run(true).then(
      () => this.backoff.succeeded(),
      (e) => {
        if (isDevKitError(e)) this.backoff.failed(e.finding, this.clock.now());
        this.log.warn('auto-refresh', isDevKitError(e) ? `${e.finding.title} ${e.finding.explanation}` : String(e));
        this.changed.fire();
      },
    );
  }

  private async run(automatic: boolean, signal?: AbortSignal): Promise<StoredToken> {
    const marginMs = settings.autoRefreshMarginMin() * 60_000 + this.jitterMs;
    const pending = this.manager.refresh({ automatic, marginMs, signal });
    this.changed.fire();
    try {
      const t = await pending;
      this.log.info('refresh', `${automatic ? 'automatic' : 'manual'} refresh for profile ${this.profile.name}: token ${t.accessToken} valid until ${new Date(t.expiresAt).toISOString()}`);
      return t;
    } catch (e) {
      this.log.error('refresh', `${automatic ? 'automatic' : 'manual'} refresh for profile ${this.profile.name} failed: ${isDevKitError(e) ? `${e.finding.title} (${e.finding.source} ${e.finding.code})` : String(e)}`);
      throw e;
    } finally {
      await this.reload();
    }
  }

  /** Built on the first refresh, from the network chunk: activation never loads undici or the catalogue. */
  private refresher(profile: ProfileSetting): Refresher {
    let inner: Refresher | undefined;
    const team = this.team;
    return (creds, opts) => {
      inner ??= loadNet().guardedRefresher({
        http: () => loadNet().createHttpClient(settings.httpOptions()),
        clock: this.clock,
        accountsUrl: () => this.endpoints(profile).accountsUrl,
        logFor: (rt) => this.shared.refreshLog(rt),
        onRequest: (url) => this.log.info('refresh', `POST ${url}/oauth/v2/token (profile ${profile.name})`),
        onRetry: (n, ms, f) => this.log.warn('refresh', `attempt ${n} failed (${f.title}); retrying in ${ms / 1000} s`),
        ...(team ? { team } : {}),
      });
      return inner(creds, opts);
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
