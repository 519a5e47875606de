import { randomUUID } from 'crypto';
import * as readline from 'readline';
import { DevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { TEST_TRANSFER_QUESTION, withOneRefresh } from '../../core/flows/fix';
import { openTestConversation } from '../../core/salesiq/api';
import { configProblem } from '../config';
import type { CliContext, Command } from '../context';
import { printOk } from '../output';
import { apiToken, type Portal, portalSettings, tokenFields } from '../tokens';

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

export type TransferPortal = Required<Portal>;

/** The three settings the visitor API needs; all missing ones are named at once (exit 3). */
export function transferPortal(ctx: CliContext): TransferPortal {
  const p = portalSettings(ctx);
  const missing = ([['screenName', 'SALESIQ_SCREEN_NAME'], ['appId', 'SALESIQ_APP_ID'], ['departmentId', 'SALESIQ_DEPARTMENT_ID']] as const).filter(([k]) => !p[k]).map(([, env]) => env);
  if (missing.length) {
    throw new DevKitError(configProblem(`The test transfer needs ${missing.join(', ')}.`, `Set ${missing.join(', ')} in the environment (or salesiq.screenName / appId / departmentId in the config file).`, 'no-portal'));
  }
  return p as TransferPortal;
}

export interface TransferOutcome {
  refreshed: boolean;
  token?: { expiresAt: number };
  fields: {
    status: number;
    conversationId: string | null;
    chatId?: string;
    latencyMs: number;
    visitorId: string;
    question: string;
    screenName: string;
    departmentId: string;
    refreshed: boolean;
  };
}

/** Opens the test conversation; an expired/invalid token (1001/1008) is refreshed once and the call retried once. */
export async function openTransfer(ctx: CliContext, token: string, portal: TransferPortal): Promise<TransferOutcome> {
  const visitorId = `devkit-test-${randomUUID()}`;
  let latencyMs = 0;
  let fresh: { expiresAt: number } | undefined;
  const call = async (tok: string) => {
    const t0 = ctx.clock.now();
    const r = await openTestConversation(ctx.http(), ctx.profile.salesiqUrl, tok, { screenName: portal.screenName, appId: portal.appId, departmentId: portal.departmentId, question: TEST_TRANSFER_QUESTION, visitorId, visitorName: 'SalesIQ DevKit test' }, { signal: ctx.signal });
    latencyMs = ctx.clock.now() - t0;
    return r;
  };
  const refresh = ctx.profile.credentials
    ? async () => {
        ctx.io.stderr('SalesIQ rejected the token as expired or invalid; refreshing once and retrying once.');
        const t = await ctx.tokenManager().refresh({ automatic: false, signal: ctx.signal });
        ctx.io.secrets.add(t.accessToken);
        fresh = t;
        return t.accessToken;
      }
    : undefined;
  const { value: r, refreshed } = await withOneRefresh(token, call, refresh);
  const fields: TransferOutcome['fields'] = { status: r.status, conversationId: r.conversationId, latencyMs, visitorId, question: TEST_TRANSFER_QUESTION, screenName: portal.screenName, departmentId: portal.departmentId, refreshed };
  if (r.chatId) fields.chatId = r.chatId;
  return { refreshed, ...(fresh ? { token: fresh } : {}), fields };
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
