/**
 * A local Zoho emulator (Accounts OAuth + the SalesIQ calls DevKit makes) for tests and `npm start`.
 * It reproduces the behaviour in docs/zoho.md that DevKit must survive: errors
 * with HTTP 200 bodies, the wrong-DC `invalid_client`, the 10-per-10-minutes throttle, SalesIQ's 1001 for an
 * expired token, 1009 for a user token on the visitor API, plus injectable outages.
 * Listens on 127.0.0.1 only. Time comes from the injected Clock so expiry and throttling need no waiting.
 */
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../src/core/token/clock';
import { DATA_CENTERS, isDataCenter, type DataCenter } from '../../src/core/zoho/datacenters';

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** The DC the client is registered in; any other DC answers `invalid_client`. */
  dc: DataCenter;
  /** user: operator API tokens (`1000.`); org: visitor API tokens (`1005.`). */
  kind: 'user' | 'org';
  refreshTokens: string[];
  /** Redirect URIs registered for a server-based or org client; absent: any http://127.0.0.1:PORT/callback. */
  redirectUris?: string[];
}

export interface SandboxPortal {
  screenName: string;
  appId: string;
  departmentId: string;
  /** The DC the portal lives in; default 'in'. */
  dc?: DataCenter;
}

/** `stall`: the request is read and never answered (a minter hanging mid-request, until its process dies). */
export type SandboxFault = 'html503' | 'garbage' | 'reset' | 'throttle' | 'stall';

export interface ZohoSandboxOptions {
  tokenLifetimeSec?: number;
  clock?: Clock;
  clients?: SandboxClient[];
  portal?: SandboxPortal;
  /** 'seconds': `expires_in` in s; 'legacy-ms': `expires_in_sec` in s and `expires_in` in ms. */
  expiresInStyle?: 'seconds' | 'legacy-ms';
  /** HTTP status of the throttle body; Zoho sends 200 (sometimes 400). */
  throttleStatus?: number;
  /** Zoho's rate window (default 10 minutes); benches compress it to run many lifetimes in minutes. */
  rateWindowMs?: number;
}

export interface SandboxStats {
  /** Token requests that reached the token endpoint, per refresh token (injected faults not counted). */
  tokenRequests: Record<string, number>;
  conversationsCreated: number;
  transfers: number;
  faultsServed: number;
  /** The most access tokens alive at once per refresh token (Zoho keeps 10 and invalidates the oldest). */
  maxLiveTokens: Record<string, number>;
  /** Tokens invalidated because an 11th was minted for the same refresh token. */
  invalidated: number;
}

/** Known ids and secrets of the default data (DC 'in'), for tests and the `npm start` seed. */
export const SANDBOX_DEFAULTS = {
  user: {
    clientId: '1000.SANDBOXUSERCLIENT000000000000A',
    clientSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678ab',
    dc: 'in',
    kind: 'user',
    refreshTokens: ['1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210'],
  } as SandboxClient,
  org: {
    clientId: '1000.SANDBOXORGCLIENT0000000000000B',
    clientSecret: 'b2c3d4e5f60718293a4b5c6d7e8f9012345678abc1',
    dc: 'in',
    kind: 'org',
    refreshTokens: ['1005.89abcdef0123456789abcdef01234567.76543210fedcba9876543210fedcba98'],
  } as SandboxClient,
  /** A server-based client (browser sign-in) that has not authorized anyone yet: `npm start` offers it unauthorized. */
  server: {
    clientId: '1000.SANDBOXSERVERCLIENT00000000000C',
    clientSecret: 'c3d4e5f60718293a4b5c6d7e8f9012345678abcd12',
    dc: 'in',
    kind: 'user',
    refreshTokens: [],
  } as SandboxClient,
  portal: { screenName: 'devkit-sandbox', appId: '5000000000012', departmentId: '5000000000034', dc: 'in' } as SandboxPortal,
  operatorId: '5000000000056',
} as const;

