import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { type FixResult, type FixStepResult, fixSummary, isExpiredToken, runFix, stepLine } from '../../core/flows/fix';
import type { PushResult } from '../../core/flows/push';
import { redact } from '../../core/redact';
import { fail } from '../../core/errors/fail';
import { countdownText, type TokenState } from '../../core/token/token';
import { UsageError } from '../args';
import { missingCredentials } from '../config';
import type { CliContext, Command } from '../context';
import { type Io, printFailure, printOk } from '../output';
import { SSH_FLAGS, serverSettings, where } from '../sshFlags';
import { RemoteServer } from '../sshRemote';
import { openTransfer, type TransferOutcome, transferPortal } from './testTransfer';
import { cachedToken, checkToken, portalSettings, tokenFields } from '../tokens';

const MARGIN_MS = 5 * 60_000;
const MAX_SETTLE_SECONDS = 300;

/**
 * `fix`: refresh if needed → push-env → restart → live → verify → test-transfer → watch (the core's runFix;
 * `--no-transfer` skips the transfer, `--settle-seconds N` sets the watch, 0 skips it). Each step's line is
 * printed as it finishes; stops at the first failure and says why, and what was already done (JSON: `steps`,
 * `liveMs` and `totalMs`).
 */
export const fix: Command = {
  summary: 'refresh if needed → push-env → restart → live → verify → test-transfer → watch (--no-transfer, --settle-seconds N)',
  flags: { values: [...SSH_FLAGS.values, '--settle-seconds'], switches: [...SSH_FLAGS.switches, '--no-transfer'] },
  async run(ctx) {
    if (ctx.parsed.switches.has('--value-stdin')) throw new UsageError('fix pushes the token it refreshes; --value-stdin applies to push-env only');
    const settleMs = settleSeconds(ctx.parsed.values['--settle-seconds']) * 1000;
    const s = serverSettings(ctx);
    // Checked before anything changes: a missing setting must not surface only after the server was touched.
    const portal = ctx.parsed.switches.has('--no-transfer') ? undefined : transferPortal(ctx);
    const remote = new RemoteServer(s, ctx.signal);
    const seen: Seen = {};
    let value = '';
    try {
      const result = await runFix(
        {
          clock: ctx.clock,
          current: () => cachedToken(ctx),
          staleReason: (t) => rejectedBySalesIQ(ctx, t),
          refresh: async () => {
            if (!ctx.profile.credentials) throw new DevKitError(missingCredentials(ctx.profile));
            const t = await ctx.tokenManager().refresh({ automatic: false, signal: ctx.signal });
            ctx.io.secrets.add(t.accessToken);
            return t;
          },
          server: {
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
            assertActive: async () => {
              const state = await remote.state();
              if (state !== 'active') throw fail('systemd', 'inactive', { unit: s.service, state });
              return state;
            },
            watch: (live, ms) => remote.watch(live, ms, value, seen.written),
          },
          checkApi: (t) => apiCheck(ctx, t),
          transfer: portal
            ? async (t) => {
                seen.transfer = await openTransfer(ctx, t.accessToken, portal);
                const f = seen.transfer.fields;
                return { detail: `test conversation opened (HTTP ${f.status}, conversation ${f.conversationId ?? 'id not returned'}${f.refreshed ? ', after one token refresh' : ''})` };
              }
            : undefined,
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

interface Seen {
  written?: PushResult;
  transfer?: TransferOutcome;
}

function settleSeconds(v: string | undefined): number {
  if (v === undefined) return 1.5;
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
  const left = r.token ? countdownText(r.token.expiresAt - ctx.clock.now()) : undefined;
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

function stepJson(s: FixStepResult): FixStepResult {
  return { name: s.name, ok: s.ok, ms: s.ms, detail: s.detail, ...(s.skipped ? { skipped: true } : {}) };
}
