/**
 * The team hub for every refresh token an instance uses: adopt the team's token or mint under the team lease
 * (Team), one rate log for the whole team (TeamRateLog), and new tokens delivered the moment they are published
 * (follow). Every key lives under `salesiq-devkit:<namespace>:`, the namespace derived from client id and
 * refresh token (crypto.ts); the hub holds only sealed access tokens, lease owners, fencing numbers and times.
 * Any hub failure turns into "work alone": the caller's local lease and rate guard still hold.
 */
import { randomBytes } from 'crypto';
import type { Clock } from '../token/clock';
import { sleep } from '../token/clock';
import { DevKitError } from '../errors/devkitError';
import type { RefreshCredentials, StoredToken } from '../token/tokenManager';
import { HubConnection, type HubState, HubUnavailable } from './connection';
import { hubSecrets, seal, TamperedError, unseal } from './crypto';
import * as lua from './scripts';
import { ALONE, type Team, type TeamPlan, type TeamRateLog, type TeamTicket } from './team';
import type { HubAddress } from './url';

export const KEY_PREFIX = 'salesiq-devkit:';

export interface TeamHubOptions {
  address: HubAddress;
  password?: string;
  /** This machine's name, sealed with each token this instance mints ("minted by host X"). */
  hostName: string;
  clock: Clock;
  onState?(s: HubState): void;
  /** One line for the log: a refused publish, a rejected (tampered) hub value. Never holds a secret. */
  onNote?(line: string): void;
  /** How long a lease outlives a minter that stopped renewing it (crashed, SIGKILL). Default 10 s. */
  leaseTtlMs?: number;
  /** How long the first use waits for the first connection. Default 3 s. */
  firstConnectMs?: number;
  /** Zoho's limit, shared by the team; automatic requests keep `reserve` back for a human. */
  rate?: { limit: number; windowMs: number; reserve: number };
}

interface Keys {
  key: Buffer;
  ns: string;
  token: string;
  lease: string;
  fence: string;
  log: string;
  channel: string;
}

interface HubToken {
  fence: string;
  token: StoredToken;
}

const BUSY_WAIT_LEASES = 3;
const POLL_MS = 200;

export class TeamHub implements Team, TeamRateLog {
  private readonly conn: HubConnection;
  private readonly owner = `${process.pid}.${randomBytes(6).toString('hex')}`;
  private readonly leaseTtlMs: number;
  private readonly rate: { limit: number; windowMs: number; reserve: number };
  private readonly rejected = new Set<string>();

  constructor(private readonly o: TeamHubOptions) {
    this.leaseTtlMs = o.leaseTtlMs ?? 10_000;
    this.rate = o.rate ?? { limit: 10, windowMs: 600_000, reserve: 1 };
    this.conn = new HubConnection(o.address, o.password, { onState: (s) => o.onState?.(s) });
    this.conn.start();
  }

  get connected(): boolean {
    return this.conn.isReady;
  }

  async beforeMint(creds: RefreshCredentials, opts: { marginMs: number; signal?: AbortSignal }): Promise<TeamPlan> {
    if (!(await this.conn.whenReady(this.o.firstConnectMs ?? 3000))) return { ticket: ALONE };
    const k = this.keys(creds);
    const deadline = this.o.clock.now() + BUSY_WAIT_LEASES * this.leaseTtlMs;
    try {
      const seen = await this.read(k);
      if (seen && seen.token.expiresAt - this.o.clock.now() > opts.marginMs) return { adopt: seen.token };
      for (;;) {
        const fence = await this.conn.command<number>(['EVAL', lua.ACQUIRE, '2', k.lease, k.fence, this.owner, String(this.leaseTtlMs)]);
        if (fence) return { ticket: this.ticket(k, String(fence)) };
        // Another instance is minting: its token is ours as soon as it lands.
        await sleep(this.o.clock, POLL_MS, opts.signal);
        const now = await this.read(k);
        if (now && now.fence !== seen?.fence && now.token.expiresAt > this.o.clock.now()) return { adopt: now.token };
        if (this.o.clock.now() > deadline) throw new DevKitError(BUSY);
      }
    } catch (e) {
      if (e instanceof HubUnavailable) return { ticket: ALONE };
      throw e;
    }
  }

  async admit(creds: RefreshCredentials, opts: { automatic: boolean }): Promise<number | null> {
    if (!this.conn.isReady) return null;
    const k = this.keys(creds);
    const allowed = opts.automatic ? this.rate.limit - this.rate.reserve : this.rate.limit;
    try {
      const [ok, until, hubNow] = await this.conn.command<number[]>(['EVAL', lua.ADMIT, '1', k.log, String(allowed), String(this.rate.windowMs), this.owner]);
      // The hub's clock decided; translate its answer to this machine's clock.
      return ok ? null : this.o.clock.now() + (Number(until) - Number(hubNow));
    } catch (e) {
      if (e instanceof HubUnavailable) return null;
      throw e;
    }
  }

