/**
 * "Make the chatbot work again", as one sequence shared by the CLI's `fix` and VS Code's Fix Now: refresh the
 * token if it is not fresh (or SalesIQ rejects it) → write it to the server's .env → restart the service →
 * prove the new token is live → verify (the unit is active, SalesIQ accepts the token) → open a labelled test
 * conversation → watch the service for the settle window (a crash shortly after the start still counts). The
 * first failure stops the run; the result lists every step done (with its time), so a front end can say both
 * why it stopped and what had already changed on the server. The server and HTTP plumbing are injected: the
 * CLI and the extension bring their own, tests bring fakes. The step texts are made here, so both front ends
 * say the same thing.
 */
import type { Clock } from '../token/clock';
import { isDevKitError } from '../errors/devkitError';
import type { LiveResult } from '../ssh/liveProof';
import { countdownText, isDue, remainingMs, type TokenState } from '../token/token';

export type FixStepName = 'refresh' | 'push' | 'restart' | 'live' | 'verify' | 'transfer' | 'watch';

/** The order of the steps (the CLI contract's JSON names). */
export const FIX_STEPS: readonly FixStepName[] = ['refresh', 'push', 'restart', 'live', 'verify', 'transfer', 'watch'];

/** What a step reports: one human sentence (callers keep any richer result themselves). */
export interface StepOutcome {
  detail: string;
}

/** What the push step wrote. */
export interface Written {
  changed: boolean;
  backup?: string;
}

/** The server side of the fix, over one connection (opened on first use, closed by the caller). */
export interface FixServer {
  /** "SALESIQ_ACCESS_TOKEN", "/opt/llm-chatbot/.env on host", "llm-chatbot": for the step texts. */
  key: string;
  where: string;
  service: string;
  write(token: string): Promise<Written>;
  /** Absent when the restart is not wanted (--no-restart). Resolves once the new token is proven live. */
  restart?(token: string): Promise<LiveResult>;
  /**
   * Optional: gets ready for the push (connects; may read the .env) while the token is refreshed, as the two do
   * not depend on each other. Its failure is the push step's; after a failed refresh the caller closes it.
   */
  prepare?(): Promise<void>;
  /**
   * Optional, used instead of write + restart when the restart is wanted: the write and the restart in one go
   * (one privileged call on the server). `written` settles when the file is in place, `live` once the new
   * token is proven live; `done` adds the journal tail, read after the live moment.
   */
  pushLive?(token: string): { written: Promise<Written>; live: Promise<LiveResult>; done?: Promise<LiveResult> };
  /** Used when there was no restart: the unit's ActiveState, or the decoded failure when it is not active. */
  assertActive(): Promise<string>;
  /** Watches the live process for `ms` more (0: one check); rejects with crash-after-restart if it dies. */
  watch(live: LiveResult, ms: number): Promise<void>;
}

export interface FixDeps {
  clock: Clock;
  /** The cached token, if there is one. */
  current(): Promise<TokenState | undefined>;
  /**
   * Why a token that still has time left must be replaced anyway (SalesIQ rejects it: revoked, or expired
   * early), or undefined. Optional: without it only the clock decides.
   */
  staleReason?(t: TokenState): Promise<string | undefined>;
  refresh(): Promise<TokenState>;
  server: FixServer;
  /** SalesIQ accepts the token: a short sentence (or a reason it was not checked). Optional. */
  checkApi?(t: TokenState): Promise<string>;
  /** Absent when the test conversation is not wanted (--no-transfer): the step is listed as skipped. */
  transfer?(t: TokenState): Promise<StepOutcome & { skipped?: boolean }>;
  /** Told when each step starts (for a progress line) and when it is done. */
  onStep?(name: FixStepName, done?: FixStepResult): void;
}

export interface FixOptions {
  /** A token with this much time left or less is refreshed. */
  marginMs: number;
  /** How long the restarted service must stay up, counted from the live moment; 0 skips the watch. */
  settleMs: number;
  /** Return once the rest is done and run the watch in the background (`watching`); the CLI watches inline. */
  backgroundWatch?: boolean;
  signal?: AbortSignal;
  /**
   * The token to put on the server, already refreshed by the caller (several servers share one refresh): the
   * run then has no refresh step, no SalesIQ check and no transfer step, which the caller does once for all.
   */
  token?: TokenState;
}

export interface FixStepResult {
  name: FixStepName;
  ok: boolean;
  ms: number;
  detail: string;
  skipped?: boolean;
}

export interface FixResult {
  ok: boolean;
  steps: FixStepResult[];
  totalMs: number;
  /** From the start until the new token was proven live (absent when it was not). */
  liveMs?: number;
  /** The token the run ended with (the refreshed one, if the refresh step ran). */
  token?: TokenState;
  failedStep?: FixStepName;
  /** What stopped the run (a DevKitError for every expected failure). */
  error?: unknown;
  written?: { changed: boolean; backup?: string };
  live?: LiveResult;
  /** The unit's state as the verify step saw it. */
  state?: string;
  /** With backgroundWatch: the watch step, still running; it never rejects (a crash is an ok:false step with `error`). */
  watching?: Promise<FixStepResult & { error?: unknown }>;
}

