/**
 * The pure parts of getting a refresh token (docs/zoho-authorize.md): the authorize URL, the `state`, reading a
 * grant code out of whatever the user pasted, and which data centre a redirect points at. No network and no
 * error catalogue here, so the activation bundle can use it.
 *
 * Trust rule: the client secret only ever goes to `endpointsFor(dc, override)`. A redirect's `accounts-server`
 * can choose among the known Zoho Accounts servers (or the configured override), never name a new host.
 */
import { randomBytes, timingSafeEqual } from 'crypto';
import { DATA_CENTERS, DATA_CENTER_IDS, DataCenter, dataCenterFromAccountsUrl, endpointsFor, isDataCenter } from './datacenters';
import type { TokenKind } from './scopes';

export type ClientType = 'self' | 'server' | 'org';
export const CLIENT_TYPES: readonly ClientType[] = ['self', 'server', 'org'];

export const DEFAULT_REDIRECT_PORT = 8765;
/** Self-client grant codes live 3 minutes by default (the console lets you pick up to 10). */
export const SELF_CLIENT_CODE_MS = 3 * 60_000;

export function isClientType(s: unknown): s is ClientType {
  return typeof s === 'string' && (CLIENT_TYPES as readonly string[]).includes(s);
}

/** Org clients mint org tokens (`1005.`, visitor API); the others user tokens (operator API). */
export function tokenKindOf(clientType: ClientType): TokenKind {
  return clientType === 'org' ? 'org' : 'user';
}

/** Always loopback by IP: Zoho matches the registered URI exactly, and `localhost` may resolve to ::1. */
export function redirectUri(port: number): string {
  return `http://127.0.0.1:${port}/callback`;
}

export function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** 192 random bits, URL-safe: the redirect must carry it back unchanged. */
export function newState(): string {
  return randomBytes(24).toString('base64url');
}

export function statesMatch(expected: string, got: string | undefined): boolean {
  if (got === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface AuthorizeUrlOptions {
  accountsUrl: string;
  clientType: Exclude<ClientType, 'self'>;
  clientId: string;
  scopes: readonly string[];
  redirectUri: string;
  state: string;
}

/**
 * `{accounts}/oauth/v2/auth` (org clients: `/oauth/v2/org/auth`). `access_type=offline` is what makes Zoho
 * return a refresh token, and `prompt=consent` makes it return one again on a re-authorization.
 */
export function authorizeUrl(o: AuthorizeUrlOptions): string {
  const path = o.clientType === 'org' ? '/oauth/v2/org/auth' : '/oauth/v2/auth';
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: o.clientId,
    scope: o.scopes.join(','),
    redirect_uri: o.redirectUri,
    access_type: 'offline',
    prompt: 'consent',
    state: o.state,
  });
  return `${o.accountsUrl.replace(/\/+$/, '')}${path}?${q.toString()}`;
}

/** The API console of a data centre (`accounts.zoho.in` → `api-console.zoho.in`), where Self Client codes are made. */
export function apiConsoleUrl(dc: DataCenter): string {
  const host = new URL(DATA_CENTERS[dc].accountsUrl).hostname.replace(/^accounts\./, 'api-console.');
  return `https://${host}/`;
}

/** What a redirect (or a pasted redirect URL) carries. */
export interface RedirectParams {
  code?: string;
  state?: string;
  location?: string;
  accountsServer?: string;
  error?: string;
  errorDescription?: string;
}

export type PastedInput = { ok: true; params: RedirectParams & { code: string } } | { ok: false; params?: RedirectParams; message: string };

const CODE = /^[A-Za-z0-9._-]{8,512}$/;
const MAX_INPUT = 8192;

/** The redirect's query parameters, from a URL, a bare `?query`, or the query part of anything pasted. */
export function redirectParams(query: URLSearchParams): RedirectParams {
  const get = (k: string) => query.get(k)?.trim() || undefined;
  const p: RedirectParams = {};
  const set = (k: keyof RedirectParams, v: string | undefined) => v !== undefined && (p[k] = v);
  set('code', get('code'));
  set('state', get('state'));
  set('location', get('location'));
  set('accountsServer', get('accounts-server'));
  set('error', get('error'));
  set('errorDescription', get('error_description'));
  return p;
}

/**
 * A grant code as pasted: the code itself, or a redirect URL / query string holding `code=`. Surrounding
 * whitespace is ignored; a code never contains spaces, so anything else is refused with a reason.
 */
