/**
 * The fix on several servers (the CLI's `fix --server…/--all-servers`, and VS Code's Fix Now on "all"): one
 * refresh for all of them if the token needs it, then every server in parallel (one connection each, at most
 * `concurrency` at a time) push → restart → live → verify, each to its own end; then one SalesIQ check and ONE
 * test conversation for all, once at least one server holds the new token; then each server's watch (started in
 * the background at its live moment, so the settle windows overlap the transfer). Nothing is rolled back: the
 * result says which servers hold the new token in their `.env`, which run on it, and why each other one failed.
 */
import type { Clock } from '../token/clock';
import type { TokenState } from '../token/token';
import { ensureToken, type FixDeps, type FixResult, type FixServer, type FixStepName, type FixStepResult, runFix, type StepOutcome } from './fix';
import { DEFAULT_FLEET_CONCURRENCY, errorTitle, type FleetState, runFleet } from './fleet';

export interface FleetFixServer {
  name: string;
  server: FixServer;
}

export interface FleetFixDeps {
  clock: Clock;
  current: FixDeps['current'];
  staleReason?: FixDeps['staleReason'];
  refresh: FixDeps['refresh'];
  servers: FleetFixServer[];
  /** SalesIQ accepts the token: checked once, after the servers. Optional. */
  checkApi?: FixDeps['checkApi'];
  /** The one test conversation; absent with --no-transfer. */
  transfer?: FixDeps['transfer'];
  /** Each step as it starts and ends; `server` is undefined for the shared steps (refresh, verify, transfer). */
  onStep?(server: string | undefined, name: FixStepName, done?: FixStepResult): void;
  /** Each server's state (waiting → running → ok / failed), for a progress line per server. */
  onServer?(name: string, state: FleetState, detail?: string): void;
}

