import { REMOTE_DEFAULTS } from '../../core/defaults';
import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { type FixResult, type FixServer, type FixStepResult, fixSummary, isExpiredToken, runFix, type StepOutcome, stepLine } from '../../core/flows/fix';
import type { PushResult } from '../../core/flows/push';
import { redact } from '../../core/redact';
import { fail } from '../../core/errors/fail';
import { countdownText, remainingMs, type TokenState } from '../../core/token/token';
import { UsageError } from '../args';
import { missingCredentials } from '../config';
import type { CliContext, Command } from '../context';
import { type Io, printFailure, printOk } from '../output';
import { SSH_FLAGS, serverSettings, type ServerSettings, where } from '../sshFlags';
import { fixFleet } from '../fleetCommands';
import { fleetRequested, SERVER_FLAGS } from '../servers';
import { RemoteServer } from '../sshRemote';
import { openTransfer, type TransferOutcome, transferPortal } from './testTransfer';
import { cachedToken, checkToken, portalSettings, tokenFields } from '../tokens';

export const MARGIN_MS = 5 * 60_000;
const MAX_SETTLE_SECONDS = 300;

/**
 * `fix`: refresh if needed → push-env → restart → live → verify → test-transfer → watch (the core's runFix;
 * `--no-transfer` skips the transfer, `--settle-seconds N` sets the watch, 0 skips it). Each step's line is
 * printed as it finishes; stops at the first failure and says why, and what was already done (JSON: `steps`,
 * `liveMs` and `totalMs`).
 */
export const fix: Command = {
  summary: 'refresh if needed → push-env → restart → live → verify → test-transfer → watch (--no-transfer, --settle-seconds N)',
  flags: { values: [...SSH_FLAGS.values, ...SERVER_FLAGS.values, '--settle-seconds'], switches: [...SSH_FLAGS.switches, ...SERVER_FLAGS.switches, '--no-transfer'] },
  async run(ctx) {
    if (ctx.parsed.switches.has('--value-stdin')) throw new UsageError('fix pushes the token it refreshes; --value-stdin applies to push-env only');
    const settleMs = settleSeconds(ctx.parsed.values['--settle-seconds']) * 1000;
    if (fleetRequested(ctx)) return fixFleet(ctx, settleMs);
    const s = serverSettings(ctx);
    // Checked before anything changes: a missing setting must not surface only after the server was touched.
    const portal = ctx.parsed.switches.has('--no-transfer') ? undefined : transferPortal(ctx);
    const remote = new RemoteServer(s, ctx.signal);
    const seen: Seen = {};
    try {
      const result = await runFix(
        {
          ...tokenSide(ctx),
          server: fixServer(ctx, s, remote, seen),
          transfer: portal ? (t) => transferStep(ctx, t, portal, seen) : undefined,
          // Human output streams each step as it finishes; JSON waits for the one document.
          onStep: (_name, done) => done && !ctx.io.json && ctx.io.stdout(redact(stepLine(done), ctx.io.secrets)),
        },
        { marginMs: MARGIN_MS, settleMs, signal: ctx.signal },
      );
      return result.ok ? printDone(ctx, result, seen) : printStopped(ctx.io, result);
    } finally {
      remote.close();
    }
  },
};

/** The token side of a fix, the same for one server and several: the cache, SalesIQ's verdict, the refresh. */
export function tokenSide(ctx: CliContext) {
  return {
    clock: ctx.clock,
    current: () => cachedToken(ctx),
    staleReason: (t: TokenState) => rejectedBySalesIQ(ctx, t),
    refresh: () => refreshNow(ctx),
    checkApi: (t: TokenState) => apiCheck(ctx, t),
  };
}

export interface Seen {
  written?: PushResult;
  transfer?: TransferOutcome;
}

/** The server side of the fix over one RemoteServer (the core's FixServer); `seen` keeps the write's result. */
export function fixServer(ctx: CliContext, s: ServerSettings, remote: RemoteServer, seen: Seen): FixServer {
  let value = '';
  return {
    key: s.key,
    where: where(s),
    service: s.service,
    write: async (token) => {
      ctx.io.secrets.add(token);
      value = token;
      seen.written = await remote.write(token);
      return seen.written;
    },
    restart: s.restart ? (token) => remote.restartLive(token, seen.written) : undefined,
    // Connects and reads the .env while the token is refreshed; then the write, restart and proof in one exec.
    prepare: () => remote.prepare(),
    pushLive: s.restart
      ? (token) => {
          ctx.io.secrets.add(token);
          value = token;
          const op = remote.pushLive(token);
          return { ...op, written: op.written.then((w) => (seen.written = w)) };
        }
      : undefined,
    assertActive: async () => {
      const state = await remote.state();
      if (state !== 'active') throw fail('systemd', 'inactive', { unit: s.service, state });
      return state;
    },
    watch: (live, ms) => remote.watch(live, ms, value, seen.written),
  };
}

