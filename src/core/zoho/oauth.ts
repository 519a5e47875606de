/**
 * Zoho Accounts token requests. Zoho answers most errors with HTTP 200, so every response is judged by its
 * body: a grant is a body with `access_token`, nothing else (reference §2).
 */
import { sleep, type Clock } from '../token/clock';
import { dataCenterFromAccountsUrl } from './datacenters';
import { DevKitError, isDevKitError } from '../errors/devkitError';
import { findingFor, isTlsCode } from '../errors/catalogue';
import { dataCentreEvidence } from '../errors/evidence';
import type { Finding } from '../errors/finding';
import { nonJsonFinding, parseJson } from '../net/body';
import type { HttpClient, HttpResponse } from '../net/http';
import { MAX_LIFETIME_SEC } from '../token/token';

export interface RefreshCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface Grant {
  accessToken: string;
  /** Seconds, at most an hour. */
  lifetimeSec: number;
  apiDomain?: string;
  scope?: string;
}

export interface AuthorizationCodeRequest {
  clientId: string;
  clientSecret: string;
  code: string;
  /** Only for server-based clients; the self-client flow sends none. */
  redirectUri?: string;
}

/** Zoho's throttle code word, and how long its lockout lasts after it (reference §3). */
export const THROTTLE_CODE = 'Access Denied';
export const THROTTLE_WINDOW_MS = 10 * 60_000;

const DEFAULT_LIFETIME_SEC = 3600;

/** One refresh-token grant: exactly one request, no retries. */
export async function requestRefresh(
  http: HttpClient,
  accountsUrl: string,
  creds: RefreshCredentials,
  opts: { signal?: AbortSignal } = {},
): Promise<Grant> {
  const body = form({
    grant_type: 'refresh_token',
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
    refresh_token: creds.refreshToken,
  });
  return grantFrom(await postToken(http, accountsUrl, body, opts.signal), accountsUrl);
}

/**
 * Exchanges a grant code for an access and a refresh token: a Self Client code (API console → Generate Code,
 * sent without `redirect_uri`) or a code from a browser sign-in (sent with the same `redirect_uri`). Codes are
 * single use and live one to three minutes, so callers exchange at once (src/core/zoho/authorizeFlow.ts).
 * `refreshToken` is absent when Zoho issued none (a server-based client authorized without `access_type=offline`).
 */
export async function exchangeAuthorizationCode(
  http: HttpClient,
  accountsUrl: string,
  req: AuthorizationCodeRequest,
  opts: { signal?: AbortSignal } = {},
): Promise<Grant & { refreshToken?: string }> {
  const fields: Record<string, string> = {
    grant_type: 'authorization_code',
    client_id: req.clientId,
    client_secret: req.clientSecret,
    code: req.code,
  };
  if (req.redirectUri) fields.redirect_uri = req.redirectUri;
  const res = await postToken(http, accountsUrl, form(fields), opts.signal);
  const grant = grantFrom(res, accountsUrl);
  const refreshToken = stringField(parseJson(res.text), 'refresh_token');
  return refreshToken ? { ...grant, refreshToken } : grant;
}

export interface RetryOptions {
  /** Total requests at most, the first included; default 3. */
  attempts?: number;
  signal?: AbortSignal;
  onRetry?: (attempt: number, delayMs: number, f: Finding) => void;
  /**
   * Awaited before each retry is sent; throw to stop. The RefreshGuard's `admit` goes here so retried requests
   * count against Zoho's limit like the first one.
   */
  beforeRetry?: () => Promise<void>;
}

const BACKOFF_BASE_MS = 2000;
const BACKOFF_CAP_MS = 30_000;

/** The wait before retry number `n` (1-based): 2 s, 4 s, 8 s … capped at 30 s. */
export function backoffMs(n: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** (n - 1), BACKOFF_CAP_MS);
}

/**
 * requestRefresh, retried with exponential backoff on the injected clock for outages only (network, 5xx,
 * HTML, unreadable JSON). Grant and config errors fail at once, and a throttle is never retried because
 * retrying extends Zoho's lockout: it fails with the time from which a new request is allowed.
 */
