/**
 * The test transfer, the same in every front end: check the portal settings (naming every missing one at
 * once), open a labelled conversation as a new visitor, time it, and on an expired or invalid token
 * (1001/1008) refresh once and retry once.
 */
import { randomUUID } from 'crypto';
import type { Clock } from '../token/clock';
import { DevKitError } from '../errors/devkitError';
import { TEST_TRANSFER_QUESTION, withOneRefresh } from '../flows/fix';
import type { HttpClient } from '../net/http';
import { openTestConversation } from './api';
import type { PortalSettingNames, PortalSettings } from './validate';

export { TEST_TRANSFER_QUESTION } from '../flows/fix';

export type TransferPortal = Required<PortalSettings>;

/** How the test visitor is named in the operators' queue. */
export const TEST_VISITOR_NAME = 'SalesIQ DevKit test';

/** The portal the visitor API needs, or one config finding naming every missing setting (and any other missing thing). */
export function requireTransferPortal(p: PortalSettings, names: PortalSettingNames, alsoMissing: string[] = []): TransferPortal {
  const keys = ['screenName', 'appId', 'departmentId'] as const;
  const missing = [...keys.filter((k) => !p[k]).map((k) => names[k]), ...alsoMissing];
  if (missing.length) {
    throw new DevKitError({
      source: 'unknown', code: 'no-portal', httpStatus: null, category: 'config', action: 'fix-config', retryable: false,
      title: `The test transfer needs ${missing.join(', ')}.`,
      explanation: `Set ${missing.join(', ')}${names.where ?? ''}. The visitor API opens a conversation in a department of a brand (app), with an org token.`,
    });
  }
  return p as TransferPortal;
}

export interface TransferDeps {
  http: HttpClient;
  salesiqUrl: string;
  clock: Clock;
  signal?: AbortSignal;
  /** Gets a new token once, after SalesIQ rejected this one as expired or invalid; absent: no retry. */
  refresh?: () => Promise<string>;
}

export interface TransferResult {
  status: number;
  conversationId: string | null;
  chatId?: string;
  /** The conversation request that succeeded, without the refresh before it. */
  latencyMs: number;
  visitorId: string;
  question: string;
  screenName: string;
  departmentId: string;
  refreshed: boolean;
}

export async function sendTestTransfer(token: string, portal: TransferPortal, deps: TransferDeps): Promise<TransferResult> {
  const visitorId = `devkit-test-${randomUUID()}`;
  const { screenName, appId, departmentId } = portal;
  let latencyMs = 0;
  const call = async (tok: string) => {
    const t0 = deps.clock.now();
    const request = { screenName, appId, departmentId, question: TEST_TRANSFER_QUESTION, visitorId, visitorName: TEST_VISITOR_NAME };
    const r = await openTestConversation(deps.http, deps.salesiqUrl, tok, request, { signal: deps.signal });
    latencyMs = deps.clock.now() - t0;
    return r;
  };
  const { value: r, refreshed } = await withOneRefresh(token, call, deps.refresh);
  const { status, conversationId } = r;
  const question = TEST_TRANSFER_QUESTION;
  const result: TransferResult = { status, conversationId, latencyMs, visitorId, question, screenName, departmentId, refreshed };
  if (r.chatId) result.chatId = r.chatId;
  return result;
}
