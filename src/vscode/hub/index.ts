/**
 * The team hub in VS Code: `salesiq.hub.url` (no password in it), the password asked once and kept in
 * SecretStorage, tokens published by teammates written into this window's profile at once, and two tooltip
 * rows: where the token came from and whether the hub is reachable. Hub trouble never blocks the countdown or a
 * refresh: the window works alone, says so once (log line, tooltip) and reconnects by itself.
 */
import * as os from 'os';
import * as vscode from 'vscode';
import type { HubState } from '../../core/hub/connection';
import { type LazyHub, lazyHub } from '../../core/hub/lazyHub';
import { HubUrlError, parseHubUrl, type HubAddress } from '../../core/hub/url';
import { relativeText } from '../../core/token/token';
import type { StoredToken } from '../../core/token/tokenManager';
import type { FeatureDeps } from '../deps';
import { loadHub } from '../lazy';
import { ProfileStore } from '../profileStore';
import { BuiltinCmd, Cmd } from '../commandIds';
import { registerCommand } from '../command';

const passwordKey = (a: HubAddress) => `salesiq.hub.password/${a.display}`;

export function registerHub(deps: FeatureDeps): vscode.Disposable[] {
  const feature = new HubFeature(deps);
  deps.statusBar.setExtraRows(() => feature.rows());
  void feature.configure();
  return [
    feature,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('salesiq.hub.url')) void feature.configure();
      else if (e.affectsConfiguration('salesiq.activeProfile')) void feature.follow();
    }),
    deps.controller.onDidChange(() => void feature.follow()),
    // Like Set Up Credentials, the command takes its value as an argument when another tool drives it.
    registerCommand(Cmd.setHubPassword, deps.log, (value?: unknown) => feature.askPassword(typeof value === 'string' ? value : undefined)),
  ];
}

class HubFeature implements vscode.Disposable {
  private hub: LazyHub | undefined;
  private address: HubAddress | undefined;
  private state: HubState | undefined;
  private readonly followed = new Set<string>();

  constructor(private readonly d: FeatureDeps) {}

  async configure(): Promise<void> {
    await this.hub?.close();
    this.hub = undefined;
    this.state = undefined;
    this.followed.clear();
    this.address = this.readAddress();
    if (!this.address) {
      if (this.d.controller.team) this.d.controller.setTeam(undefined);
      this.d.statusBar.render();
      return;
    }
    const address = this.address;
    const password = await this.d.secrets.getJson<string>(passwordKey(address)).catch(() => undefined);
    this.d.log.remember(password);
    this.hub = lazyHub(loadHub, {
      address,
      password,
      hostName: os.hostname(),
      clock: this.d.clock,
      onState: (s) => this.changed(s),
      onNote: (line) => this.d.log.warn('hub', line),
    });
    this.d.controller.setTeam(this.hub);
    this.d.log.info('hub', `team hub ${address.display}${password ? ' (password from secret storage)' : ' (no password set)'}`);
    await this.follow();
  }

  /** Listens for the team's tokens for the active profile's credentials (once per refresh token). */
  async follow(): Promise<void> {
    const hub = this.hub;
    const profile = this.d.controller.profile?.name;
    if (!hub || !profile) return;
    const creds = await new ProfileStore(this.d.secrets, profile).readCredentials().catch(() => undefined);
    if (!creds) return;
    const id = `${profile}|${creds.clientId}|${creds.refreshToken}`;
    if (this.followed.has(id) || hub !== this.hub) return;
    this.followed.add(id);
    hub.follow(creds, (t) => void this.adopt(profile, t));
  }

  async askPassword(given?: string): Promise<void> {
    const address = this.address ?? this.readAddress();
    if (!address) {
      void vscode.window.showInformationMessage('Set salesiq.hub.url (redis://host:6379/0) first; then the hub password.');
      return;
    }
    const value = given ?? await vscode.window.showInputBox({
      title: `Team hub password for ${address.display}`,
      prompt: 'Kept in VS Code secret storage, never in settings. Leave empty for a hub without a password.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value) await this.d.secrets.setJson(passwordKey(address), value);
    else await this.d.secrets.delete(passwordKey(address));
    await this.configure();
  }

  rows(): Array<[string, string]> {
    if (!this.address) return [];
    const t = this.d.controller.token;
    const out: Array<[string, string]> = [];
    if (t) out.push(['Token source', sourceText(t, this.d.clock.now())]);
    const s = this.state;
    out.push(['Team hub', !s || s.kind === 'connecting' ? `${this.address.display} (connects on first use)` : s.kind === 'connected' ? `connected to ${s.display}` : `unreachable, working alone: ${s.reason}. Fix: ${s.fix}`]);
    return out;
  }

  dispose(): void {
    void this.hub?.close();
  }

  private readAddress(): HubAddress | undefined {
    const raw = vscode.workspace.getConfiguration('salesiq').get<string>('hub.url')?.trim();
    if (!raw) return undefined;
    try {
      return parseHubUrl(raw);
    } catch (e) {
      if (!(e instanceof HubUrlError)) throw e;
      this.d.log.error('hub', `salesiq.hub.url: ${e.message}`);
      void vscode.window.showErrorMessage(`SalesIQ: salesiq.hub.url is not used: ${e.message}`, 'Open Settings').then((pick) => {
        if (pick) void vscode.commands.executeCommand(BuiltinCmd.openSettings, 'salesiq.hub.url');
      });
      return undefined;
    }
  }

  /** A teammate's token, stored for the profile when it is newer than ours (every window of this machine sees it). */
  private async adopt(profile: string, t: StoredToken): Promise<void> {
    const store = new ProfileStore(this.d.secrets, profile);
    const current = await store.readToken();
    if (current && current.expiresAt >= t.expiresAt) return;
    this.d.log.remember(t.accessToken);
    await store.writeToken({ ...t, lastRefresh: { at: this.d.clock.now(), ok: true, automatic: true } });
    this.d.log.info('hub', `adopted token ${t.accessToken} for profile ${profile}, minted by ${t.origin?.mintedBy ?? 'a teammate'}, valid until ${new Date(t.expiresAt).toISOString()}`);
    if (profile === this.d.controller.profile.name) await this.d.controller.reload();
  }

  /** Said once per change: a log line, the tooltip row, and for a refused password a prompt to set it. */
  private changed(s: HubState): void {
    const was = this.state;
    this.state = s;
    if (s.kind === 'down') {
      this.d.log.warn('hub', `${s.reason}; working alone. Fix: ${s.fix}`);
      if (/password/.test(s.reason) && was?.kind !== 'down') {
        void vscode.window.showWarningMessage(`SalesIQ: ${s.reason}. DevKit works alone until it is fixed.`, 'Set Team Hub Password').then((pick) => {
          if (pick) void this.askPassword();
        });
      }
    } else if (s.kind === 'connected') {
      this.d.log.info('hub', `connected to ${s.display}`);
      void this.follow();
    }
    this.d.statusBar.render();
  }
}

function sourceText(t: StoredToken, now: number): string {
  const o = t.origin;
  if (!o || o.source === 'minted') return 'minted here';
  if (o.via === 'hub') return `adopted from the team hub, minted by host ${o.mintedBy ?? '?'} ${relativeText(t.obtainedAt - now)}`;
  return 'adopted from another window or process of this machine';
}
