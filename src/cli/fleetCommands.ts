/**
 * `push-env` and `logs` on several servers (`--server NAME`… or `--all-servers`): in parallel, one connection
 * each, every server to the end; `--json` adds `servers: [{ name, ok, error? }]`, and the exit code is 0 only
 * when every server succeeded (3 when a failure needs the user).
 */
import { isDevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import { errorTitle, type FleetOutcome, runFleet } from '../core/flows/fleet';
import { redact } from '../core/redact';
import type { CliContext } from './context';
import { errorObject, EXIT, exitCodeFor } from './output';
import { serverTargets, type ServerTarget } from './servers';
import { where } from './sshFlags';
import { RemoteServer } from './sshRemote';
import { tokenFields } from './tokens';

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
  if (!ctx.io.json) for (const r of results) for (const l of r.value ?? []) ctx.io.stdout(redact(`${r.name}: ${l}`, [...ctx.io.secrets, ...secrets]));
  const rows = results.map((r) =>
    r.ok ? { name: r.name, ok: true, journal: r.value } : { name: r.name, ok: false, error: errorJson(r.error) },
  );
  return finish(ctx, results, { servers: rows }, (r) => (r.ok ? `${(r.value as string[]).length} lines` : errorTitle(r.error)), 'answered', !ctx.io.json);
}

function progress(ctx: CliContext) {
  return (name: string, state: string, detail?: string) => {
    if (state === 'ok' || state === 'failed') ctx.io.stderr(redact(`${name}: ${state}${detail ? ` (${detail})` : ''}`, ctx.io.secrets));
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