export interface FleetFixOptions {
  marginMs: number;
  settleMs: number;
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ServerFixResult {
  name: string;
  ok: boolean;
  /** From the start of this server's part to its end (watch included). */
  ms: number;
  /** push, restart, live, verify, watch: this server's steps. */
  steps: FixStepResult[];
  failedStep?: FixStepName;
  error?: unknown;
  /** The `.env` holds the new token (the push step succeeded). */
  holds: boolean;
  /** The running service was proven to use it (the live step succeeded and the watch did not see it die). */
  running: boolean;
  /** The server's own run (written, live, state…). */
  run: FixResult;
}

export interface FleetFixResult {
  ok: boolean;
  /** The shared steps: refresh, verify (SalesIQ accepts the token), transfer. */
  steps: FixStepResult[];
  servers: ServerFixResult[];
  totalMs: number;
  token?: TokenState;
  /** A shared step that failed (refresh, verify or transfer), and why. */
  failedStep?: FixStepName;
  error?: unknown;
}

export async function fixOnServers(deps: FleetFixDeps, opts: FleetFixOptions): Promise<FleetFixResult> {
  const { clock } = deps;
  const started = clock.now();
  const steps: FixStepResult[] = [];
  const shared = async (name: FixStepName, work: () => Promise<StepOutcome & { skipped?: boolean }>) => {
    deps.onStep?.(undefined, name);
    const t0 = clock.now();
    try {
      const out = await work();
      const s: FixStepResult = { name, ok: true, ms: clock.now() - t0, detail: out.detail, ...(out.skipped ? { skipped: true } : {}) };
      steps.push(s);
      deps.onStep?.(undefined, name, s);
    } catch (e) {
      const s: FixStepResult = { name, ok: false, ms: clock.now() - t0, detail: errorTitle(e) };
      steps.push(s);
      deps.onStep?.(undefined, name, s);
      throw new SharedFailed(name, e);
    }
  };
  const skip = (name: FixStepName, why: string) => {
    const s: FixStepResult = { name, ok: true, ms: 0, detail: `skipped (${why})`, skipped: true };
    steps.push(s);
    deps.onStep?.(undefined, name, s);
  };

  let token: TokenState | undefined;
  try {
    await shared('refresh', async () => {
      const got = await ensureToken(deps, opts.marginMs);
      token = got.token;
      return got;
    });
  } catch (e) {
    return { ok: false, steps, servers: [], totalMs: clock.now() - started, failedStep: 'refresh', error: (e as SharedFailed).cause };
  }

  const servers = await serverParts(deps, opts, token!);
  let failure: SharedFailed | undefined;
  const holders = servers.filter((s) => s.holds);
  if (!holders.length) {
    skip('verify', 'no server holds the new token');
    skip('transfer', 'no server holds the new token');
  } else {
    try {
      if (deps.checkApi) await shared('verify', async () => ({ detail: await deps.checkApi!(token!) }));
      if (deps.transfer) await shared('transfer', () => deps.transfer!(token!));
      else skip('transfer', '--no-transfer');
    } catch (e) {
      failure = e as SharedFailed;
    }
  }
  await Promise.all(servers.map((s) => settle(s, clock)));
  for (const s of servers) deps.onServer?.(s.name, s.ok ? 'ok' : 'failed', s.ok ? undefined : errorTitle(s.error));
  const ok = !failure && servers.every((s) => s.ok);
  return {
    ok,
    steps,
    servers,
    totalMs: clock.now() - started,
    token,
    ...(failure ? { failedStep: failure.step, error: failure.cause } : {}),
  };
}

/** Every server's push → restart → live → verify, in parallel; each watch left running in the background. */
async function serverParts(deps: FleetFixDeps, opts: FleetFixOptions, token: TokenState): Promise<ServerFixResult[]> {
  const byName = new Map(deps.servers.map((s) => [s.name, s.server]));
  const runs = new Map<string, FixResult>();
  const outcomes = await runFleet(
    deps.servers.map((s) => s.name),
    async (name) => {
      const run = await runFix(
        {
          clock: deps.clock,
          current: async () => token,
          refresh: () => Promise.reject(new Error('the token was refreshed once for all servers')),
          server: byName.get(name)!,
          onStep: (step, done) => deps.onStep?.(name, step, done),
        },
        { marginMs: opts.marginMs, settleMs: opts.settleMs, backgroundWatch: true, token, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
      runs.set(name, run);
      if (!run.ok) throw run.error;
      return run;
    },
    // The final ok/failed of a server is told once its watch has ended too.
    { clock: deps.clock, concurrency: opts.concurrency ?? DEFAULT_FLEET_CONCURRENCY, ...(opts.signal ? { signal: opts.signal } : {}), onState: (n, st) => st === 'running' && deps.onServer?.(n, st) },
  );
  return outcomes.map((o) => {
    const run = runs.get(o.name) ?? { ok: false, steps: [], totalMs: o.ms, error: o.error };
    return {
      name: o.name,
      ok: o.ok,
      ms: o.ms,
      steps: [...run.steps],
      ...(run.failedStep ? { failedStep: run.failedStep } : {}),
      ...(o.ok ? {} : { error: o.error }),
      holds: run.steps.some((s) => s.name === 'push' && s.ok),
      running: Boolean(run.live),
      run,
    };
  });
}

/** Waits for the server's watch (if one runs) and folds its outcome into the server's result. */
async function settle(s: ServerFixResult, clock: Clock): Promise<void> {
  // Without a watch running, runFix already listed the watch as skipped (or the server stopped before it).
  const watching = s.run.watching;
  if (!watching) return;
  const t0 = clock.now();
  const w = await watching;
  const { error, ...step } = w;
  s.steps.push(step);
  s.ms += clock.now() - t0;
  if (!w.ok) {
    s.ok = false;
    s.running = false;
    s.failedStep = 'watch';
    s.error = error;
  }
}

class SharedFailed extends Error {
  constructor(
    readonly step: FixStepName,
    override readonly cause: unknown,
  ) {
    super(`${step} failed`);
  }
}

/** Which servers hold the new token, which run on it, and which failed (with why): the fleet fix's last words. */
export function fleetFixSummary(r: FleetFixResult): string {
  const names = (xs: ServerFixResult[]) => xs.map((s) => s.name).join(', ') || 'none';
  const holding = r.servers.filter((s) => s.holds);
  const running = r.servers.filter((s) => s.running);
  const failed = r.servers.filter((s) => !s.ok).map((s) => `${s.name} at ${s.failedStep ?? 'connect'} (${errorTitle(s.error)})`);
  const lines = [
    `${holding.length} of ${r.servers.length} servers hold the new token: ${names(holding)}; running on it: ${names(running)}.`,
    ...(failed.length ? [`Failed: ${failed.join('; ')}.`] : []),
    ...(r.failedStep && r.failedStep !== 'refresh' ? [`The ${r.failedStep} step failed: ${errorTitle(r.error)}.`] : []),
  ];
  return lines.join('\n');
}
