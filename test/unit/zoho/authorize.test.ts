import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { isDevKitError } from '../../../src/core/errors/devkitError';
import { createHttpClient } from '../../../src/core/net/http';
import {
  apiConsoleUrl,
  authorizeUrl,
  chooseDataCenter,
  dataCenterFromLocation,
  newState,
  readPastedCode,
  redirectUri,
  statesMatch,
  trustAccountsServer,
} from '../../../src/core/zoho/authorize';
import { authorizeInBrowser, authorizeWithCode } from '../../../src/core/zoho/authorizeFlow';
import { listenForRedirect } from '../../../src/core/zoho/redirectListener';
import { parseScopes, presetScopes } from '../../../src/core/zoho/scopes';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../../sandbox/zohoSandbox';

const SANDBOX_TEMPLATE = 'http://127.0.0.1:7357/accounts/{dc}';

async function rejectionOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    assert.ok(isDevKitError(e), String(e));
    return e.finding;
  }
  assert.fail('expected a rejection');
}

describe('zoho/authorize: URLs and state', () => {
  it('builds the server-based authorize URL with offline access, consent, scopes and state', () => {
    const url = new URL(authorizeUrl({ accountsUrl: 'https://accounts.zoho.in/', clientType: 'server', clientId: '1000.ABC', scopes: ['SalesIQ.portals.READ', 'SalesIQ.departments.READ'], redirectUri: redirectUri(8765), state: 's1' }));
    assert.equal(`${url.origin}${url.pathname}`, 'https://accounts.zoho.in/oauth/v2/auth');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      response_type: 'code',
      client_id: '1000.ABC',
      scope: 'SalesIQ.portals.READ,SalesIQ.departments.READ',
      redirect_uri: 'http://127.0.0.1:8765/callback',
      access_type: 'offline',
      prompt: 'consent',
      state: 's1',
    });
  });

  it('sends org clients to /oauth/v2/org/auth', () => {
    const url = new URL(authorizeUrl({ accountsUrl: 'https://accounts.zoho.com', clientType: 'org', clientId: 'c', scopes: presetScopes('org'), redirectUri: redirectUri(9000), state: 's' }));
    assert.equal(url.pathname, '/oauth/v2/org/auth');
    assert.equal(url.searchParams.get('scope'), 'SalesIQ.Conversations.ALL,SalesIQ.apps.read');
  });

  it('makes a fresh URL-safe state each time and compares it exactly', () => {
    const a = newState();
    const b = newState();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.ok(statesMatch(a, a));
    assert.ok(!statesMatch(a, b));
    assert.ok(!statesMatch(a, undefined));
    assert.ok(!statesMatch(a, `${a}x`));
  });

  it('names the API console of each data centre', () => {
    assert.equal(apiConsoleUrl('in'), 'https://api-console.zoho.in/');
    assert.equal(apiConsoleUrl('ca'), 'https://api-console.zohocloud.ca/');
  });
});

describe('zoho/authorize: reading a pasted code', () => {
  const code = '1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210';

  it('takes a bare code with surrounding whitespace', () => {
    assert.deepEqual(readPastedCode(`\n  ${code}\t `), { ok: true, params: { code } });
  });

  it('takes a redirect URL holding code=, with its location and accounts-server', () => {
    const r = readPastedCode(` http://127.0.0.1:8765/callback?state=abc&code=${code}&location=in&accounts-server=https%3A%2F%2Faccounts.zoho.in `);
    assert.deepEqual(r, { ok: true, params: { code, state: 'abc', location: 'in', accountsServer: 'https://accounts.zoho.in' } });
  });

  it('takes a bare query string and a code in the fragment', () => {
    assert.equal(readPastedCode(`code=${code}&location=eu`).ok, true);
    const r = readPastedCode(`https://example.invalid/cb#code=${code}`);
    assert.ok(r.ok && r.params.code === code);
  });

  it('refuses what cannot be a code, and reports a denied consent', () => {
    for (const bad of ['', '   ', 'two words here', 'x'.repeat(9000), 'https://example.invalid/cb?state=1', 'code=<script>']) assert.equal(readPastedCode(bad).ok, false, bad);
    const denied = readPastedCode('http://127.0.0.1:8765/callback?error=access_denied&state=s');
    assert.ok(!denied.ok && denied.params?.error === 'access_denied');
  });
});