export async function runFix(deps: FixDeps, opts: FixOptions): Promise<FixResult> {
  const { clock, server } = deps;
  const started = clock.now();
  const steps: FixStepResult[] = [];
  const r: Partial<FixResult> = {};
  let token: TokenState | undefined;
  let liveAt: number | undefined;

  const run = async (name: FixStepName, work: () => Promise<StepOutcome & { skipped?: boolean; ms?: number }>): Promise<FixStepResult> => {
    deps.onStep?.(name);
    const t0 = clock.now();
    try {
      const out = await work();
      return { name, ok: true, ms: out.ms ?? clock.now() - t0, detail: out.detail, ...(out.skipped ? { skipped: true } : {}) };
    } catch (e) {
      throw new StepFailed(
        { name, ok: false, ms: clock.now() - t0, detail: isDevKitError(e) ? e.finding.title : e instanceof Error ? e.message : String(e) },
        e,
      );
    }
  };
  const record = (s: FixStepResult) => {
    steps.push(s);
    deps.onStep?.(s.name, s);
  };
  const step = async (name: FixStepName, work: () => Promise<StepOutcome & { skipped?: boolean; ms?: number }>): Promise<void> => {
    opts.signal?.throwIfAborted();
    try {
      record(await run(name, work));
    } catch (e) {
      if (e instanceof StepFailed) record(e.result);
      throw e;
    }
  };
  const skip = (name: FixStepName, why: string) => record({ name, ok: true, ms: 0, detail: `skipped (${why})`, skipped: true });
  const live = (): TokenState => token as TokenState;
  // Started before the refresh, awaited by the push: a failure is the push step's, never unhandled.
  const prepared = server.prepare?.();
  prepared?.catch(() => undefined);
  let settled: Promise<LiveResult> | undefined;

  try {
    if (opts.token) token = opts.token;
    else {
      await step('refresh', async () => {
        const got = await ensureToken(deps, opts.marginMs);
        token = got.token;
        return got;
      });
    }
    const fast = server.restart && server.pushLive ? { op: undefined as ReturnType<NonNullable<FixServer['pushLive']>> | undefined } : undefined;
    await step('push', async () => {
      await prepared;
      let w: { changed: boolean; backup?: string };
      if (fast) {
        fast.op = server.pushLive!(live().accessToken);
        w = await fast.op.written;
      } else w = await server.write(live().accessToken);
      r.written = w;
      return { detail: w.changed ? `wrote ${server.key} in ${server.where} (backup ${w.backup ?? 'none'})` : `${server.key} in ${server.where} already held this token` };
    });
    if (server.restart) {
      // One remote script restarts and proves: the restart step gets the call's time minus the proof's share.
      let proofMs = 0;
      await step('restart', async () => {
        const t0 = clock.now();
        const l = fast?.op ? await fast.op.live : await server.restart!(live().accessToken);
        r.live = l;
        liveAt = clock.now();
        proofMs = Math.max(0, Math.min(l.proofMs ?? 0, liveAt - t0));
        return { detail: `restarted ${server.service}: main PID ${l.previousPid || 'none'} → ${l.mainPid}`, ms: liveAt - t0 - proofMs };
      });
      await step('live', async () => ({ detail: liveText(r.live!), ms: proofMs }));
      r.liveMs = liveAt! - started;
      settled = fast?.op?.done;
    } else {
      skip('restart', '--no-restart');
      skip('live', 'no restart: the running service keeps the token it started with');
    }
    await step('verify', async () => {
      // The journal tail was read after the live moment: the service's own log line is checked here.
      const log = settled ? await settled.then((l) => ((r.live = { ...r.live!, ...pick(l) }), l.logLine ? '; it logged the new token under its PID' : ''), () => '') : '';
      r.state = r.live ? r.live.state : await server.assertActive();
      const api = deps.checkApi && !opts.token ? `; ${await deps.checkApi(live())}` : '';
      return { detail: `${server.service} is active${r.live ? ` (PID ${r.live.mainPid})` : ''}${log}${api}` };
    });
    // With a given token (several servers) the caller sends the one transfer for all of them.
    if (!opts.token) {
      if (deps.transfer) await step('transfer', () => deps.transfer!(live()));
      else skip('transfer', '--no-transfer');
    }

    const watch = watchStep(deps, opts, r.live, liveAt);
    if (!watch) skip('watch', !r.live ? 'no restart' : 'settle window 0');
    else if (opts.backgroundWatch) {
      r.watching = run('watch', watch).then(
        (s) => (deps.onStep?.('watch', s), s),
        (e: StepFailed) => (deps.onStep?.('watch', e.result), { ...e.result, error: e.cause }),
      );
    } else await step('watch', watch);
    return { ...r, ok: true, steps, totalMs: clock.now() - started, token };
  } catch (e) {
    const failed = e instanceof StepFailed ? e : undefined;
    const result: FixResult = { ...r, ok: false, steps, totalMs: clock.now() - started, error: failed ? failed.cause : e };
    if (token) result.token = token;
    if (failed) result.failedStep = failed.result.name;
    return result;
  }
}

