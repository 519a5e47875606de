/**
 * Owns one profile's access token: refreshes it (once at a time, within Zoho's limits), stores it, and
 * records how the last attempt went. The same class serves the extension (SecretStorage store, lease across
 * windows) and the CLI (0600 state files, lock file), so both behave identically.
 */
import type { Clock } from './clock';
import { sleep } from './clock';
import { DevKitError, isDevKitError } from './errors/devkitError';
import type { Finding } from './errors/finding';
import { isDue, TokenState, tokenFromGrant } from './token';
import type { RefreshCredentials } from './zoho/oauth';

export type { RefreshCredentials } from './zoho/oauth';

export interface RefreshOutcome {
  at: number;
  ok: boolean;
  automatic: boolean;
  finding?: Finding;
}

export interface StoredToken extends TokenState {
  lastRefresh?: RefreshOutcome;
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
}

export interface RefreshRequest {
  automatic: boolean;
  /** Automatic refreshes skip tokens with more than this left (another window may have refreshed). */
  marginMs?: number;
  signal?: AbortSignal;
}

const NO_CREDENTIALS: Finding = {
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
    const { store, lease } = this.deps;
    const before = await store.readToken();
    if (lease && !(await lease.acquire())) {
      const adopted = await this.awaitOtherHolder(before, req.signal);
      if (adopted) return adopted;
      if (!(await lease.acquire())) throw new DevKitError(BUSY);
    }
    try {
      const current = await store.readToken();
      if (req.automatic && current && !isDue(current, this.deps.clock.now(), req.marginMs ?? 0)) return current;
      return await this.mint(current, req);
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
      const lastRefresh = { at: now, ok: true, automatic: req.automatic };
      const fresh: StoredToken = { ...tokenFromGrant(grant.accessToken, grant.lifetimeSec, now), lastRefresh };
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
      return t;
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
