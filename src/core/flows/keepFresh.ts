/**
 * Keeps a token fresh for as long as it runs: refreshes ahead of expiry, hands each new token to `push` (the
 * server's .env), and rides out outages with backoff instead of giving up. Time, refresh and push are injected,
 * so the loop is tested with a fake clock; it ends when the signal aborts (or after `maxCycles`, for tests), or
 * when a failure needs a person (a revoked refresh token, a changed host key, a wrong sudo password…), because
 * retrying those only burns Zoho's quota or locks an account.
 */
import { AutoRefreshBackoff } from '../token/autoRefresh';
import { type Clock, sleep } from '../token/clock';
import { isDevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';
import { isDue, type TokenState } from '../token/token';
import { runFleet } from './fleet';

export type KeepFreshEvent =
  | { type: 'start'; at: number; token?: TokenState }
  | { type: 'refreshed'; at: number; token: TokenState }
  /** The refresh found a token another instance had just minted, and took it instead of asking Zoho. */
  | { type: 'adopted'; at: number; token: TokenState }
  | { type: 'refresh-failed'; at: number; finding: Finding }
  /** `server` names the server when there are several (each one's result is its own event). */
  | { type: 'pushed'; at: number; token: TokenState; detail: string; server?: string }
  /** `gaveUp`: with several servers, this one needs a person and gets no more pushes; the others go on. */
  | { type: 'push-failed'; at: number; finding: Finding; server?: string; gaveUp?: boolean }
  | { type: 'stopped'; at: number; reason: StopReason; finding?: Finding };

export type StopReason = 'signal' | 'needs-user' | 'max-cycles';

export interface KeepFreshDeps {
  clock: Clock;
  /** The stored token (re-read every turn, so a token another process refreshed is adopted). */
  current(): Promise<TokenState | undefined>;
  /** An automatic refresh of a token that has `marginMs` or less left; `adopted` when another instance minted it. */
  refresh(marginMs: number, signal: AbortSignal): Promise<TokenState & { adopted?: boolean }>;
  /**
   * Puts the token on the server; resolves with a one-line summary. `retry` is true when the previous attempt
   * for this same token failed, so the server may hold it already without having restarted on it.
   */
  push?(t: TokenState, opts: { retry: boolean; signal: AbortSignal; server?: string }): Promise<string>;
  /**
   * Several servers: `push` is called once per name, in parallel, each with its own retry and backoff; one
   * server's failure never holds back the others, and one that needs a person is left out while the rest go on.
   */
  servers?: string[];
  onEvent(e: KeepFreshEvent): void;
  /** Resolves when a token arrives from elsewhere (a team hub), so the loop wakes and pushes it at once. */
  tokenArrived?(): Promise<void>;
}

export interface KeepFreshOptions {
  /** Refresh when this much time is left (at most half the token's lifetime). */
  marginMs: number;
  signal: AbortSignal;
  /** Longest single wait, so a suspended machine or an ended backoff is noticed soon. Default 60 s. */
  maxWaitMs?: number;
  /** How often to look again while a backoff holds an action back. Default 5 s. */
  pollMs?: number;
  /** Stop after this many turns of the loop (tests, benches). */
  maxCycles?: number;
}

export interface KeepFreshResult {
  reason: StopReason;
  refreshes: number;
  pushes: number;
  failures: number;
  /** The failure that needs a person, when reason is 'needs-user'. */
  finding?: Finding;
}

export async function keepFresh(deps: KeepFreshDeps, opts: KeepFreshOptions): Promise<KeepFreshResult> {
  const { clock } = deps;
  const { signal } = opts;
  const refreshBackoff = new AutoRefreshBackoff();
  const tally = { refreshes: 0, pushes: 0, failures: 0 };
  const targets: PushTarget[] = (deps.servers ?? [undefined]).map((server) => ({ server, backoff: new AutoRefreshBackoff() }));
  const emit = (e: KeepFreshEvent) => deps.onEvent(e);
  const stop = (reason: StopReason, finding?: Finding): KeepFreshResult => {
    emit({ type: 'stopped', at: clock.now(), reason, ...(finding ? { finding } : {}) });
    return { reason, ...tally, ...(finding ? { finding } : {}) };
  };

  let token = await deps.current();
  emit({ type: 'start', at: clock.now(), ...(token ? { token } : {}) });
  for (let cycle = 1; ; cycle++) {
    if (signal.aborted) return stop('signal');
    token = (await deps.current()) ?? token;

    if (refreshDue(token, clock.now(), opts.marginMs) && refreshBackoff.allowed(clock.now())) {
      try {
        const before = token?.accessToken;
        const { adopted, ...got } = await deps.refresh(marginOf(token, opts.marginMs), signal);
        token = got;
        refreshBackoff.succeeded();
        if (token.accessToken !== before) {
          if (!adopted) tally.refreshes++;
          emit({ type: adopted ? 'adopted' : 'refreshed', at: clock.now(), token });
        }
      } catch (e) {
        if (signal.aborted) return stop('signal');
        const f = transient(findingOf(e));
        tally.failures++;
        refreshBackoff.failed(f, clock.now());
        emit({ type: 'refresh-failed', at: clock.now(), finding: f });
        if (refreshBackoff.stoppedBy) return stop('needs-user', f);
      }
    }

    if (deps.push && token && token.expiresAt > clock.now()) {
      const t = token;
      const due = targets.filter((x) => !x.gaveUp && x.pushed !== t.accessToken && x.backoff.allowed(clock.now()));
      // In parallel, at most DEFAULT_FLEET_CONCURRENCY at a time; pushTo never rejects.
      const done = await runFleet(due.map((_, i) => String(i)), (i) => pushTo(deps, due[Number(i)], t, signal, tally), { clock });
      if (signal.aborted) return stop('signal');
      const f = done.map((d) => d.value).find((x) => x !== undefined);
      if (f && (!deps.servers || targets.every((x) => x.gaveUp))) return stop('needs-user', f);
    }

    if (opts.maxCycles !== undefined && cycle >= opts.maxCycles) return stop('max-cycles');
    try {
      const pending = Boolean(deps.push) && targets.some((x) => !x.gaveUp && x.pushed !== token?.accessToken);
      await nap(deps, waitMs(token, clock.now(), opts, refreshBackoff, pending), signal);
    } catch {
      return stop('signal');
    }
  }
}

interface PushTarget {
  server: string | undefined;
  backoff: AutoRefreshBackoff;
  /** The last token this server took, and the one whose push failed (the next attempt is a retry). */
  pushed?: string;
  failed?: string;
  gaveUp?: boolean;
}

/** One server's push of `t`; resolves with the finding when this server now needs a person, else undefined. */
async function pushTo(
  deps: KeepFreshDeps,
  x: PushTarget,
  t: TokenState,
  signal: AbortSignal,
  tally: { pushes: number; failures: number },
): Promise<Finding | undefined> {
  const { clock } = deps;
  const named = x.server === undefined ? {} : { server: x.server };
  try {
    const detail = await deps.push!(t, { retry: x.failed === t.accessToken, signal, ...named });
    x.pushed = t.accessToken;
    x.failed = undefined;
    x.backoff.succeeded();
    tally.pushes++;
    deps.onEvent({ type: 'pushed', at: clock.now(), token: t, detail, ...named });
    return undefined;
  } catch (e) {
    if (signal.aborted) return undefined;
    const f = transient(findingOf(e));
    x.failed = t.accessToken;
    tally.failures++;
    x.backoff.failed(f, clock.now());
    x.gaveUp = Boolean(x.backoff.stoppedBy) && x.server !== undefined;
    deps.onEvent({ type: 'push-failed', at: clock.now(), finding: f, ...named, ...(x.gaveUp ? { gaveUp: true } : {}) });
    return x.backoff.stoppedBy ? f : undefined;
  }
}

/** Sleeps until the next turn is due, or until a token arrives from elsewhere; rejects when the signal aborts. */
async function nap(deps: KeepFreshDeps, ms: number, signal: AbortSignal): Promise<void> {
  if (!deps.tokenArrived) return sleep(deps.clock, ms, signal);
  const woken = new AbortController();
  const onAbort = () => woken.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  void deps.tokenArrived().then(() => woken.abort(new Error('token arrived')));
  try {
    await sleep(deps.clock, ms, woken.signal);
  } catch (e) {
    if (signal.aborted) throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Never refresh a brand-new token at once: a margin longer than half the lifetime is cut to half. */
function marginOf(t: TokenState | undefined, marginMs: number): number {
  return t ? Math.min(marginMs, Math.floor((t.expiresAt - t.obtainedAt) / 2)) : marginMs;
}

function refreshDue(t: TokenState | undefined, now: number, marginMs: number): boolean {
  return !t || isDue(t, now, marginOf(t, marginMs));
}

function waitMs(
  t: TokenState | undefined,
  now: number,
  opts: KeepFreshOptions,
  backoff: AutoRefreshBackoff,
  pushPending: boolean | undefined,
): number {
  const poll = opts.pollMs ?? 5000;
  if (pushPending || (refreshDue(t, now, opts.marginMs) && !backoff.allowed(now))) return poll;
  const due = t ? t.expiresAt - marginOf(t, opts.marginMs) - now : 0;
  return Math.max(0, Math.min(due, opts.maxWaitMs ?? 60_000));
}

/**
 * A daemon must outlive outages: network failures are retried with backoff even where a one-off command would
 * say "check your settings" (a refused connection is often a server rebooting).
 */
function transient(f: Finding): Finding {
  return f.category === 'network' && !f.retryable ? { ...f, retryable: true } : f;
}

function findingOf(e: unknown): Finding {
  if (isDevKitError(e)) return e.finding;
  const message = e instanceof Error ? e.message : String(e);
  return { source: 'unknown', code: null, httpStatus: null, category: 'unknown', action: 'none', retryable: false, title: 'Unexpected error.', explanation: message };
}
