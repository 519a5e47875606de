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

/** Zoho access tokens live an hour at most; a longer claimed lifetime is capped (docs/zoho.md §2.1). */
export const MAX_LIFETIME_SEC = 3600;

export type Freshness = 'fresh' | 'warning' | 'expired';

/** Time left until the token expires (negative once it has). */
export function remainingMs(t: Pick<TokenState, 'expiresAt'>, now: number): number {
  return t.expiresAt - now;
}

/** Due for a refresh: no more than `marginMs` left (an expired token always is). */
export function isDue(t: Pick<TokenState, 'expiresAt'>, now: number, marginMs: number): boolean {
  return remainingMs(t, now) <= marginMs;
}

export function freshness(t: Pick<TokenState, 'expiresAt'>, now: number, warnMs: number): Freshness {
  const left = remainingMs(t, now);
  if (left <= 0) return 'expired';
  return left <= warnMs ? 'warning' : 'fresh';
}

/**
 * The one rounding rule for every time left (or gone) that DevKit shows — status bar, its tooltip and
 * accessible label, the CLI, decode evidence: whole minutes and seconds, rounded down. With 8 min 59 s
 * left every text says 8, none claims time that is not there, and a text changes exactly when the
 * countdown crosses a minute (which is when nextTickMs wakes the status bar).
 */
export function shownDuration(ms: number): { minutes: number; seconds: number } {
  const totalSec = Math.floor(Math.abs(ms) / 1000);
  return { minutes: Math.floor(totalSec / 60), seconds: totalSec % 60 };
}

/** "42m", "1h 05m"; "4m 07s" in the last five minutes; "expired". */
export function countdownText(ms: number): string {
  if (ms <= 0) return 'expired';
  const { minutes, seconds } = shownDuration(ms);
  if (minutes < 5) return minutes > 0 ? `${minutes}m ${pad(seconds)}s` : `${seconds}s`;
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
}

/** "34 min ago", "in 12 min", "2 h 5 min ago": for tooltips and decode evidence. */
export function relativeText(deltaMs: number): string {
  const future = deltaMs > 0;
  const min = shownDuration(deltaMs).minutes;
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
