/**
 * "Make the chatbot work again", as one sequence: refresh the token if it is not fresh → write it to the
 * server's .env → restart the service → verify → open a labelled test conversation. The steps run in order and
 * the first failure stops the run; the result lists every step done (with its time), so a front end can say
 * both why it stopped and what had already changed on the server. The steps are injected: the CLI and the
 * extension bring their own SSH and HTTP plumbing, and tests bring fakes.
 */
import type { Clock } from '../clock';
import { isDevKitError } from '../errors/devkitError';
import { countdownText, type TokenState } from '../token';

export type FixStepName = 'refresh' | 'push' | 'restart' | 'verify' | 'transfer';

/** What a step reports: one human sentence (callers keep any richer result themselves). */
export interface StepOutcome {
  detail: string;
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
  push(t: TokenState): Promise<StepOutcome>;
  /** Absent when the restart is not wanted (--no-restart): the step is listed as skipped. */
  restart?(t: TokenState): Promise<StepOutcome>;
  verify(t: TokenState): Promise<StepOutcome>;
  /** Absent when the test conversation is not wanted (--no-transfer): the step is listed as skipped. */
  transfer?(t: TokenState): Promise<StepOutcome>;
}

export interface FixOptions {
  /** A token with this much time left or less is refreshed. */
  marginMs: number;
  signal?: AbortSignal;
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
  /** The token the run ended with (the refreshed one, if the refresh step ran). */
  token?: TokenState;
  failedStep?: FixStepName;
  /** What stopped the run (a DevKitError for every expected failure). */
  error?: unknown;
}

export async function runFix(deps: FixDeps, opts: FixOptions): Promise<FixResult> {
  const { clock } = deps;
  const started = clock.now();
  const steps: FixStepResult[] = [];
  let token: TokenState | undefined;

  const step = async (name: FixStepName, work: (() => Promise<StepOutcome & { skipped?: boolean }>) | undefined, why = 'not requested'): Promise<void> => {
    opts.signal?.throwIfAborted();
    if (!work) {
      steps.push({ name, ok: true, ms: 0, detail: `skipped (${why})`, skipped: true });
      return;
    }
    const t0 = clock.now();
    try {
      const out = await work();
      steps.push({ name, ok: true, ms: clock.now() - t0, detail: out.detail, ...(out.skipped ? { skipped: true } : {}) });
    } catch (e) {
      const detail = isDevKitError(e) ? e.finding.title : e instanceof Error ? e.message : String(e);
      steps.push({ name, ok: false, ms: clock.now() - t0, detail });
      throw new StepFailed(name, e);
    }
  };
  const live = (): TokenState => token as TokenState;

  try {
    await step('refresh', async () => {
      const cached = await deps.current();
      const reason = await whyRefresh(deps, cached, opts.marginMs);
      if (!reason) {
        token = cached;
        return { detail: `not needed: the token is fresh (${countdownText(cached!.expiresAt - clock.now())} left)`, skipped: true };
      }
      token = await deps.refresh();
      return { detail: `refreshed (${reason}); the new token expires in ${countdownText(token.expiresAt - clock.now())}` };
    });
    await step('push', () => deps.push(live()));
    await step('restart', deps.restart && (() => deps.restart!(live())), '--no-restart');
    await step('verify', () => deps.verify(live()));
    await step('transfer', deps.transfer && (() => deps.transfer!(live())), '--no-transfer');
    return { ok: true, steps, totalMs: clock.now() - started, token };
  } catch (e) {
    const failed = e instanceof StepFailed ? e : undefined;
    const result: FixResult = { ok: false, steps, totalMs: clock.now() - started, error: failed ? failed.cause : e };
    if (token) result.token = token;
    if (failed) result.failedStep = failed.step;
    return result;
  }
}

async function whyRefresh(deps: FixDeps, t: TokenState | undefined, marginMs: number): Promise<string | undefined> {
  if (!t) return 'no cached token';
  const left = t.expiresAt - deps.clock.now();
  if (left <= 0) return 'the cached token has expired';
  if (left <= marginMs) return `only ${countdownText(left)} left`;
  return deps.staleReason?.(t);
}

class StepFailed extends Error {
  constructor(
    readonly step: FixStepName,
    override readonly cause: unknown,
  ) {
    super(`${step} failed`);
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