describe('zoho/authorize: the data centre from the redirect', () => {
  it('maps Zoho location words and DevKit ids', () => {
    assert.deepEqual(['us', 'in', 'au', 'cn', 'eu', 'com.au', 'EU', 'mars', undefined].map(dataCenterFromLocation), ['com', 'in', 'com.au', 'com.cn', 'eu', 'com.au', 'eu', null, null]);
  });

  it('trusts only the known Accounts servers, exactly, and the configured override', () => {
    assert.deepEqual(trustAccountsServer('https://accounts.zoho.in'), { dc: 'in' });
    assert.deepEqual(trustAccountsServer('https://accounts.zohocloud.ca/'), { dc: 'ca' });
    for (const bad of ['https://accounts.zoho.in.evil.example', 'http://accounts.zoho.in', 'https://accounts.zoho.in:8443', 'https://user@accounts.zoho.in', 'https://accounts.zoho.in/x', 'https://accounts.zoho.in?x=1', 'javascript:alert(1)', 'not a url']) {
      assert.equal(trustAccountsServer(bad), undefined, bad);
    }
    assert.deepEqual(trustAccountsServer('http://127.0.0.1:7357/accounts/eu', SANDBOX_TEMPLATE), { dc: 'eu' });
    assert.equal(trustAccountsServer('http://127.0.0.1:7358/accounts/eu', SANDBOX_TEMPLATE), undefined);
    assert.deepEqual(trustAccountsServer('https://accounts.sovereign.example', 'https://accounts.sovereign.example'), { dc: null });
  });

  it('corrects a wrongly picked DC from a trusted accounts-server, else from location', () => {
    assert.deepEqual(chooseDataCenter({ accountsServer: 'https://accounts.zoho.in', location: 'eu' }, 'com'), { dataCenter: 'in', accountsUrl: 'https://accounts.zoho.in', corrected: true });
    assert.deepEqual(chooseDataCenter({ location: 'in' }, 'in'), { dataCenter: 'in', accountsUrl: 'https://accounts.zoho.in', corrected: false });
    assert.deepEqual(chooseDataCenter({}, 'jp'), { dataCenter: 'jp', accountsUrl: 'https://accounts.zoho.jp', corrected: false });
  });

  it('never takes the exchange to an untrusted accounts-server', () => {
    const c = chooseDataCenter({ accountsServer: 'https://accounts.evil.example', location: 'in' }, 'com');
    assert.deepEqual(c, { dataCenter: 'in', accountsUrl: 'https://accounts.zoho.in', corrected: true, ignoredAccountsServer: 'https://accounts.evil.example' });
  });

  it('keeps an overridden accounts server for the DC the redirect names', () => {
    const c = chooseDataCenter({ accountsServer: 'https://accounts.zoho.in' }, 'com', SANDBOX_TEMPLATE);
    assert.equal(c.accountsUrl, 'http://127.0.0.1:7357/accounts/in');
  });
});

describe('zoho/scopes', () => {
  it('parses comma- or space-separated lists, deduplicated', () => {
    assert.deepEqual(parseScopes(' SalesIQ.portals.READ, SalesIQ.portals.READ SalesIQ.apps.read ,'), { ok: true, scopes: ['SalesIQ.portals.READ', 'SalesIQ.apps.read'] });
  });

  it('refuses an empty list and anything that is not a scope', () => {
    assert.equal(parseScopes(' , ').ok, false);
    assert.equal(parseScopes('SalesIQ.portals.READ&evil=1').ok, false);
    assert.equal(parseScopes('portals').ok, false);
  });

  it('user and org presets differ: operator API vs visitor API', () => {
    assert.ok(presetScopes('user').includes('SalesIQ.departments.READ'));
    assert.ok(presetScopes('org').includes('SalesIQ.Conversations.ALL'));
  });
});

