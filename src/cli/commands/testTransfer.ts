import * as readline from 'readline';
import { DevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import {
  requireTransferPortal,
  sendTestTransfer,
  TEST_TRANSFER_QUESTION,
  type TransferPortal,
  type TransferResult,
} from '../../core/salesiq/testTransfer';
import type { CliContext, Command } from '../context';
import { printOk } from '../output';
import { apiToken, PORTAL_NAMES, portalSettings, tokenFields } from '../tokens';

/**
 * `test-transfer [--yes]`: opens a clearly labelled conversation through the visitor API, which lands in a real
 * operator queue — so it asks first on a terminal, and refuses when there is none to ask on.
 */
export const testTransfer: Command = {
  summary: 'opens a labelled test conversation through the visitor API (asks first unless --yes)',
  flags: { values: [], switches: ['--yes'] },
  async run(ctx) {
    const portal = transferPortal(ctx);
    if (!ctx.parsed.switches.has('--yes')) await confirm(portal);
    const t = await apiToken(ctx);
    const r = await openTransfer(ctx, t.value, portal);
    return printOk(
      ctx.io,
      { ...tokenFields(ctx, r.refreshed ? r.token : t), ...r.fields },
      `test conversation opened in ${portal.screenName} (HTTP ${r.fields.status}, conversation ${r.fields.conversationId ?? 'id not returned'}, ${r.fields.latencyMs} ms${r.refreshed ? ', after one token refresh' : ''}). It is labelled "${TEST_TRANSFER_QUESTION}".`,
    );
  },
};

export type { TransferPortal };

/** The three settings the visitor API needs; all missing ones are named at once (exit 3). */
export function transferPortal(ctx: CliContext): TransferPortal {
  return requireTransferPortal(portalSettings(ctx), PORTAL_NAMES);
}

export interface TransferOutcome {
  refreshed: boolean;
  token?: { expiresAt: number };
  fields: TransferResult;
}

/** Opens the test conversation (core/salesiq/testTransfer.ts); on 1001/1008 the profile is refreshed once, the call retried once. */
export async function openTransfer(ctx: CliContext, token: string, portal: TransferPortal): Promise<TransferOutcome> {
  let fresh: { expiresAt: number } | undefined;
  const refresh = ctx.profile.credentials
    ? async () => {
        ctx.io.stderr('SalesIQ rejected the token as expired or invalid; refreshing once and retrying once.');
        const t = await ctx.tokenManager().refresh({ automatic: false, signal: ctx.signal });
        ctx.io.secrets.add(t.accessToken);
        fresh = t;
        return t.accessToken;
      }
    : undefined;
  const deps = { http: ctx.http(), salesiqUrl: ctx.profile.salesiqUrl, clock: ctx.clock, signal: ctx.signal, refresh };
  const fields = await sendTestTransfer(token, portal, deps);
  return { refreshed: fields.refreshed, ...(fresh ? { token: fresh } : {}), fields };
}

/** Asks on the terminal; with no terminal there is nobody to ask, so it refuses (exit 3) rather than assume yes. */
async function confirm(portal: TransferPortal): Promise<void> {
  if (!process.stdin.isTTY) throw new DevKitError(refusal('confirmation-required', 'A test transfer needs confirmation, and there is no terminal to ask on.', 'It opens a real conversation in the operators\' queue. Re-run with --yes to confirm (for example in a script or CI job).', 'fix-config'));
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`Open a test conversation in ${portal.screenName} (department ${portal.departmentId})? It reaches a real operator queue, labelled "${TEST_TRANSFER_QUESTION}". [y/N] `, resolve));
    if (!/^y(es)?$/i.test(answer.trim())) throw new DevKitError(refusal('cancelled', 'Cancelled: no test conversation was opened.', 'You answered no at the confirmation.', 'none'));
  } finally {
    rl.close();
  }
}

function refusal(code: string, title: string, explanation: string, action: Finding['action']): Finding {
  return { source: 'unknown', code, httpStatus: null, category: action === 'none' ? 'request' : 'config', action, retryable: false, title, explanation };
}
