/**
 * When to refresh without being asked. Evaluated on every countdown tick (at least once a minute, and on
 * window focus), so a laptop that slept through the planned moment refreshes as soon as it wakes.
 */
import type { Finding } from '../errors/finding';
import { isDue } from './token';

export interface AutoRefreshInput {
  now: number;
  expiresAt: number | undefined;
  marginMs: number;
  /** Per-window offset (0..jitter) so several windows don't all try in the same second. */
  jitterMs: number;
}

export function autoRefreshDue(i: AutoRefreshInput): boolean {
  if (i.expiresAt === undefined) return false;
  return isDue({ expiresAt: i.expiresAt }, i.now, i.marginMs + i.jitterMs);
}

/**
 * Backoff after failed automatic attempts: retryable failures wait 30 s, 60 s, 120 s … (capped at 5 min),
 * a rate limit waits until the window reopens, and a failure that needs the user stops automatic
 * attempts until credentials change (retrying a revoked token would only burn Zoho's quota).
 */
export class AutoRefreshBackoff {
  private failures = 0;
  private notBefore = 0;
  private stopped: Finding | undefined;

  allowed(now: number): boolean {
    return !this.stopped && now >= this.notBefore;
  }

  get stoppedBy(): Finding | undefined {
    return this.stopped;
  }

  succeeded(): void {
    this.failures = 0;
    this.notBefore = 0;
    this.stopped = undefined;
  }

  failed(f: Finding, now: number): void {
    this.failures += 1;
    const next = f.details?.nextAllowedAt ? Date.parse(f.details.nextAllowedAt) : NaN;
    if (f.category === 'rate-limit') {
      this.notBefore = Number.isFinite(next) ? next : now + 600_000;
    } else if (f.retryable) {
      this.notBefore = now + Math.min(30_000 * 2 ** (this.failures - 1), 300_000);
    } else {
      this.stopped = f;
    }
  }

  /** Credentials or settings changed: give automatic refresh a fresh start. */
  reset(): void {
    this.succeeded();
  }
}
