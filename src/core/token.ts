/**
 * The access token's life: when it was obtained, when it expires, and how that reads to a human.
 * Everything is computed from absolute times and the clock's `now`, so sleep/resume never drifts.
 */
export interface TokenState {
  accessToken: string;
  /** ms since epoch */
  obtainedAt: number;
  /** ms since epoch */
  expiresAt: number;
}

/** Zoho access tokens live an hour at most; a longer claimed lifetime is capped (reference §2.1). */
export const MAX_LIFETIME_SEC = 3600;

export type Freshness = 'fresh' | 'warning' | 'expired';

export function remainingMs(t: Pick<TokenState, 'expiresAt'>, now: number): number {
  return t.expiresAt - now;
}

export function freshness(t: Pick<TokenState, 'expiresAt'>, now: number, warnMs: number): Freshness {
  const left = remainingMs(t, now);
  if (left <= 0) return 'expired';
  return left <= warnMs ? 'warning' : 'fresh';
}

/** "42m", "1h 05m"; "4m 07s" in the last five minutes; "expired". */
export function countdownText(ms: number): string {
  if (ms <= 0) return 'expired';
  const totalSec = Math.floor(ms / 1000);
  if (totalSec < 300) {
    const m = Math.floor(totalSec / 60);
    const s = totalSec % 60;
    return m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
  }
  const totalMin = Math.floor(totalSec / 60);
  if (totalMin < 60) return `${totalMin}m`;
  return `${Math.floor(totalMin / 60)}h ${pad(totalMin % 60)}m`;
}

/** "34 min ago", "in 12 min", "2 h 5 min ago": for tooltips and decode evidence. */
export function relativeText(deltaMs: number): string {
  const future = deltaMs > 0;
  const min = Math.round(Math.abs(deltaMs) / 60000);
  const body = min < 1 ? 'less than a minute' : min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
  return future ? `in ${body}` : `${body} ago`;
}

/**
 * How long until the display must change again: the next minute boundary while minutes are shown,
 * every second in the last five minutes. Keeps the status bar accurate without a 1 s timer all hour.
 */
export function nextTickMs(ms: number): number {
  if (ms <= 0) return 60_000;
  if (ms <= 300_000 + 1000) return (ms % 1000) || 1000;
  const toBoundary = ms % 60_000;
  return toBoundary === 0 ? 60_000 : toBoundary;
}

export function tokenFromGrant(accessToken: string, lifetimeSec: number, now: number): TokenState {
  const life = Math.min(Math.max(lifetimeSec, 1), MAX_LIFETIME_SEC);
  return { accessToken, obtainedAt: now, expiresAt: now + life * 1000 };
}

/** User tokens (`1000.`) serve the operator API; org tokens (`1005.`) the visitor API. A hint, never validation. */
export function tokenKind(token: string): 'user' | 'org' | 'unknown' {
  if (/^1000\./.test(token)) return 'user';
  if (/^1005\./.test(token)) return 'org';
  return 'unknown';
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