describe('zoho/redirectListener and the flows against the sandbox', () => {
  let sandbox: ZohoSandbox;
  const http = createHttpClient();
  const server = { clientId: SANDBOX_DEFAULTS.server.clientId, clientSecret: SANDBOX_DEFAULTS.server.clientSecret };

  beforeEach(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
  });
  afterEach(() => sandbox.stop());

  /** Follows the consent page like a browser: GET it, submit Accept, GET the redirect. */
  async function accept(url: string, decision = 'accept'): Promise<string> {
    const html = await (await fetch(url)).text();
    const id = /name="consent_id" value="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
    const action = new URL(/action="([^"]+)"/.exec(html)?.[1] ?? '', url);
    const res = await fetch(action, { method: 'POST', body: new URLSearchParams({ consent_id: id, decision }), redirect: 'manual' });
    const location = res.headers.get('location') ?? '';
    await (await fetch(location)).text();
    return location;
  }

  it('browser flow: listens, the consent redirect arrives, the code is exchanged at the redirect\'s DC', async () => {
    let opened = '';
    const r = await authorizeInBrowser({
      http, clientType: 'server', client: server, pickedDc: 'com', accountsOverride: sandbox.accountsUrlTemplate,
      scopes: presetScopes('user'), port: 0, timeoutMs: 10_000,
      open: async (url) => {
        opened = url;
        setImmediate(() => void accept(url));
      },
    });
    assert.match(opened, /\/accounts\/com\/oauth\/v2\/auth\?/);
    assert.equal(r.dataCenter, 'in');
    assert.equal(r.corrected, true);
    assert.match(r.refreshToken, /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    assert.equal(r.accountsUrl, sandbox.accountsUrl('in'));
    assert.ok(SANDBOX_DEFAULTS.server.refreshTokens.length === 0, 'the shared defaults are not mutated');
  });

  it('the listener answers one redirect and refuses a wrong state, a denial and other paths', async () => {
    const l = await listenForRedirect({ port: 0, expectedState: 'good', timeoutMs: 5000 });
    const stray = await fetch(`http://127.0.0.1:${l.port}/favicon.ico`);
    assert.equal(stray.status, 404);
    const res = await fetch(`${l.redirectUri}?code=1000.abcdef0123&state=bad`);
    assert.equal(res.status, 400);
    assert.equal((await rejectionOf(l.result)).code, 'state_mismatch');
    await assert.rejects(fetch(l.redirectUri), 'the listener is closed after one redirect');

    const d = await listenForRedirect({ port: 0, expectedState: 's', timeoutMs: 5000 });
    await fetch(`${d.redirectUri}?error=access_denied&state=s`);
    const f = await rejectionOf(d.result);
    assert.deepEqual([f.code, f.action], ['access_denied', 'reauthorize']);
  });

  it('a port in use and a timeout are decoded, naming the port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', () => ok()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const f = await rejectionOf(listenForRedirect({ port, expectedState: 's', timeoutMs: 1000 }));
      assert.equal(f.code, 'EADDRINUSE');
      assert.ok(f.title.includes(String(port)));
    } finally {
      blocker.close();
    }
    const l = await listenForRedirect({ port: 0, expectedState: 's', timeoutMs: 50 });
    const t = await rejectionOf(l.result);
    assert.equal(t.code, 'redirect_timeout');
    assert.ok(t.explanation.includes(`127.0.0.1:${l.port}/callback`));
  });

  it('code flow: a Self Client code is exchanged without redirect_uri; an answer without refresh token is refused', async () => {
    const user = { clientId: SANDBOX_DEFAULTS.user.clientId, clientSecret: SANDBOX_DEFAULTS.user.clientSecret };
    const ok = await authorizeWithCode({ http, clientType: 'self', client: user, pickedDc: 'in', accountsOverride: sandbox.accountsUrlTemplate, pasted: { code: sandbox.issueGrantCode(user.clientId) }, redirectPort: 8765 });
    assert.match(ok.refreshToken, /^1000\./);

    let url = '';
    const pending = authorizeInBrowser({
      http, clientType: 'server', client: server, pickedDc: 'in', accountsOverride: sandbox.accountsUrlTemplate,
      scopes: ['SalesIQ.portals.READ'], port: 0, timeoutMs: 10_000,
      open: (u) => {
        const online = new URL(u);
        online.searchParams.delete('access_type');
        url = online.toString();
        setImmediate(() => void accept(url));
      },
    });
    const f = await rejectionOf(pending);
    assert.deepEqual([f.code, f.category, f.action], ['no_refresh_token', 'grant', 'reauthorize']);
  });
});