/** Zoho's throttle answer, byte for byte (docs/zoho.md §2.2). */
export const THROTTLE_BODY =
  '{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}';

const TOKENS_PER_WINDOW = 10;
/** Live access tokens per refresh token; the oldest is invalidated when another is minted (reference §2). */
const LIVE_TOKENS_PER_REFRESH_TOKEN = 10;
const GRANT_CODE_TTL_MS = 3 * 60_000;
/** Codes from the redirect flow die faster than Self Client ones (about a minute). */
const REDIRECT_CODE_TTL_MS = 60_000;
const CONSENT_TTL_MS = 10 * 60_000;

const SALESIQ_MESSAGES: Record<number, string> = {
  1001: 'Unknown authentication error, Contact SalesIQ Team!',
  1002: 'Invalid authorization header.',
  1004: 'Invalid Request Type.',
  1005: 'Invalid portal or wrong screen name.',
  1006: 'Invalid URL',
  1008: 'Invalid OAuthToken.',
  1009: 'Invalid OAuthScope.',
  1011: 'Either the request parameters are invalid or absent',
  1015: 'Either the input stream is invalid or absent',
  1019: 'Invalid Resource',
  1023: 'Too many requests, lease try after sometime',
  1024: 'Invalid Operator id/s',
  1025: 'Invalid Department IDs',
  1054: 'Invalid header value',
};

interface MintedToken {
  dc: DataCenter;
  kind: 'user' | 'org';
  refreshToken: string;
  expiresAt: number;
  expired: boolean;
}

interface GrantCode {
  clientId: string;
  expiresAt: number;
  /** Set for codes from the redirect flow: the exchange must name the same URI. */
  redirectUri?: string;
  /** Only `access_type=offline` (and every Self Client code) earns a refresh token. */
  offline: boolean;
  scope: string;
}

/** A consent page that was shown and not yet answered. */
interface PendingConsent {
  client: SandboxClient;
  redirectUri: string;
  state: string | null;
  offline: boolean;
  scope: string;
  expiresAt: number;
}

interface Conversation {
  id: string;
  chatId: string;
  departmentId: string;
}

interface Reply {
  status: number;
  body: string;
  contentType?: string;
  /** A redirect target (the consent page's answer). */
  location?: string;
}

/** Zoho's own words for a DC in the redirect's `location`. */
const ZOHO_LOCATION: Partial<Record<DataCenter, string>> = { com: 'us', 'com.au': 'au', 'com.cn': 'cn' };

class SalesIQError {
  constructor(
    readonly code: number,
    readonly status = 400,
    readonly extra: Record<string, string> = {},
  ) {}
}

export class ZohoSandbox {
  expiresInStyle: 'seconds' | 'legacy-ms';
  tokenLifetimeSec: number;
  /** How long a code from the redirect flow lives; tests set 0 to get an expired one. */
  redirectCodeTtlMs = REDIRECT_CODE_TTL_MS;
  readonly portal: Required<SandboxPortal>;

  private readonly clock: Clock;
  private readonly clients: SandboxClient[];
  private readonly throttleStatus: number;
  private server: http.Server | null = null;
  private port = 0;
  private readonly revoked = new Set<string>();
  private readonly tokens = new Map<string, MintedToken>();
  private readonly grantCodes = new Map<string, GrantCode>();
  private readonly consents = new Map<string, PendingConsent>();
  private readonly mintTimes = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();
  private readonly conversations = new Map<string, Conversation>();
  private readonly faults: Record<'accounts' | 'salesiq', SandboxFault[]> = { accounts: [], salesiq: [] };
  private readonly counters: SandboxStats = {
    tokenRequests: {},
    conversationsCreated: 0,
    transfers: 0,
    faultsServed: 0,
    maxLiveTokens: {},
    invalidated: 0,
  };
  private readonly windowMs: number;

