/**
 * The countdown memo: the non-secret facts the status bar item draws from (when the active profile's token was
 * obtained and expires, and whether its last refresh worked), kept per profile in `context.globalState`. VS Code
 * hands an extension its globalState before `activate()` runs, so the bootstrap (dist/bootstrap.js) can draw the
 * countdown at once, while a SecretStorage read is a round trip to the browser in code-server. The secret read
 * still follows and decides (docs/vscode.md §10). Nothing secret is ever copied here: the token, any part of it
 * or a hash of it would sit in plain storage, which the security model forbids (secrets live in SecretStorage).
 * globalState is not synced unless an extension asks (setKeysForSync), and DevKit does not.
 * Small on purpose: the bootstrap loads it at `*`.
 */
import type * as vscode from 'vscode';
import type { ShownToken } from '../core/token/statusView';
import { MAX_LIFETIME_SEC } from '../core/token/token';

/** Bumped when the shape changes: an entry of another version is ignored, never misread. */
const VERSION = 1;
const PREFIX = 'salesiq.countdown/';
/** Clocks of the windows that wrote and read the memo may differ a little; more than this is not a clock. */
const SKEW_MS = 5 * 60_000;
/** 2020-01-01: DevKit never stored a token before that; a smaller time is a garbled entry. */
const EARLIEST_MS = Date.UTC(2020, 0, 1);

export interface CountdownMemo {
  v: typeof VERSION;
  obtainedAt: number;
  expiresAt: number;
  lastRefresh?: { at: number; ok: boolean; automatic: boolean };
}

export const memoKey = (profile: string): string => `${PREFIX}${profile}`;

/**
 * The entry for a token: its times and last refresh outcome, each field picked by name so that nothing else of
 * the token (the access token, its origin, a failure's explanation) can ever be carried along.
 */
export function memoOf(t: ShownToken): CountdownMemo {
  const r = t.lastRefresh;
  return {
    v: VERSION,
    obtainedAt: t.obtainedAt,
    expiresAt: t.expiresAt,
    ...(r ? { lastRefresh: { at: r.at, ok: r.ok, automatic: r.automatic } } : {}),
  };
}

/**
 * What the item may draw from a stored entry, or undefined when the entry is missing or cannot be a real token's:
 * wrong types, non-finite times, an expiry before it was obtained, a time before 2020, obtained in
 * the future, or more time left than a Zoho token ever has (an hour, docs/zoho.md §2.1). Undefined only means the
 * item waits for the secret read, as it did without a memo.
 */
export function shownFromMemo(raw: unknown, now: number): ShownToken | undefined {
  if (!isRecord(raw) || raw.v !== VERSION) return undefined;
  const { obtainedAt, expiresAt, lastRefresh } = raw;
  if (!isTime(obtainedAt) || !isTime(expiresAt) || expiresAt < obtainedAt) return undefined;
  if (obtainedAt > now + SKEW_MS || expiresAt > now + MAX_LIFETIME_SEC * 1000 + SKEW_MS) return undefined;
  if (lastRefresh === undefined) return { obtainedAt, expiresAt };
  // A garbled outcome drops the whole entry: drawing it without would show a failed refresh as a good one.
  if (!isRecord(lastRefresh) || !isTime(lastRefresh.at) || typeof lastRefresh.ok !== 'boolean' || typeof lastRefresh.automatic !== 'boolean') return undefined;
  if (lastRefresh.at > now + SKEW_MS) return undefined;
  return { obtainedAt, expiresAt, lastRefresh: { at: lastRefresh.at, ok: lastRefresh.ok, automatic: lastRefresh.automatic } };
}

/** The entry for a profile in globalState, validated (synchronous: globalState is loaded before activation). */
export function readMemo(state: vscode.Memento, profile: string, now: number): ShownToken | undefined {
  return shownFromMemo(state.get(memoKey(profile)), now);
}

/**
 * Keeps a profile's entry equal to its stored token: written when it differs, removed when there is no token.
 * Called with what SecretStorage said, so a stale or garbled entry is replaced by the next read.
 */
export function rememberToken(state: vscode.Memento, profile: string, token: ShownToken | undefined): Thenable<void> | undefined {
  const key = memoKey(profile);
  const next = token ? memoOf(token) : undefined;
  const current: unknown = state.get(key);
  if (next === undefined) return current === undefined ? undefined : state.update(key, undefined);
  return JSON.stringify(current) === JSON.stringify(next) ? undefined : state.update(key, next);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= EARLIEST_MS;
}
