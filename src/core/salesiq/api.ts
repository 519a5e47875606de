/**
 * The few SalesIQ REST calls DevKit makes: prove a token works, and open a labelled test conversation.
 * SalesIQ's HTTP status is only a hint (errors come as 200 or 400, a new conversation as 201), so results are
 * judged by the body: `data` means success, `error.code` names the failure (docs/zoho.md §6, §11).
 */
import { DevKitError } from '../errors/devkitError';
import { findingFor } from '../errors/catalogue';
import { tokenKindEvidence } from '../errors/evidence';
import { tokenKind } from '../token/token';
import type { Finding } from '../errors/finding';
import { nonJsonFinding, parseJson } from '../net/body';
import type { HttpClient, HttpResponse } from '../net/http';

/** The Finding for a SalesIQ answer without `data`: its error envelope decoded, or what the non-JSON body was. */
export function parseSalesIQError(status: number, text: string, headers: Record<string, string> = {}): Finding {
  const json = parseJson(text);
  if (!json) return nonJsonFinding({ status, text, headers });
  const err = json.error;
  if (!err || typeof err !== 'object') {
    return status >= 400 ? findingFor('http', status, { httpStatus: status }) : findingFor('http', 'bad_json', { httpStatus: status });
  }
  const e = err as Record<string, unknown>;
  const details: Record<string, string> = {};
  for (const key of ['json_key', 'param', 'header'] as const) {
    if (e[key] !== undefined && e[key] !== null) details[key] = String(e[key]);
  }
  const code = typeof e.code === 'number' || typeof e.code === 'string' ? e.code : null;
  const message = typeof e.message === 'string' ? e.message : undefined;
  return findingFor('salesiq', code, { httpStatus: status, message, details });
}

export interface ValidateOptions {
  /** With a screen name the check lists that portal's departments, which also proves the screen name and DC. */
  screenName?: string;
  /**
   * With a screen name and an app ID the check reads that brand app, the one operator-API call an org token
   * (made for the visitor API) is expected to be allowed.
   */
  appId?: string;
  signal?: AbortSignal;
}

export interface ValidateResult {
  ok: true;
  status: number;
  /** Screen names of the token owner's portals, when the portal list was asked for. */
  portals?: string[];
}

/** A harmless authenticated GET; throws the decoded SalesIQ error when the token is not accepted. */
export async function validateToken(
  http: HttpClient,
  salesiqUrl: string,
  token: string,
  opts: ValidateOptions = {},
): Promise<ValidateResult> {
  const screen = opts.screenName?.trim();
  const path = !screen
    ? '/api/v2/portals'
    : opts.appId
      ? `/api/v2/${enc(screen)}/apps/${enc(opts.appId)}`
      : `/api/v2/${enc(screen)}/departments`;
  const res = await http.request({
    url: join(salesiqUrl, path),
    method: 'GET',
    headers: { ...authHeader(token), accept: 'application/json' },
    signal: opts.signal,
  });
  const json = successBody(res, token, false);
  const result: ValidateResult = { ok: true, status: res.status };
  if (!screen && Array.isArray(json.data)) result.portals = portalNames(json.data);
  return result;
}

export interface TestConversationRequest {
  screenName: string;
  /** The brand's app ID (Settings → Brands → the brand, last URL segment). */
  appId: string;
  departmentId: string;
  /** The first visitor message; label it as a test, it lands in a real operator queue. */
  question: string;
  visitorId: string;
  visitorName?: string;
}

export interface TestConversationResult {
  status: number;
  /** `data.conversation_id`, else `data.id` (the documented body is unconfirmed); null when neither came back. */
  conversationId: string | null;
  chatId?: string;
  raw: unknown;
}

/** Opens a visitor conversation (Visitor API v1, org token): a real chat that should reach an operator. */
export async function openTestConversation(
  http: HttpClient,
  salesiqUrl: string,
  token: string,
  req: TestConversationRequest,
  opts: { signal?: AbortSignal } = {},
): Promise<TestConversationResult> {
  const visitor: Record<string, string> = { user_id: req.visitorId };
  if (req.visitorName) visitor.name = req.visitorName;
  const res = await http.request({
    url: join(salesiqUrl, `/api/visitor/v1/${enc(req.screenName)}/conversations`),
    method: 'POST',
    headers: { ...authHeader(token), 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ app_id: req.appId, department_id: req.departmentId, question: req.question, visitor }),
    signal: opts.signal,
  });
  const json = successBody(res, token, true);
  const data = json.data && typeof json.data === 'object' ? (json.data as Record<string, unknown>) : {};
  const result: TestConversationResult = {
    status: res.status,
    conversationId: idOf(data.conversation_id) ?? idOf(data.id) ?? null,
    raw: json,
  };
  const chatId = idOf(data.chat_id);
  if (chatId) result.chatId = chatId;
  return result;
}

function authHeader(token: string): Record<string, string> {
  return { authorization: `Zoho-oauthtoken ${token}` };
}

/**
 * The parsed body when it carries `data`; otherwise the decoded error is thrown. A 1009 says which kind of
 * token was used, since a user token on the visitor API is its usual cause.
 */
function successBody(res: HttpResponse, token: string, visitorApi: boolean): Record<string, unknown> {
  const json = parseJson(res.text);
  if (json && 'data' in json && !('error' in json)) return json;
  const f = parseSalesIQError(res.status, res.text, res.headers);
  const evidence = f.source === 'salesiq' && f.code === 1009 ? tokenKindEvidence(tokenKind(token), visitorApi) : undefined;
  throw new DevKitError(evidence ? withEvidence(f, evidence) : f);
}

function withEvidence(f: Finding, evidence: string): Finding {
  const message = f.details?.message;
  return findingFor(f.source, f.code, { httpStatus: f.httpStatus, message, details: { ...f.details, evidence } });
}

function portalNames(list: unknown[]): string[] {
  const names: string[] = [];
  for (const p of list) {
    const o = (p ?? {}) as Record<string, unknown>;
    const name = o.screenname ?? o.screen_name ?? o.name;
    if (typeof name === 'string' && name) names.push(name);
  }
  return names;
}

function idOf(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
