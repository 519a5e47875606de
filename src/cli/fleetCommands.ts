/**
 * `push-env`, `fix` and `logs` on several servers (`--server NAME`… or `--all-servers`): in parallel, one connection
 * each, every server to the end; `--json` adds `servers: [{ name, ok, error? }]`, and the exit code is 0 only
 * when every server succeeded (3 when a failure needs the user).
 */
import { isDevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import { errorTitle, type FleetOutcome, runFleet } from '../core/flows/fleet';
import { redact } from '../core/redact';
import type { CliContext } from './context';
import { errorObject, EXIT, exitCodeFor, printFailure } from './output';
import { formatFindingText } from '../core/errors/format';
import { serverTargets, type ServerTarget } from './servers';
import { where } from './sshFlags';
import { RemoteServer } from './sshRemote';
import { tokenFields } from './tokens';
import { fixOnServers, fleetFixSummary, type FleetFixResult, type ServerFixResult } from '../core/flows/fixFleet';
import { stepLine } from '../core/flows/fix';
import { countdownText, remainingMs } from '../core/token/token';
import { fixServer, MARGIN_MS, type Seen, stepJson, tokenSide, transferStep } from './commands/fix';
import { transferPortal } from './commands/testTransfer';

interface PushDone {
  changed: boolean;
  backup?: string;
  restarted: boolean;
  active: boolean;
  state: string;
  tokenLive: boolean;
  what: string;
}

export async function pushEnvFleet(ctx: CliContext, value: string, expiresAt: number | undefined): Promise<number> {
  const { servers } = serverTargets(ctx);
  ctx.io.secrets.add(value);
  const byName = new Map(servers.map((s) => [s.name, s]));
  const results = await runFleet(
    servers.map((s) => s.name),
    (name) => pushOne(ctx, byName.get(name)!, value),
    { clock: ctx.clock, signal: ctx.signal, onState: progress(ctx) },
  );
  const rows = results.map((r) =>
    r.ok ? { name: r.name, ok: true, ms: r.ms, ...r.value! } : { name: r.name, ok: false, ms: r.ms, error: errorJson(r.error) },
  );
  return finish(ctx, results, { ...tokenFields(ctx, { expiresAt }), servers: rows }, (r) => (r.ok ? (r.value as PushDone).what : errorTitle(r.error)), 'hold the new token');
}

async function pushOne(ctx: CliContext, t: ServerTarget, value: string): Promise<PushDone> {
  const s = t.settings;
  const remote = new RemoteServer(s, ctx.signal);
  try {
    const w = await remote.write(value);
    const r = s.restart ? await remote.restart(value, w) : undefined;
    const state = r?.state ?? w.state;
    const what = [`${w.changed ? 'wrote' : 'already held'} ${s.key} in ${where(s)}`, r ? `restarted ${s.service} (${state})` : `not restarted (${state})`, r?.tokenLive ? 'its log shows the new token' : ''].filter(Boolean).join('; ');
    return { changed: w.changed, ...(w.backup ? { backup: w.backup } : {}), restarted: Boolean(r), active: state === 'active', state, tokenLive: r?.tokenLive ?? false, what };
  } finally {
    remote.close();
  }
}

export async function logsFleet(ctx: CliContext, lines: number, secrets: string[]): Promise<number> {
  const { servers } = serverTargets(ctx);
  const byName = new Map(servers.map((s) => [s.name, s]));
  const results = await runFleet(
    servers.map((s) => s.name),
    async (name) => {
      const remote = new RemoteServer(byName.get(name)!.settings, ctx.signal);
      try {
        return await remote.journal(lines, secrets);
      } finally {
        remote.close();
      }
    },
    { clock: ctx.clock, signal: ctx.signal },
  );
  if (!ctx.io.json) for (const r of results) for (const l of r.value ?? []) ctx.io.stdout(redact(`[${r.name}] ${l}`, [...ctx.io.secrets, ...secrets]));
  const rows = results.map((r) =>
    r.ok ? { name: r.name, ok: true, journal: r.value } : { name: r.name, ok: false, error: errorJson(r.error) },
  );
  return finish(ctx, results, { servers: rows }, (r) => (r.ok ? `${(r.value as string[]).length} lines` : errorTitle(r.error)), 'answered', !ctx.io.json);
}

/**
 * `logs --follow` on several servers: every server streamed at once, each line prefixed with its name (with
 * --json one object per line with `server`), until SIGINT/SIGTERM. A server that cannot be reached or drops is
 * reported on its own line (stderr) and the others go on; the exit is 0 only when none did.
 */
export async function followFleet(ctx: CliContext, lines: number, secrets: string[]): Promise<number> {
  const { servers } = serverTargets(ctx);
  const mask = [...ctx.io.secrets, ...secrets];
  const print = (name: string, service: string, line: string) =>
    ctx.io.stdout(redact(ctx.io.json ? JSON.stringify({ server: name, service, line }) : `[${name}] ${line}`, mask));
  const ends = await Promise.all(
    servers.map(async ({ name, settings }) => {
      const remote = new RemoteServer(settings, ctx.signal);
      try {
        const end = await remote.follow(lines, (l) => print(name, settings.service, l), ctx.signal);
        if (end === 'stopped') return undefined;
        const why = end === 'ended' ? 'the journal stream ended' : 'the connection was lost';
        ctx.io.stderr(redact(`[${name}] ${why}; the other servers go on`, mask));
        return EXIT.failed;
      } catch (e) {
        if (ctx.signal.aborted) return undefined;
        ctx.io.stderr(redact(`[${name}] ${errorTitle(e).replace(/\.$/, '')}; the other servers go on`, mask));
        const f = findingOf(e);
        return f ? exitCodeFor(f) : EXIT.failed;
      } finally {
        remote.close();
      }
    }),
  );
  if (ends.every((c) => c === undefined)) return EXIT.ok;
  return ends.includes(EXIT.needsUser) ? EXIT.needsUser : EXIT.failed;
}

/**
 * `fix` on several servers: the core's fixOnServers, each step's line printed as it ends (prefixed with its
 * server), then the servers that hold the new token and the ones that failed.
 */
export async function fixFleet(ctx: CliContext, settleMs: number): Promise<number> {
  const { servers } = serverTargets(ctx);
  // Checked before anything changes, as for one server.
  const portal = ctx.parsed.switches.has('--no-transfer') ? undefined : transferPortal(ctx);
  const remotes = servers.map((t) => ({ t, remote: new RemoteServer(t.settings, ctx.signal), seen: {} as Seen }));
  const shared: Seen = {};
  try {
    const r = await fixOnServers(
      {
        ...tokenSide(ctx),
        servers: remotes.map(({ t, remote, seen }) => ({ name: t.name, server: fixServer(ctx, t.settings, remote, seen) })),
        transfer: portal ? (t) => transferStep(ctx, t, portal, shared) : undefined,
        onStep: (server, _name, done) => {
          if (done && !ctx.io.json) ctx.io.stdout(redact(`${server ? `[${server}] ` : ''}${stepLine(done)}`, ctx.io.secrets));
        },
      },
      { marginMs: MARGIN_MS, settleMs, signal: ctx.signal },
    );
    return fixFleetDone(ctx, r, new Map(remotes.map((x) => [x.t.name, x.seen])), shared);
  } finally {
    for (const { remote } of remotes) remote.close();
  }
}

function fixFleetDone(ctx: CliContext, r: FleetFixResult, seen: Map<string, Seen>, shared: Seen): number {
  const failures = [...(r.failedStep ? [r.error] : []), ...r.servers.filter((s) => !s.ok).map((s) => s.error)];
  const needsUser = failures.some((e) => {
    const f = findingOf(e);
    return f && exitCodeFor(f) === EXIT.needsUser;
  });
  const code = r.ok ? EXIT.ok : needsUser ? EXIT.needsUser : EXIT.failed;
  const f = shared.transfer?.fields;
  if (ctx.io.json) {
    const doc = {
      ok: r.ok,
      ...tokenFields(ctx, r.token),
      ...(r.failedStep ? { failedStep: r.failedStep, error: errorJson(r.error) } : {}),
      steps: r.steps.map(stepJson),
      totalMs: r.totalMs,
      refreshed: Boolean(r.steps[0] && !r.steps[0].skipped && r.steps[0].ok),
      holding: r.servers.filter((s) => s.holds).map((s) => s.name),
      running: r.servers.filter((s) => s.running).map((s) => s.name),
      ...(f ? { transfer: { status: f.status, conversationId: f.conversationId, latencyMs: f.latencyMs, refreshed: f.refreshed } } : {}),
      servers: r.servers.map((s) => serverJson(s, seen.get(s.name))),
    };
    ctx.io.stdout(redact(JSON.stringify(doc, null, 2), ctx.io.secrets));
    return code;
  }
  if (r.failedStep === 'refresh') return printFailure(ctx.io, r.error);
  const left = r.token ? `; the token expires in ${countdownText(remainingMs(r.token, ctx.clock.now()))}` : '';
  ctx.io.stdout(redact(`${fleetFixSummary(r)}${r.ok ? `
fixed on every server in ${r.totalMs} ms${left}` : ''}`, ctx.io.secrets));
  for (const s of r.servers) if (!s.ok) ctx.io.stderr(redact(`[${s.name}] ${formatFindingText(findingOf(s.error) ?? unknownFinding(s.error))}`, ctx.io.secrets));
  if (r.failedStep) printFailure(ctx.io, r.error);
  return code;
}

function serverJson(s: ServerFixResult, seen: Seen | undefined): Record<string, unknown> {
  const w = seen?.written;
  const l = s.run.live;
  const warn = l?.warning ? { warning: l.warning } : {};
  return {
    name: s.name,
    ok: s.ok,
    ms: s.ms,
    ...(s.ok ? {} : { failedStep: s.failedStep, error: errorJson(s.error) }),
    steps: s.steps.map(stepJson),
    holds: s.holds,
    running: s.running,
    ...(s.run.liveMs !== undefined ? { liveMs: s.run.liveMs } : {}),
    changed: w?.changed ?? false,
    ...(w?.backup ? { backup: w.backup } : {}),
    ...(s.run.state ? { state: s.run.state, active: s.run.state === 'active' } : {}),
    ...(l
      ? { live: { proof: l.proof, mainPid: l.mainPid, previousPid: l.previousPid, note: l.proofNote, logLine: l.logLine, ...warn } }
      : {}),
  };
}

function unknownFinding(e: unknown): Finding {
  return { source: 'unknown', code: null, httpStatus: null, category: 'unknown', action: 'none', retryable: false, title: 'Unexpected error.', explanation: e instanceof Error ? e.message : String(e) };
}

function progress(ctx: CliContext) {
  return (name: string, state: string, detail?: string) => {
    if (state === 'ok' || state === 'failed') ctx.io.stderr(redact(`[${name}] ${state}${detail ? ` (${detail})` : ''}`, ctx.io.secrets));
  };
}

/** The JSON document (or the table), and the exit code: 0 all ok, 3 a failure needs the user, else 1. */
function finish(
  ctx: CliContext,
  results: FleetOutcome<unknown>[],
  fields: Record<string, unknown>,
  what: (r: FleetOutcome<unknown>) => string,
  verb: string,
  tableOnStderr = false,
): number {
  const ok = results.every((r) => r.ok);
  const failures = results.filter((r) => !r.ok).map((r) => findingOf(r.error));
  const code = ok ? EXIT.ok : failures.some((f) => f && exitCodeFor(f) === EXIT.needsUser) ? EXIT.needsUser : EXIT.failed;
  if (ctx.io.json) {
    ctx.io.stdout(redact(JSON.stringify({ ok, ...fields }, null, 2), ctx.io.secrets));
    return code;
  }
  const width = Math.max(6, ...results.map((r) => r.name.length));
  const table = [
    `${'server'.padEnd(width)}  result  ${'time'.padStart(8)}  what was done`,
    ...results.map((r) => `${r.name.padEnd(width)}  ${(r.ok ? 'ok' : 'FAILED').padEnd(6)}  ${`${r.ms} ms`.padStart(8)}  ${what(r)}`),
    `${results.filter((r) => r.ok).length} of ${results.length} servers ${verb}${ok ? '.' : `; failed: ${results.filter((r) => !r.ok).map((r) => r.name).join(', ')}.`}`,
  ].map((l) => redact(l, ctx.io.secrets));
  for (const l of table) (tableOnStderr ? ctx.io.stderr : ctx.io.stdout)(l);
  return code;
}

function findingOf(e: unknown): Finding | undefined {
  return isDevKitError(e) ? e.finding : undefined;
}

function errorJson(e: unknown): Record<string, unknown> {
  const f = findingOf(e);
  if (!f) return { category: 'unknown', action: 'none', code: null, title: 'Unexpected error.', explanation: e instanceof Error ? e.message : String(e) };
  return errorObject(f);
}
