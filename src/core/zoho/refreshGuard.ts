/**
 * Protects Zoho's limit of 10 token requests per refresh token per 10 minutes (docs/zoho.md §3): an 11th request
 * is throttled and every further one extends the lockout, so DevKit refuses before Zoho has to.
 * The log of request times is shared by every window and the CLI (through the RefreshLog the caller provides).
 */
import type { Clock } from '../token/clock';
import { DevKitError, isDevKitError } from '../errors/devkitError';
import { findingFor } from '../errors/catalogue';
import { isThrottle } from './oauth';

export interface RefreshLog {
  /** Times (ms since epoch) of token requests sent with this refresh token. */
  load(): Promise<number[]>;
  save(timestamps: number[]): Promise<void>;
}

export interface RefreshGuardOptions {
  /** Requests allowed per window; Zoho's is 10. */
  limit?: number;
  windowMs?: number;
  /** Requests kept back for a human: automatic refreshes stop at limit − reserve. Default 1. */
  reserve?: number;
}

export interface RunOptions {
  /** A refresh nobody asked for (keep-fresh, a timer): may not use the reserve. */
  automatic?: boolean;
}

export class RefreshGuard {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly reserve: number;
  private inFlight: Promise<unknown> | null = null;

  constructor(
    private readonly log: RefreshLog,
    private readonly clock: Clock,
    opts: RefreshGuardOptions = {},
  ) {
    this.limit = Math.max(1, opts.limit ?? 10);
    this.windowMs = opts.windowMs ?? 600_000;
    this.reserve = Math.min(Math.max(0, opts.reserve ?? 1), this.limit - 1);
  }

  /** When the next request may be sent (ms since epoch), or null when it may be sent now. */
  async nextAllowedAt(opts: RunOptions = {}): Promise<number | null> {
    return this.blockedUntil(this.recent(await this.log.load()), opts);
  }

  /**
   * Runs one token request. Calls made while one is in flight share its result instead of sending another.
   * The attempt is recorded before `fn` runs, because Zoho counts requests that fail too.
   */
  run<T>(fn: () => Promise<T>, opts: RunOptions = {}): Promise<T> {
    if (this.inFlight) return this.inFlight as Promise<T>;
    const p = this.admitAndRun(fn, opts).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }

  /**
   * Checks the window and records one request, or throws the `rate-limit-local` finding. `run` calls it once;
   * pass it as refreshWithRetry's `beforeRetry` so retried requests are counted as well.
   */
  async admit(opts: RunOptions = {}): Promise<void> {
    const times = this.recent(await this.log.load());
    const until = this.blockedUntil(times, opts);
    if (until !== null) {
      throw new DevKitError(findingFor('oauth', 'rate-limit-local', { details: { nextAllowedAt: new Date(until).toISOString() } }));
    }
    await this.log.save([...times, this.clock.now()]);
  }

  /**
   * Zoho throttled us: it blocks for the rest of its window, and we cannot see where that window began, so the
   * window is taken as full from now (the log gets `limit` entries stamped now).
   */
  async recordThrottle(): Promise<void> {
    const now = this.clock.now();
    const times = this.recent(await this.log.load());
    await this.log.save([...times, ...new Array<number>(this.limit).fill(now)]);
  }

  private async admitAndRun<T>(fn: () => Promise<T>, opts: RunOptions): Promise<T> {
    await this.admit(opts);
    try {
      return await fn();
    } catch (err) {
      if (isDevKitError(err) && isThrottle(err.finding)) await this.recordThrottle();
      throw err;
    }
  }

  private recent(times: number[]): number[] {
    const since = this.clock.now() - this.windowMs;
    return times.filter((t) => Number.isFinite(t) && t > since).sort((a, b) => a - b);
  }

  /** With `times` sorted and inside the window: the moment enough of them age out to allow one more. */
  private blockedUntil(times: number[], opts: RunOptions): number | null {
    const allowed = opts.automatic ? this.limit - this.reserve : this.limit;
    if (times.length < allowed) return null;
    return times[times.length - allowed] + this.windowMs;
  }
}
