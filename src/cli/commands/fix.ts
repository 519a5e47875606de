import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { type FixResult, type FixStepResult, isExpiredToken, runFix } from '../../core/flows/fix';
import type { PushResult } from '../../core/flows/push';
import { redact } from '../../core/redact';
import { fail } from '../../core/ssh/fail';
import { countdownText, type TokenState } from '../../core/token';
import { UsageError } from '../args';
import { missingCredentials } from '../config';
import type { CliContext, Command } from '../context';
import { type Io, printFailure, printOk } from '../output';
import { SSH_FLAGS, serverSettings, type ServerSettings, where } from '../sshFlags';
import { RemoteServer } from '../sshRemote';
import { openTransfer, type TransferOutcome, transferPortal } from './testTransfer';
import { cachedToken, checkToken, portalSettings, tokenFields } from '../tokens';

const MARGIN_MS = 5 * 60_000;

/**
 * `fix`: refresh if needed → push-env → restart → verify → test-transfer (`--no-transfer` skips the last).
 * Stops at the first failure and says why, and what was already done (JSON: `steps` and `totalMs`).
 */
export const fix: Command = {
  summary: 'refresh if needed → push-env → restart → verify → test-transfer (--no-transfer skips it)',
  flags: { values: SSH_FLAGS.values, switches: [...SSH_FLAGS.switches, '--no-transfer'] },
  async run(ctx) {
    if (ctx.parsed.switches.has('--value-stdin')) throw new UsageError('fix pushes the token it refreshes; --value-stdin applies to push-env only');
    const s = serverSettings(ctx);
    // Checked before anything changes: a missing setting must not surface only after the server was touched.
    const portal = ctx.parsed.switches.has('--no-transfer') ? undefined : transferPortal(ctx);
    const remote = new RemoteServer(s, ctx.signal);
    const seen: Seen = {};
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
          push: async (t) => {
            ctx.io.secrets.add(t.accessToken);
            seen.written = await remote.write(t.accessToken);
            const w = seen.written;
            return { detail: w.changed ? `wrote ${s.key} in ${where(s)} (backup ${w.backup ?? 'none'})` : `${s.key} in ${where(s)} already held this token` };
          },
          restart: s.restart
            ? async (t) => {
                const r = await remote.restart(t.accessToken, seen.written);
                seen.restart = r;
                return { detail: `restarted ${s.service}: ${r.state}` };
              }
            : undefined,
          verify: (t) => verify(ctx, remote, s, t, seen),
          transfer: portal
            ? async (t) => {
                seen.transfer = await openTransfer(ctx, t.accessToken, portal);
                const f = seen.transfer.fields;
                return { detail: `test conversation opened (HTTP ${f.status}, conversation ${f.conversationId ?? 'id not returned'}${f.refreshed ? ', after one token refresh' : ''})` };
              }
            : undefined,
        },
        { marginMs: MARGIN_MS, signal: ctx.signal },
      );
      return result.ok ? printDone(ctx, result, seen) : printStopped(ctx.io, result);
    } finally {
      remote.close();
    }
  },
};

interface Seen {
  written?: PushResult;
  restart?: { state: string; journal: string[]; tokenLive: boolean };
  state?: string;
  transfer?: TransferOutcome;
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

/** The service runs, and SalesIQ accepts the token it was given (checked where the token kind allows). */
async function verify(ctx: CliContext, remote: RemoteServer, s: ServerSettings, t: TokenState, seen: Seen): Promise<{ detail: string }> {
  seen.state = await remote.state();
  if (seen.state !== 'active') throw fail('systemd', 'inactive', { unit: s.service, state: seen.state });
  let api: string;
  try {
    const c = await checkToken(ctx, t.accessToken, portalSettings(ctx));
    api = `SalesIQ accepts the token (GET ${c.endpoint}: HTTP ${c.status})`;
  } catch (e) {
    if (!isDevKitError(e) || e.finding.code !== 'no-portal') throw e;
    api = 'SalesIQ check skipped (an org token needs SALESIQ_SCREEN_NAME and SALESIQ_APP_ID)';
  }
  const live = seen.restart?.tokenLive ? '; the service log shows the new token' : '';
  return { detail: `${s.service} is active; ${api}${live}` };
}

function printDone(ctx: CliContext, r: FixResult, seen: Seen): number {
  const w = seen.written;
  const f = seen.transfer?.fields;
  const fields = {
    ...tokenFields(ctx, r.token),
    steps: r.steps.map(stepJson),
    totalMs: r.totalMs,
    refreshed: !r.steps[0]?.skipped,
    changed: w?.changed ?? false,
    ...(w?.backup ? { backup: w.backup } : {}),
    active: seen.state === 'active',
    state: seen.state,
    journal: seen.restart?.journal ?? [],
    newTokenHashPrefix: w?.newTokenHashPrefix,
    tokenLive: seen.restart?.tokenLive ?? false,
    ...(f ? { transfer: { status: f.status, conversationId: f.conversationId, latencyMs: f.latencyMs, refreshed: f.refreshed } } : {}),
  };
  const left = r.token ? `; the token expires in ${countdownText(r.token.expiresAt - ctx.clock.now())}` : '';
  return printOk(ctx.io, fields, [...r.steps.map(stepLine), `fixed in ${r.totalMs} ms${left}`].join('\n'));
}

/** The decoded reason, plus every step that ran: the server may already hold the new token. */
function printStopped(io: Io, r: FixResult): number {
  const extra = { failedStep: r.failedStep, steps: r.steps.map(stepJson), totalMs: r.totalMs };
  if (!io.json) {
    io.stderr(redact([...r.steps.map(stepLine), `stopped at ${r.failedStep ?? 'start'} after ${r.totalMs} ms:`].join('\n'), io.secrets));
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

function stepLine(s: FixStepResult): string {
  const mark = !s.ok ? '✗' : s.skipped ? '–' : '✓';
  return `${mark} ${s.name.padEnd(8)} ${String(s.ms).padStart(6)} ms  ${s.detail}`;
}