  constructor(opts: ZohoSandboxOptions = {}) {
    this.tokenLifetimeSec = opts.tokenLifetimeSec ?? 3600;
    this.clock = opts.clock ?? systemClock;
    const clients = opts.clients ?? [SANDBOX_DEFAULTS.user, SANDBOX_DEFAULTS.org, SANDBOX_DEFAULTS.server];
    this.clients = clients.map((c) => ({ ...c, refreshTokens: [...c.refreshTokens] }));
    this.portal = { dc: 'in', ...(opts.portal ?? SANDBOX_DEFAULTS.portal) };
    this.expiresInStyle = opts.expiresInStyle ?? 'seconds';
    this.throttleStatus = opts.throttleStatus ?? 200;
    this.windowMs = opts.rateWindowMs ?? 600_000;
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('ZohoSandbox is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  get accountsUrlTemplate(): string {
    return `${this.baseUrl}/accounts/{dc}`;
  }

  get salesiqUrlTemplate(): string {
    return `${this.baseUrl}/salesiq/{dc}`;
  }

  accountsUrl(dc: DataCenter): string {
    return `${this.baseUrl}/accounts/${dc}`;
  }

  salesiqUrl(dc: DataCenter): string {
    return `${this.baseUrl}/salesiq/${dc}`;
  }

  get stats(): SandboxStats {
    return { ...this.counters, tokenRequests: { ...this.counters.tokenRequests }, maxLiveTokens: { ...this.counters.maxLiveTokens } };
  }

  async start(port = 0): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` requests to `target` fail this way instead of being answered. */
  failNext(kind: SandboxFault, count = 1, target: 'accounts' | 'salesiq' = 'accounts'): void {
    for (let i = 0; i < count; i++) this.faults[target].push(kind);
  }

  /** The refresh token stops working (`invalid_code`), and its access tokens become unknown to SalesIQ (1008). */
  revoke(refreshToken: string): void {
    this.revoked.add(refreshToken);
  }

  /** Every access token minted so far is now expired (SalesIQ answers 1001). */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expired = true;
  }

  /** A single-use grant code for `clientId`, as the API console's "Generate Code" would give (valid 3 minutes). */
  issueGrantCode(clientId: string, scope = 'SalesIQ.portals.READ'): string {
    const org = this.clients.find((c) => c.clientId === clientId)?.kind === 'org';
    const code = `${org ? '1005' : '1000'}.${hex()}.${hex()}`;
    this.grantCodes.set(code, { clientId, expiresAt: this.clock.now() + GRANT_CODE_TTL_MS, offline: true, scope });
    return code;
  }

  /** Every grant code issued so far is now expired (an exchange answers `invalid_code`). */
  expireGrantCodes(): void {
    for (const g of this.grantCodes.values()) g.expiresAt = 0;
  }

  /**
   * Mints an access token directly, counted like a token request (for seeding `npm start`).
   * Throws when the refresh token is unknown or throttled.
   */
  mint(refreshToken: string): { accessToken: string; obtainedAt: number; expiresAt: number } {
    const client = this.clients.find((c) => c.refreshTokens.includes(refreshToken));
    if (!client || this.revoked.has(refreshToken)) throw new Error('unknown refresh token');
    if (this.throttled(refreshToken)) throw new Error('refresh token is throttled');
    const { accessToken, expiresAt } = this.mintFor(client, refreshToken);
    return { accessToken, obtainedAt: this.clock.now(), expiresAt };
  }

  // ---- HTTP plumbing ------------------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const target = url.pathname.startsWith('/accounts/') ? 'accounts' : url.pathname.startsWith('/salesiq/') ? 'salesiq' : null;
    if (target) {
      const fault = this.faults[target].shift();
      if (fault) {
        this.counters.faultsServed++;
        return this.serveFault(fault, target, req, res);
      }
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let reply: Reply;
      try {
        if (target === 'accounts') reply = this.accounts(req, url, body);
        else if (target === 'salesiq') reply = this.salesiq(req, url, body);
        else reply = { status: 404, body: '<html><body>Not found</body></html>', contentType: 'text/html' };
      } catch (err) {
        reply = { status: 500, body: `<html><body>${String(err)}</body></html>`, contentType: 'text/html' };
      }
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json;charset=UTF-8', ...(reply.location ? { location: reply.location } : {}) });
      res.end(reply.body);
    });
  }

  private serveFault(kind: SandboxFault, target: 'accounts' | 'salesiq', req: http.IncomingMessage, res: http.ServerResponse): void {
    if (kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (kind === 'stall') {
      req.resume();
      return;
    }
    const reply: Reply =
      kind === 'html503'
        ? { status: 503, body: '<!DOCTYPE html><html><head><title>Zoho - Under Maintenance</title></head><body>We will be back soon.</body></html>', contentType: 'text/html;charset=UTF-8' }
        : kind === 'garbage'
          ? { status: 200, body: '{"access_token":"1000.', contentType: 'application/json;charset=UTF-8' }
          : target === 'accounts'
            ? { status: this.throttleStatus, body: THROTTLE_BODY }
            : salesiqError(new SalesIQError(1023));
    // Drain the request first so the client sees a clean answer rather than a reset.
    req.resume();
    req.on('end', () => {
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json;charset=UTF-8' });
      res.end(reply.body);
    });
  }

  // ---- Zoho Accounts ------------------------------------------------------------------------------------

  private accounts(req: http.IncomingMessage, url: URL, body: string): Reply {
    const auth = /^\/accounts\/([^/]+)\/oauth\/v2\/(org\/)?auth\/?$/.exec(url.pathname);
    if (auth && isDataCenter(auth[1])) {
      const org = auth[2] !== undefined;
      if (req.method === 'GET') return this.consentPage(url, org);
      if (req.method === 'POST') return this.consentDecision(body);
      return page(405, 'Method not allowed', '<p>Use GET.</p>');
    }
    const m = /^\/accounts\/([^/]+)\/oauth\/v2\/token\/?$/.exec(url.pathname);
    if (!m || !isDataCenter(m[1])) {
      return { status: 404, body: '<html><body>Zoho Accounts: page not found</body></html>', contentType: 'text/html' };
    }
    if (req.method !== 'POST') return json(405, { error: 'invalid_request' });
    const params = new URLSearchParams(url.search);
    if (/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    }
    return this.tokenRequest(m[1], params);
  }

  private tokenRequest(dc: DataCenter, p: URLSearchParams): Reply {
    const grantType = p.get('grant_type');
    if (grantType !== 'refresh_token' && grantType !== 'authorization_code') return json(200, { error: 'unsupported_grant_type' });
    const refreshToken = grantType === 'refresh_token' ? p.get('refresh_token') ?? '' : '';
    if (refreshToken) this.counters.tokenRequests[refreshToken] = (this.counters.tokenRequests[refreshToken] ?? 0) + 1;

    const byId = this.clients.filter((c) => c.clientId === p.get('client_id'));
    const client = byId.find((c) => c.dc === dc);
    if (!client) return json(200, { error: 'invalid_client' });
    if (client.clientSecret !== p.get('client_secret')) return json(200, { error: 'invalid_client_secret' });

    if (grantType === 'authorization_code') return this.exchangeCode(client, p.get('code') ?? '', p.get('redirect_uri'));

    if (!client.refreshTokens.includes(refreshToken) || this.revoked.has(refreshToken)) return json(200, { error: 'invalid_code' });
    if (this.throttled(refreshToken)) return { status: this.throttleStatus, body: THROTTLE_BODY };
    return json(200, this.grantBody(this.mintFor(client, refreshToken).accessToken, client.dc));
  }

  private exchangeCode(client: SandboxClient, code: string, redirectUri: string | null): Reply {
    const grant = this.grantCodes.get(code);
    this.grantCodes.delete(code); // single use, even when it fails
    if (!grant || grant.clientId !== client.clientId || grant.expiresAt <= this.clock.now()) return json(200, { error: 'invalid_code' });
    if (grant.redirectUri !== undefined && grant.redirectUri !== redirectUri) return json(200, { error: 'invalid_redirect_uri' });
    const prefix = client.kind === 'org' ? '1005' : '1000';
    // Without offline access Zoho answers with an access token only; it is tied to no refresh token.
    const refreshToken = grant.offline ? `${prefix}.${hex()}.${hex()}` : `no-refresh-token.${hex()}`;
    if (grant.offline) client.refreshTokens.push(refreshToken);
    const { accessToken } = this.mintFor(client, refreshToken);
    const body = { ...this.grantBody(accessToken, client.dc), scope: grant.scope };
    return json(200, grant.offline ? { ...body, refresh_token: refreshToken } : body);
  }

  // ---- Zoho Accounts: the consent page of the authorization-code flow ----------------------------------

  /** `/oauth/v2/auth` (and `/oauth/v2/org/auth` for ORG clients): a minimal consent page, as if signed in. */
  private consentPage(url: URL, org: boolean): Reply {
    const q = url.searchParams;
    const client = this.clients.find((c) => c.clientId === q.get('client_id'));
    if (!client || (client.kind === 'org') !== org) {
      return page(400, 'Invalid Client', '<p>The client ID does not exist' + (client ? (org ? ' as an ORG client.' : ': this is an ORG client, use /oauth/v2/org/auth.') : '.') + '</p>');
    }
    if (q.get('response_type') !== 'code') return page(400, 'Invalid Request', '<p>response_type must be code.</p>');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!this.redirectAllowed(client, redirectUri)) return page(400, 'Invalid Redirect Uri', `<p>${esc(redirectUri)} is not registered for this client.</p>`);
    const scope = q.get('scope') ?? '';
    if (!scope) return page(400, 'Invalid Request', '<p>No scope was requested.</p>');
    const id = hex();
    const now = this.clock.now();
    for (const [k, c] of this.consents) if (c.expiresAt <= now) this.consents.delete(k);
    this.consents.set(id, { client, redirectUri, state: q.get('state'), offline: q.get('access_type') === 'offline', scope, expiresAt: now + CONSENT_TTL_MS });
    // A relative action: code-server opens loopback URLs through its /proxy/PORT/ path, and the answer must follow.
    const scopes = scope.split(',').map((s) => `<li><code>${esc(s)}</code></li>`).join('');
    return page(200, 'Zoho sandbox — consent', `<p>Signed in as <b>sandbox.user@devkit.invalid</b> (data centre ${esc(client.dc)}).</p>
<p><b>${org ? 'SalesIQ DevKit (ORG client)' : 'SalesIQ DevKit'}</b> would like to access:</p><ul>${scopes}</ul>
<form method="post" action="auth"><input type="hidden" name="consent_id" value="${id}">
<button type="submit" name="decision" value="accept" id="accept">Accept</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>`);
  }

  /** Accept → a short-lived single-use code; deny → `error=access_denied`; both redirect like Zoho. */
  private consentDecision(body: string): Reply {
    const form = new URLSearchParams(body);
    const id = form.get('consent_id') ?? '';
    const consent = this.consents.get(id);
    this.consents.delete(id);
    if (!consent || consent.expiresAt <= this.clock.now()) return page(400, 'Request expired', '<p>This consent request expired. Start again from the application.</p>');
    const target = new URL(consent.redirectUri);
    const set = (k: string, v: string | null) => v !== null && target.searchParams.set(k, v);
    if (form.get('decision') === 'accept') {
      const client = consent.client;
      const code = `${client.kind === 'org' ? '1005' : '1000'}.${hex()}.${hex()}`;
      this.grantCodes.set(code, {
        clientId: client.clientId,
        expiresAt: this.clock.now() + this.redirectCodeTtlMs,
        redirectUri: consent.redirectUri,
        offline: consent.offline,
        scope: consent.scope,
      });
      set('code', code);
      set('location', ZOHO_LOCATION[client.dc] ?? client.dc);
      set('accounts-server', this.accountsUrl(client.dc));
    } else {
      set('error', 'access_denied');
    }
    set('state', consent.state);
    return { status: 302, body: '', location: target.toString() };
  }

  private redirectAllowed(client: SandboxClient, uri: string): boolean {
    if (client.redirectUris) return client.redirectUris.includes(uri);
    return /^http:\/\/127\.0\.0\.1:\d{1,5}\/callback$/.test(uri);
  }

  /** Zoho's limit: 10 tokens per refresh token per 10 minutes, then blocked until the window ends. */
  private throttled(refreshToken: string): boolean {
    const now = this.clock.now();
    if ((this.lockedUntil.get(refreshToken) ?? 0) > now) return true;
    const recent = (this.mintTimes.get(refreshToken) ?? []).filter((t) => t > now - this.windowMs);
    this.mintTimes.set(refreshToken, recent);
    if (recent.length < TOKENS_PER_WINDOW) return false;
    this.lockedUntil.set(refreshToken, recent[0] + this.windowMs);
    return true;
  }

  private mintFor(client: SandboxClient, refreshToken: string): { accessToken: string; expiresAt: number } {
    const now = this.clock.now();
    const accessToken = `${client.kind === 'org' ? '1005' : '1000'}.${hex()}.${hex()}`;
    const expiresAt = now + this.tokenLifetimeSec * 1000;
    this.tokens.set(accessToken, { dc: client.dc, kind: client.kind, refreshToken, expiresAt, expired: false });
    this.mintTimes.set(refreshToken, [...(this.mintTimes.get(refreshToken) ?? []), now]);
    this.limitLiveTokens(refreshToken, now);
    return { accessToken, expiresAt };
  }

  /** Keeps at most 10 live tokens per refresh token, invalidating the oldest (in mint order), and records the peak. */
  private limitLiveTokens(refreshToken: string, now: number): void {
    const live = [...this.tokens.values()].filter((t) => t.refreshToken === refreshToken && !t.expired && t.expiresAt > now);
    for (const t of live.slice(0, Math.max(0, live.length - LIVE_TOKENS_PER_REFRESH_TOKEN))) {
      t.expired = true;
      this.counters.invalidated++;
    }
    const peak = Math.min(live.length, LIVE_TOKENS_PER_REFRESH_TOKEN);
    this.counters.maxLiveTokens[refreshToken] = Math.max(this.counters.maxLiveTokens[refreshToken] ?? 0, peak);
  }

  private grantBody(accessToken: string, dc: DataCenter): Record<string, unknown> {
    const apiDomain = DATA_CENTERS[dc].apiDomain;
    const life = this.tokenLifetimeSec;
    return this.expiresInStyle === 'legacy-ms'
      ? { access_token: accessToken, expires_in_sec: life, api_domain: apiDomain, token_type: 'Bearer', expires_in: life * 1000 }
      : { access_token: accessToken, api_domain: apiDomain, token_type: 'Bearer', expires_in: life };
  }

  // ---- SalesIQ --------------------------------------------------------------------------------------------

  private salesiq(req: http.IncomingMessage, url: URL, body: string): Reply {
    try {
      return this.salesiqRoute(req, url, body);
    } catch (err) {
      if (err instanceof SalesIQError) return salesiqError(err);
      throw err;
    }
  }

  private salesiqRoute(req: http.IncomingMessage, url: URL, body: string): Reply {
    const [dc, ...seg] = url.pathname.split('/').filter(Boolean).slice(1);
    if (!isDataCenter(dc)) throw new SalesIQError(1006, 404);
    const path = `/${seg.join('/')}`;
    const token = this.authenticate(req.headers.authorization, dc);
    const method = req.method ?? 'GET';

    const route = matchRoute(seg);
    if (!route) throw new SalesIQError(1006, 404);
    if (route.method !== method) throw new SalesIQError(1004);
    if (route.screen !== undefined) this.checkScreen(route.screen, dc);
    const visitorApi = route.name === 'open-conversation';
    const allowed = visitorApi ? token.kind === 'org' : token.kind === 'user' || route.name === 'app';
    if (!allowed) throw new SalesIQError(1009, 400);

    switch (route.name) {
      case 'portals':
        return ok(path, 'list', [this.portalData()]);
      case 'portal':
        if (route.id !== this.portal.screenName || dc !== this.portal.dc) throw new SalesIQError(1005);
        return ok(path, 'portal', this.portalData());
      case 'departments':
        return ok(path, 'list', [{ id: this.portal.departmentId, name: 'DevKit Sandbox Desk', is_enabled: 'true', is_public: 'true' }]);
      case 'operators':
        return ok(path, 'list', [{ id: SANDBOX_DEFAULTS.operatorId, name: 'Sandbox Operator', email_id: 'operator@sandbox.invalid', status_code: '1' }]);
      case 'app':
        if (route.id !== this.portal.appId) throw new SalesIQError(1019, 400, { param: 'app_id' });
        return ok(path, 'app', { id: this.portal.appId, name: 'DevKit Sandbox Brand', enabled: 'true' });
      case 'transfer':
        return this.transfer(req, path, route.id ?? '', body);
      case 'open-conversation':
        return this.openConversation(req, path, body);
    }
  }

  private authenticate(header: string | undefined, dc: DataCenter): MintedToken {
    const m = /^(?:Zoho-oauthtoken|Bearer) ([^\s]+)$/i.exec(header?.trim() ?? '');
    if (!m) throw new SalesIQError(1002);
    const token = this.tokens.get(m[1]);
    if (!token || token.dc !== dc || this.revoked.has(token.refreshToken)) throw new SalesIQError(1008, 401);
    if (token.expired || token.expiresAt <= this.clock.now()) throw new SalesIQError(1001);
    return token;
  }

  private checkScreen(screen: string, dc: DataCenter): void {
    if (screen !== this.portal.screenName || dc !== this.portal.dc) throw new SalesIQError(1005);
  }

  private portalData(): Record<string, unknown> {
    return { screenname: this.portal.screenName, name: 'DevKit Sandbox', owner_zuid: '60000001', operator_id: SANDBOX_DEFAULTS.operatorId, created_time: '1700000000000' };
  }

  private openConversation(req: http.IncomingMessage, path: string, body: string): Reply {
    const payload = jsonPayload(req, body);
    const visitor = (payload.visitor ?? {}) as Record<string, unknown>;
    for (const [key, value] of [['app_id', payload.app_id], ['department_id', payload.department_id], ['question', payload.question], ['visitor.user_id', visitor.user_id]] as const) {
      if (typeof value !== 'string' || !value) throw new SalesIQError(1011, 400, { json_key: key });
    }
    if (payload.app_id !== this.portal.appId) throw new SalesIQError(1019, 400, { json_key: 'app_id' });
    if (payload.department_id !== this.portal.departmentId) throw new SalesIQError(1025, 400, { json_key: 'department_id' });

    const id = digits(17);
    const conversation: Conversation = { id, chatId: digits(17), departmentId: this.portal.departmentId };
    this.conversations.set(id, conversation);
    this.counters.conversationsCreated++;
    return {
      status: 201,
      body: JSON.stringify({
        url: path,
        object: 'conversation',
        data: {
          id,
          conversation_id: id,
          chat_id: conversation.chatId,
          wms_chat_id: digits(19),
          reference_id: String(this.conversations.size),
          question: payload.question,
          department: { name: 'DevKit Sandbox Desk', id: this.portal.departmentId },
          visitor: { user_id: visitor.user_id, name: visitor.name ?? 'Visitor', email: visitor.email ?? '' },
          chat_status: { state_key: 'waiting', status_code: '1', state: 1, status_key: 'open' },
          start_time: String(this.clock.now()),
          type: 'visitor',
          auto_assign: true,
        },
      }),
    };
  }

  private transfer(req: http.IncomingMessage, path: string, conversationId: string, body: string): Reply {
    const payload = jsonPayload(req, body);
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new SalesIQError(1019);
    if (typeof payload.department_id !== 'string' || !payload.department_id) throw new SalesIQError(1011, 400, { json_key: 'department_id' });
    if (payload.department_id !== this.portal.departmentId) throw new SalesIQError(1025, 400, { json_key: 'department_id' });
    if (payload.operator_id !== undefined && payload.operator_id !== SANDBOX_DEFAULTS.operatorId) {
      throw new SalesIQError(1024, 400, { json_key: 'operator_id' });
    }
    conversation.departmentId = payload.department_id;
    this.counters.transfers++;
    return ok(path, 'conversation', {
      id: conversation.id,
      department: { id: conversation.departmentId, name: 'DevKit Sandbox Desk' },
      chat_status: { state_key: 'connected', status_code: 0, state: 2, label: 'Connected', status_key: 'open' },
    });
  }
}

interface Route {
  name: 'portals' | 'portal' | 'departments' | 'operators' | 'app' | 'transfer' | 'open-conversation';
  method: 'GET' | 'POST' | 'PUT';
  screen?: string;
  id?: string;
}

function matchRoute(seg: string[]): Route | null {
  const s = seg.map((x) => decodeURIComponent(x));
  const n = s.length;
  if (s[0] === 'api' && s[1] === 'v2') {
    if (n === 3 && s[2] === 'portals') return { name: 'portals', method: 'GET' };
    if (n === 4 && s[2] === 'portals') return { name: 'portal', method: 'GET', id: s[3] };
    if (n === 4 && s[3] === 'departments') return { name: 'departments', method: 'GET', screen: s[2] };
    if (n === 4 && s[3] === 'operators') return { name: 'operators', method: 'GET', screen: s[2] };
    if (n === 5 && s[3] === 'apps') return { name: 'app', method: 'GET', screen: s[2], id: s[4] };
    if (n === 6 && s[3] === 'conversations' && s[5] === 'transfer') return { name: 'transfer', method: 'PUT', screen: s[2], id: s[4] };
  }
  if (n === 5 && s[0] === 'api' && s[1] === 'visitor' && s[2] === 'v1' && s[4] === 'conversations') {
    return { name: 'open-conversation', method: 'POST', screen: s[3] };
  }
  return null;
}

/** A JSON request body, or SalesIQ's 1054 (wrong content type) / 1015 (no valid JSON). */
function jsonPayload(req: http.IncomingMessage, body: string): Record<string, unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new SalesIQError(1054, 400, { header: 'content-type' });
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new SalesIQError(1015);
}

function ok(url: string, object: string, data: unknown): Reply {
  const envelope: Record<string, unknown> = { url, object, data };
  if (object === 'list') envelope.sync_time = '1700000000000';
  return json(200, envelope);
}

function salesiqError(e: SalesIQError): Reply {
  return json(e.status, { error: { code: e.code, message: SALESIQ_MESSAGES[e.code] ?? 'Error', ...e.extra } });
}

function page(status: number, title: string, inner: string): Reply {
  const body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.6rem}</style></head>
<body><h1>${esc(title)}</h1>${inner}</body></html>`;
  return { status, body, contentType: 'text/html;charset=UTF-8' };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body) };
}

function hex(): string {
  return randomBytes(16).toString('hex');
}

function digits(n: number): string {
  let s = String(1 + Math.floor(Math.random() * 9));
  while (s.length < n) s += String(Math.floor(Math.random() * 10));
  return s;
}