  async recordThrottle(creds: RefreshCredentials): Promise<void> {
    const k = this.keys(creds);
    await this.conn.command(['EVAL', lua.FILL, '1', k.log, String(this.rate.limit), String(this.rate.windowMs), this.owner]).catch(() => undefined);
  }

  /**
   * Calls `onToken` with every token the team publishes for these credentials from now on, and with the hub's
   * current one after each (re)connection, so an instance that was cut off catches up at once.
   */
  follow(creds: RefreshCredentials, onToken: (t: StoredToken) => void): void {
    const k = this.keys(creds);
    this.conn.subscribe(k.channel, (message) => {
      const space = message.indexOf(' ');
      const t = this.open(k, message.slice(0, space), message.slice(space + 1));
      if (t) onToken(t);
    });
    this.conn.onReconnect(() => {
      this.read(k).then((t) => t && onToken(t.token), () => undefined);
    });
  }

  /** The hub's current token for these credentials (undefined when none, unreadable or rejected). */
  async current(creds: RefreshCredentials): Promise<StoredToken | undefined> {
    if (!this.conn.isReady) return undefined;
    return (await this.read(this.keys(creds)).catch(() => undefined))?.token;
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private keys(creds: RefreshCredentials): Keys {
    const { namespace, key } = hubSecrets(creds.clientId, creds.refreshToken);
    const base = `${KEY_PREFIX}${namespace}:`;
    return { key, ns: namespace, token: `${base}token`, lease: `${base}lease`, fence: `${base}fence`, log: `${base}log`, channel: `${base}minted` };
  }

  private async read(k: Keys): Promise<HubToken | undefined> {
    const reply = await this.conn.command<Array<string | null>>(['HMGET', k.token, 'fence', 'box']);
    const [fence, box] = reply ?? [];
    if (!fence || !box) return undefined;
    const token = this.open(k, fence, box);
    return token ? { fence, token } : undefined;
  }

  /** Unseals a hub value; one that fails its tag is reported once and never used. */
  private open(k: Keys, fence: string, box: string): StoredToken | undefined {
    try {
      const t = unseal(k.key, box, aad(k.ns, fence));
      return { accessToken: t.accessToken, obtainedAt: t.obtainedAt, expiresAt: t.expiresAt, origin: { source: 'adopted', via: 'hub', mintedBy: t.mintedBy } };
    } catch (e) {
      if (!(e instanceof TamperedError)) throw e;
      const note = `team hub: rejected the stored token (${e.message}); not used — a new one is minted and replaces it`;
      if (!this.rejected.has(box)) this.o.onNote?.(note);
      this.rejected.add(box);
      return undefined;
    }
  }

  /** The lease while this instance mints: renewed until released, so only a dead minter's lease runs out. */
  private ticket(k: Keys, fence: string): TeamTicket {
    const renew = setInterval(() => {
      this.conn.command(['EVAL', lua.RENEW, '1', k.lease, this.owner, String(this.leaseTtlMs)]).catch(() => undefined);
    }, Math.max(500, Math.floor(this.leaseTtlMs / 3)));
    renew.unref();
    return {
      publish: async (t) => {
        const ttl = Math.max(1000, t.expiresAt - this.o.clock.now());
        const box = seal(
          k.key,
          { accessToken: t.accessToken, obtainedAt: t.obtainedAt, expiresAt: t.expiresAt, mintedBy: this.o.hostName },
          aad(k.ns, fence),
        );
        try {
          const ok = await this.conn.command<number>(['EVAL', lua.PUBLISH, '2', k.token, k.fence, fence, box, String(ttl), k.channel]);
          if (!ok) this.o.onNote?.('team hub: this instance lost its lease while minting (another took over); its token stays local and the team keeps the newer one');
        } catch (e) {
          if (!(e instanceof HubUnavailable)) throw e;
        }
      },
      release: async () => {
        clearInterval(renew);
        await this.conn.command(['EVAL', lua.RELEASE, '1', k.lease, this.owner]).catch(() => undefined);
      },
    };
  }
}

/** Binds a sealed box to its namespace and fencing number. */
function aad(ns: string, fence: string): string {
  return `${ns}|${fence}`;
}

const BUSY = {
  source: 'unknown' as const,
  code: 'hub-busy',
  httpStatus: null,
  category: 'rate-limit' as const,
  action: 'wait' as const,
  retryable: true,
  title: 'Another instance on the team hub is still minting a token.',
  explanation: 'A teammate\'s DevKit holds the team lease and is renewing it, but no new token has arrived yet (Zoho may be slow or down). Wait a minute and try again; the token is adopted as soon as it lands.',
};