export async function refreshWithRetry(
  http: HttpClient,
  clock: Clock,
  accountsUrl: string,
  creds: RefreshCredentials,
  opts: RetryOptions = {},
): Promise<Grant> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestRefresh(http, accountsUrl, creds, { signal: opts.signal });
    } catch (err) {
      if (!isDevKitError(err)) throw err;
      if (isThrottle(err.finding)) throw throttleError(err, clock.now());
      if (attempt >= attempts || !isOutage(err.finding)) throw err;
      const delay = backoffMs(attempt);
      opts.onRetry?.(attempt, delay, err.finding);
      await sleep(clock, delay, opts.signal);
      await opts.beforeRetry?.();
    }
  }
}

export function isThrottle(f: Finding): boolean {
  return f.source === 'oauth' && String(f.code).toLowerCase() === THROTTLE_CODE.toLowerCase();
}

/** Failures that say nothing about the request itself, so the same request may well succeed later. */
export function isOutage(f: Finding): boolean {
  if (f.source === 'network') return !isTlsCode(f.code) && f.code !== 'ENOTFOUND';
  if (f.source !== 'http') return false;
  // A web page with a 4xx status is a wrong URL, not an outage.
  if (f.code === 'html') return !(f.httpStatus && f.httpStatus >= 400 && f.httpStatus < 500);
  return f.code === 'bad_json' || (typeof f.code === 'number' && f.code >= 500);
}

function throttleError(err: DevKitError, now: number): DevKitError {
  const nextAllowedAt = new Date(now + THROTTLE_WINDOW_MS).toISOString();
  const f = findingFor('oauth', THROTTLE_CODE, {
    httpStatus: err.finding.httpStatus,
    details: { ...err.finding.details, nextAllowedAt },
  });
  return new DevKitError(f, { cause: err });
}

async function postToken(http: HttpClient, accountsUrl: string, body: string, signal?: AbortSignal): Promise<HttpResponse> {
  return http.request({
    url: `${accountsUrl.replace(/\/+$/, '')}/oauth/v2/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal,
  });
}

/**
 * Decides success by body; status is only used when the body is not JSON at all. An error names the DC that
 * was asked, because the usual `invalid_client` means the client lives in another one.
 */
function grantFrom(res: HttpResponse, accountsUrl: string): Grant {
  const json = parseJson(res.text);
  if (json === undefined) throw new DevKitError(nonJsonFinding(res));
  const accessToken = stringField(json, 'access_token');
  if (accessToken) {
    return {
      accessToken,
      lifetimeSec: lifetimeOf(json),
      ...optional('apiDomain', stringField(json, 'api_domain')),
      ...optional('scope', stringField(json, 'scope')),
    };
  }
  const error = stringField(json, 'error');
  const details: Record<string, string> = {};
  const description = stringField(json, 'error_description');
  if (description) details.description = description;
  const location = stringField(json, 'user_location');
  if (location) details.user_location = location;
  const askedDc = dataCenterFromAccountsUrl(accountsUrl);
  if (askedDc) details.dataCenter = askedDc;
  if (askedDc && error === 'invalid_client') details.evidence = dataCentreEvidence(askedDc);
  throw new DevKitError(findingFor('oauth', error ?? 'no_access_token', { httpStatus: res.status, details }));
}

/** `expires_in_sec` (legacy shape, where `expires_in` is in ms) wins over `expires_in`; missing → an hour. */
function lifetimeOf(json: Record<string, unknown>): number {
  const sec = numberField(json, 'expires_in_sec') ?? numberField(json, 'expires_in') ?? DEFAULT_LIFETIME_SEC;
  return sec > 0 ? Math.min(sec, MAX_LIFETIME_SEC) : DEFAULT_LIFETIME_SEC;
}

function stringField(json: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = json?.[key];
  return typeof v === 'string' && v ? v : undefined;
}

function numberField(json: Record<string, unknown>, key: string): number | undefined {
  const v = json[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v ? ({ [key]: v } as Record<K, string>) : {};
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