/** The watch for the rest of the settle window, counted from the live moment; undefined when there is none. */
function watchStep(
  deps: FixDeps,
  opts: FixOptions,
  l: LiveResult | undefined,
  liveAt: number | undefined,
): (() => Promise<StepOutcome>) | undefined {
  if (!l || liveAt === undefined || opts.settleMs <= 0) return undefined;
  return async () => {
    const left = Math.max(0, opts.settleMs - (deps.clock.now() - liveAt));
    await deps.server.watch(l, left);
    return { detail: `${deps.server.service} (PID ${l.mainPid}) stayed up for ${(opts.settleMs / 1000).toFixed(1)} s after the restart` };
  };
}

/** What the journal read after the live moment adds to the live result. */
function pick(l: LiveResult): Pick<LiveResult, 'journal' | 'logLine'> & Partial<Pick<LiveResult, 'journalMs'>> {
  return { journal: l.journal, logLine: l.logLine, ...(l.journalMs !== undefined ? { journalMs: l.journalMs } : {}) };
}

/** The live step's sentence: the proof, the service's own log line, and a warning about the unit's env file. */
export function liveText(l: LiveResult): string {
  const log = l.logLine ? '; the service logged the new token under its PID' : '';
  return `new token live (${l.proof === 'environ' ? 'environ hash' : 'new main PID'}): ${l.proofNote}${log}${l.warning ? `. Note: ${l.warning}` : ''}`;
}

/** One line per step, as both front ends print it: `✓ restart      412 ms  restarted …`. */
export function stepLine(s: FixStepResult): string {
  const mark = !s.ok ? '✗' : s.skipped ? '–' : '✓';
  return `${mark} ${s.name.padEnd(8)} ${String(s.ms).padStart(6)} ms  ${s.detail}`;
}

/** The closing line: the live time, and the total with the watch (they differ by the settle window). */
export function fixSummary(r: FixResult, tokenLeft?: string): string {
  const left = tokenLeft ? `; the token expires in ${tokenLeft}` : '';
  if (!r.ok) return `stopped at ${r.failedStep ?? 'start'} after ${r.totalMs} ms${r.liveMs !== undefined ? ` (the new token was live at ${r.liveMs} ms)` : ''}:`;
  const live = r.liveMs !== undefined ? `new token live in ${r.liveMs} ms; ` : '';
  const watch = r.steps.find((s) => s.name === 'watch' && !s.skipped);
  return `${live}fixed in ${r.totalMs} ms${watch ? ` (incl. ${watch.ms} ms watch)` : ''}${left}`;
}

/** The refresh step: the cached token when it is fresh (and SalesIQ does not reject it), else a new one. */
export async function ensureToken(deps: Pick<FixDeps, 'clock' | 'current' | 'staleReason' | 'refresh'>, marginMs: number): Promise<StepOutcome & { token: TokenState; skipped?: boolean }> {
  const cached = await deps.current();
  const reason = await whyRefresh(deps, cached, marginMs);
  if (!reason) return { token: cached!, detail: `not needed: the token is fresh (${countdownText(remainingMs(cached!, deps.clock.now()))} left)`, skipped: true };
  const token = await deps.refresh();
  return { token, detail: `refreshed (${reason}); the new token expires in ${countdownText(remainingMs(token, deps.clock.now()))}` };
}

async function whyRefresh(deps: Pick<FixDeps, 'clock' | 'staleReason'>, t: TokenState | undefined, marginMs: number): Promise<string | undefined> {
  if (!t) return 'no cached token';
  const now = deps.clock.now();
  if (isDue(t, now, 0)) return 'the cached token has expired';
  if (isDue(t, now, marginMs)) return `only ${countdownText(remainingMs(t, now))} left`;
  return deps.staleReason?.(t);
}

class StepFailed extends Error {
  constructor(
    readonly result: FixStepResult,
    override readonly cause: unknown,
  ) {
    super(`${result.name} failed`);
  }
}

/** The first visitor message of a test conversation: it lands in a real operator queue, so it says what it is. */
export const TEST_TRANSFER_QUESTION = '[TEST] SalesIQ DevKit connectivity check — please ignore';

/**
 * Runs a SalesIQ call with a token; when SalesIQ says the token is expired or invalid (1001/1008) it gets a
 * new token once and retries once — a second rejection is reported as it is.
 */
export async function withOneRefresh<T>(
  token: string,
  call: (token: string) => Promise<T>,
  refresh: (() => Promise<string>) | undefined,
): Promise<{ value: T; token: string; refreshed: boolean }> {
  try {
    return { value: await call(token), token, refreshed: false };
  } catch (e) {
    if (!refresh || !isExpiredToken(e)) throw e;
    const fresh = await refresh();
    return { value: await call(fresh), token: fresh, refreshed: true };
  }
}

/** SalesIQ's answers for an expired (1001) or unknown/revoked (1008) access token. */
export function isExpiredToken(e: unknown): boolean {
  return isDevKitError(e) && e.finding.source === 'salesiq' && (e.finding.code === 1001 || e.finding.code === 1008);
}