async function refreshNow(ctx: CliContext): Promise<TokenState> {
  if (!ctx.profile.credentials) throw new DevKitError(missingCredentials(ctx.profile));
  const t = await ctx.tokenManager().refresh({ automatic: false, signal: ctx.signal });
  ctx.io.secrets.add(t.accessToken);
  return t;
}

type Portal = ReturnType<typeof transferPortal>;

export async function transferStep(ctx: CliContext, t: TokenState, portal: Portal, seen: Seen): Promise<StepOutcome> {
  seen.transfer = await openTransfer(ctx, t.accessToken, portal);
  const f = seen.transfer.fields;
  return { detail: `test conversation opened (HTTP ${f.status}, conversation ${f.conversationId ?? 'id not returned'}${f.refreshed ? ', after one token refresh' : ''})` };
}

export function settleSeconds(v: string | undefined): number {
  if (v === undefined) return REMOTE_DEFAULTS.settleSeconds;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n <= MAX_SETTLE_SECONDS)) throw new UsageError(`--settle-seconds takes a number of seconds from 0 to ${MAX_SETTLE_SECONDS} (got "${v}")`);
  return n;
}

/** A token with time left is still replaced when SalesIQ refuses it; any other answer leaves the decision to the clock. */
async function rejectedBySalesIQ(ctx: CliContext, t: TokenState): Promise<string | undefined> {
  try {
    await checkToken(ctx, t.accessToken, portalSettings(ctx));
    return undefined;
  } catch (e) {
    return isExpiredToken(e) && isDevKitError(e) ? `SalesIQ rejected the cached token (${e.finding.code})` : undefined;
  }
}

/** SalesIQ accepts the token the service now runs with (checked where the token kind allows). */
async function apiCheck(ctx: CliContext, t: TokenState): Promise<string> {
  try {
    const c = await checkToken(ctx, t.accessToken, portalSettings(ctx));
    return `SalesIQ accepts the token (GET ${c.endpoint}: HTTP ${c.status})`;
  } catch (e) {
    if (!isDevKitError(e) || e.finding.code !== 'no-portal') throw e;
    return 'SalesIQ check skipped (an org token needs SALESIQ_SCREEN_NAME and SALESIQ_APP_ID)';
  }
}

function printDone(ctx: CliContext, r: FixResult, seen: Seen): number {
  const w = seen.written;
  const f = seen.transfer?.fields;
  const l = r.live;
  const fields = {
    ...tokenFields(ctx, r.token),
    steps: r.steps.map(stepJson),
    totalMs: r.totalMs,
    ...(r.liveMs !== undefined ? { liveMs: r.liveMs } : {}),
    refreshed: !r.steps[0]?.skipped,
    changed: w?.changed ?? false,
    ...(w?.backup ? { backup: w.backup } : {}),
    active: r.state === 'active',
    state: r.state,
    journal: l?.journal ?? [],
    newTokenHashPrefix: w?.newTokenHashPrefix,
    tokenLive: Boolean(l),
    ...(l
      ? {
          live: {
            proof: l.proof,
            mainPid: l.mainPid,
            previousPid: l.previousPid,
            note: l.proofNote,
            logLine: l.logLine,
            ...(l.warning ? { warning: l.warning } : {}),
          },
        }
      : {}),
    ...(f ? { transfer: { status: f.status, conversationId: f.conversationId, latencyMs: f.latencyMs, refreshed: f.refreshed } } : {}),
  };
  const left = r.token ? countdownText(remainingMs(r.token, ctx.clock.now())) : undefined;
  // The step lines were printed as they finished; the document (or the summary) closes the run.
  return printOk(ctx.io, fields, fixSummary(r, left));
}

/** The decoded reason, plus every step that ran: the server may already hold the new token. */
function printStopped(io: Io, r: FixResult): number {
  const extra = {
    failedStep: r.failedStep,
    steps: r.steps.map(stepJson),
    totalMs: r.totalMs,
    ...(r.liveMs !== undefined ? { liveMs: r.liveMs } : {}),
  };
  if (!io.json) {
    io.stderr(redact(fixSummary(r), io.secrets));
    return printFailure(io, r.error);
  }
  let doc = '';
  const code = printFailure({ ...io, stdout: (s) => (doc += s) }, r.error);
  io.stdout(redact(JSON.stringify({ ...(JSON.parse(doc) as object), ...extra }, null, 2), io.secrets));
  return code;
}

export function stepJson(s: FixStepResult): FixStepResult {
  return { name: s.name, ok: s.ok, ms: s.ms, detail: s.detail, ...(s.skipped ? { skipped: true } : {}) };
}
