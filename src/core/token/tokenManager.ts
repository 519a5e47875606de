/**
 * Owns one profile's access token: refreshes it (once at a time, within Zoho's limits), stores it, and
 * records how the last attempt went. The same class serves the extension (SecretStorage store, lease across
 * windows) and the CLI (0600 state files, lock file), so both behave identically.
 */
import type { Clock } from './clock';
import { sleep } from './clock';
import { DevKitError, isDevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';
import type { Team, TeamTicket } from '../hub/team';
import { isDue, TokenState, tokenFromGrant } from './token';
import type { RefreshCredentials } from '../zoho/oauth';

export type { RefreshCredentials } from '../zoho/oauth';

export interface RefreshOutcome {
  at: number;
  ok: boolean;
  automatic: boolean;
  finding?: Finding;
}

/** Where a token came from: minted by this instance, or adopted (from the team hub, with who minted it). */
export interface TokenOrigin {
  source: 'minted' | 'adopted';
  /** Host name of the minting instance, for tokens adopted from the team hub. */
  mintedBy?: string;
  via?: 'hub' | 'local';
}

export interface StoredToken extends TokenState {
  lastRefresh?: RefreshOutcome;
  origin?: TokenOrigin;
}

/** Where a profile's token and credentials live. */
export interface TokenStore {
  readToken(): Promise<StoredToken | undefined>;
  writeToken(t: StoredToken): Promise<void>;
  readCredentials(): Promise<RefreshCredentials | undefined>;
}

/** Mutual exclusion between processes/windows sharing a profile; optional. */
export interface Lease {
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export type Refresher = (
  creds: RefreshCredentials,
  opts: { automatic: boolean; signal?: AbortSignal },
) => Promise<{ accessToken: string; lifetimeSec: number }>;

export interface TokenManagerDeps {
  store: TokenStore;
  refresher: Refresher;
  clock: Clock;
  lease?: Lease;
  /** How long to wait for another holder of the lease to finish before trying ourselves. */
  leaseWaitMs?: number;
  /** Called when this manager minted (not adopted) a token: the hook for pushing it to a server. */
  onMint?: (t: StoredToken, automatic: boolean) => void;
  /** The team hub, when one is configured: adopt the team's token, or mint under its lease and publish. */
  team?: Team;
}

export interface RefreshRequest {
  automatic: boolean;
  /** Automatic refreshes skip tokens with more than this left (another window may have refreshed). */
  marginMs?: number;
  signal?: AbortSignal;
}

/** A caller that names no margin (e.g. fix) adopts only a team token with more than this left. */
const TEAM_MARGIN_MS = 5 * 60_000;

export const NO_CREDENTIALS: Finding = {
  source: 'unknown',
  code: 'no-credentials',
  httpStatus: null,
  category: 'config',
  action: 'fix-config',
  retryable: false,
  title: 'No SalesIQ credentials are stored for this profile.',
  explanation: 'DevKit needs the client id, client secret and refresh token to mint access tokens. Run "SalesIQ: Set Up Credentials" (or import them from a .env file) and try again.',
};

export class TokenManager {
  private inflight: Promise<StoredToken> | undefined;

  constructor(private readonly deps: TokenManagerDeps) {}

  /** Concurrent calls share one attempt: one request to Zoho however many triggers fire at once. */
  refresh(req: RefreshRequest): Promise<StoredToken> {
    this.inflight ??= this.refreshOnce(req).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  get refreshing(): boolean {
    return this.inflight !== undefined;
  }

  private async refreshOnce(req: RefreshRequest): Promise<StoredToken> {
    if (req.automatic && this.deps.team) {
      const current = await this.deps.store.readToken();
      if (current && !isDue(current, this.deps.clock.now(), req.marginMs ?? 0)) return current;
    }
    const plan = await this.teamPlan(req);
    if (plan && 'adopt' in plan) return plan.adopt;
    try {
      const { token, minted } = await this.refreshLocally(req);
      if (minted) await plan?.ticket.publish(token);
      return token;
    } finally {
      await plan?.ticket.release();
    }
  }

  /** With a team hub: the team's token when it is good for longer than the margin (stored here), else a ticket. */
  private async teamPlan(req: RefreshRequest) {
    const { team, store } = this.deps;
    const creds = team && (await store.readCredentials());
    if (!team || !creds) return undefined;
    const plan = await team.beforeMint(creds, { marginMs: req.marginMs ?? TEAM_MARGIN_MS, signal: req.signal });
    if ('adopt' in plan) {
      const current = await store.readToken();
      if (current?.accessToken === plan.adopt.accessToken) return { adopt: current };
      const adopted: StoredToken = { ...plan.adopt, lastRefresh: { at: this.deps.clock.now(), ok: true, automatic: req.automatic } };
      await store.writeToken(adopted);
      return { adopt: adopted };
    }
    return plan as { ticket: TeamTicket };
  }

  private async refreshLocally(req: RefreshRequest): Promise<{ token: StoredToken; minted: boolean }> {
    const { store, lease } = this.deps;
    const before = await store.readToken();
    if (lease && !(await lease.acquire())) {
      const adopted = await this.awaitOtherHolder(before, req.signal);
      if (adopted) return { token: adopted, minted: false };
      if (!(await lease.acquire())) throw new DevKitError(BUSY);
    }
    try {
      const current = await store.readToken();
      if (req.automatic && current && !isDue(current, this.deps.clock.now(), req.marginMs ?? 0)) return { token: current, minted: false };
      return { token: await this.mint(current, req), minted: true };
    } finally {
      await lease?.release();
    }
  }

  private async mint(current: StoredToken | undefined, req: RefreshRequest): Promise<StoredToken> {
    const { store, refresher, clock } = this.deps;
    const creds = await store.readCredentials();
    if (!creds) throw new DevKitError(NO_CREDENTIALS);
    try {
      const grant = await refresher(creds, { automatic: req.automatic, signal: req.signal });
      const now = clock.now();
      const fresh: StoredToken = { ...tokenFromGrant(grant.accessToken, grant.lifetimeSec, now), lastRefresh: { at: now, ok: true, automatic: req.automatic }, origin: { source: 'minted' } };
      await store.writeToken(fresh);
      this.deps.onMint?.(fresh, req.automatic);
      return fresh;
    } catch (e) {
      if (current && isDevKitError(e)) {
        await store.writeToken({ ...current, lastRefresh: { at: clock.now(), ok: false, automatic: req.automatic, finding: e.finding } });
      }
      throw e;
    }
  }

  /** Another window/process holds the lease: adopt its token when it lands, bounded by leaseWaitMs. */
  private async awaitOtherHolder(before: StoredToken | undefined, signal?: AbortSignal): Promise<StoredToken | undefined> {
    const { store, clock } = this.deps;
    const deadline = clock.now() + (this.deps.leaseWaitMs ?? 20_000);
    while (clock.now() < deadline) {
      await sleep(clock, 250, signal);
      const t = await store.readToken();
      if (!t || t.lastRefresh?.at === before?.lastRefresh?.at) continue;
      if (t.lastRefresh && !t.lastRefresh.ok && t.lastRefresh.finding) throw new DevKitError(t.lastRefresh.finding);
      return { ...t, origin: { source: 'adopted', via: 'local' } };
    }
    return undefined;
  }
}

const BUSY: Finding = {
  source: 'unknown',
  code: 'refresh-busy',
  httpStatus: null,
  category: 'rate-limit',
  action: 'wait',
  retryable: true,
  title: 'Another window or process is refreshing this token.',
  explanation: 'A refresh of the same profile is already under way elsewhere (another VS Code window or the CLI). Wait a few seconds; the new token is picked up automatically.',
};