export function readPastedCode(input: string): PastedInput {
  const text = input.trim();
  if (!text) return { ok: false, message: 'Paste the grant code (or the redirect URL that holds code=…).' };
  if (text.length > MAX_INPUT) return { ok: false, message: 'That is far too long for a grant code.' };
  if (/[?&#]?(code|error)=/.test(text)) {
    const params = redirectParams(queryOf(text));
    if (params.error) return { ok: false, params, message: `The redirect says ${params.error}${params.errorDescription ? ` (${params.errorDescription})` : ''}.` };
    if (!params.code) return { ok: false, params, message: 'The URL holds no code= parameter.' };
    if (!CODE.test(params.code)) return { ok: false, params, message: 'The code= value in the URL does not look like a Zoho grant code.' };
    return { ok: true, params: { ...params, code: params.code } };
  }
  if (!CODE.test(text)) return { ok: false, message: 'A grant code is one word of letters, digits and dots (e.g. 1000.1a2b….3c4d…).' };
  return { ok: true, params: { code: text } };
}

function queryOf(text: string): URLSearchParams {
  const q = text.indexOf('?');
  const rest = q >= 0 ? text.slice(q + 1) : text.includes('://') ? (text.split('#')[1] ?? '') : text;
  // A code can come back in the fragment too, so `#` separates parameters like `&`.
  return new URLSearchParams(rest.replace(/#/g, '&'));
}

/** Zoho's `location` words (`us`, `in`, `au`, `cn`…) and DevKit's DC ids both map to a DevKit DC. */
export function dataCenterFromLocation(location: string | undefined): DataCenter | null {
  if (!location) return null;
  const l = location.trim().toLowerCase();
  const alias: Record<string, DataCenter> = { us: 'com', au: 'com.au', cn: 'com.cn' };
  if (Object.prototype.hasOwnProperty.call(alias, l)) return alias[l];
  return isDataCenter(l) ? l : null;
}

/**
 * An `accounts-server` is trusted when it is exactly one of Zoho's known Accounts servers (https, no port, no
 * path), or exactly the configured override resolved for some DC. Returns the DC it stands for (null when the
 * override has no `{dc}` and so names none), or undefined when it is not trusted.
 */
export function trustAccountsServer(server: string, accountsOverride?: string): { dc: DataCenter | null } | undefined {
  const given = normaliseUrl(server);
  if (!given) return undefined;
  if (accountsOverride?.trim()) {
    for (const dc of DATA_CENTER_IDS) {
      if (normaliseUrl(endpointsFor(dc, { accountsUrl: accountsOverride }).accountsUrl) === given) {
        return { dc: accountsOverride.includes('{dc}') ? dc : dataCenterFromAccountsUrl(given) };
      }
    }
  }
  const known = DATA_CENTER_IDS.find((dc) => normaliseUrl(DATA_CENTERS[dc].accountsUrl) === given);
  return known ? { dc: known } : undefined;
}

function normaliseUrl(s: string): string | undefined {
  try {
    const u = new URL(s.trim());
    if (u.username || u.password || u.search || u.hash) return undefined;
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

export interface DataCenterChoice {
  dataCenter: DataCenter;
  /** Where the code is exchanged: always the DC's server or the configured override, never a pasted host. */
  accountsUrl: string;
  /** The redirect named another DC than the one the user picked. */
  corrected: boolean;
  /** An `accounts-server` that was ignored because it is not a known Zoho Accounts server. */
  ignoredAccountsServer?: string;
}

/** The DC a redirect says the account lives in: a trusted `accounts-server` first, then `location`, else the pick. */
export function chooseDataCenter(params: RedirectParams, picked: DataCenter, accountsOverride?: string): DataCenterChoice {
  let fromServer: DataCenter | null = null;
  let ignored: string | undefined;
  if (params.accountsServer) {
    const trusted = trustAccountsServer(params.accountsServer, accountsOverride);
    if (trusted) fromServer = trusted.dc;
    else ignored = params.accountsServer;
  }
  const dataCenter = fromServer ?? dataCenterFromLocation(params.location) ?? picked;
  const choice: DataCenterChoice = {
    dataCenter,
    accountsUrl: endpointsFor(dataCenter, { accountsUrl: accountsOverride }).accountsUrl,
    corrected: dataCenter !== picked,
  };
  if (ignored !== undefined) choice.ignoredAccountsServer = ignored.slice(0, 200);
  return choice;
}
