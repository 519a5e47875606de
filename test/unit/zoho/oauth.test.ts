import * as assert from 'node:assert/strict';
import { createHttpClient, type HttpClient, type HttpRequest } from '../../../src/core/net/http';
import { exchangeAuthorizationCode, requestRefresh } from '../../../src/core/zoho/oauth';
import { ZohoSandbox } from '../../sandbox/zohoSandbox';
import { FakeClock } from '../../support/fakeClock';
import { rejection } from '../../support/findings';
import { USER_CREDENTIALS, ORG_CREDENTIALS } from './helpers';

const user = USER_CREDENTIALS;
const org = ORG_CREDENTIALS;

describe('zoho/oauth against the sandbox', () => {
  let clock: FakeClock;
  let sandbox: ZohoSandbox;
  const http = createHttpClient();

  beforeEach(async () => {
    clock = new FakeClock();
    sandbox = new ZohoSandbox({ clock });
    await sandbox.start();
  });
  afterEach(() => sandbox.stop());

  describe('requestRefresh', () => {
    it('returns the access token, an hour of lifetime and the api_domain (expires_in in seconds)', async () => {
      const grant = await requestRefresh(http, sandbox.accountsUrl('in'), user);
      assert.match(grant.accessToken, /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
      assert.equal(grant.lifetimeSec, 3600);
      assert.equal(grant.apiDomain, 'https://www.zohoapis.in');
    });

    it('reads the legacy shape by expires_in_sec, not the milliseconds in expires_in', async () => {
      sandbox.expiresInStyle = 'legacy-ms';
      sandbox.tokenLifetimeSec = 1800;
      const grant = await requestRefresh(http, sandbox.accountsUrl('in'), org);
      assert.match(grant.accessToken, /^1005\./);
      assert.equal(grant.lifetimeSec, 1800);
    });

    it('caps a claimed lifetime above an hour at 3600 s', async () => {
      sandbox.tokenLifetimeSec = 7200;
      const grant = await requestRefresh(http, sandbox.accountsUrl('in'), user);
      assert.equal(grant.lifetimeSec, 3600);
    });

    it('sends one form-encoded POST without Authorization, scope or redirect_uri', async () => {
      const seen: HttpRequest[] = [];
      const recording: HttpClient = { request: (req) => (seen.push(req), http.request(req)) };
      await requestRefresh(recording, `${sandbox.accountsUrl('in')}/`, user);
      assert.equal(seen.length, 1);
      const req = seen[0];
      assert.equal(req.method, 'POST');
      assert.equal(req.url, `${sandbox.accountsUrl('in')}/oauth/v2/token`);
      assert.equal(req.headers?.['content-type'], 'application/x-www-form-urlencoded');
      assert.ok(!Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'authorization'));
      assert.deepEqual([...new URLSearchParams(req.body).keys()].sort(), ['client_id', 'client_secret', 'grant_type', 'refresh_token']);
      assert.ok(!req.url.includes(user.refreshToken), 'secrets stay out of the URL');
    });

    it('decodes the wrong data centre (HTTP 200 invalid_client) as a config finding', async () => {
      const err = await rejection(requestRefresh(http, sandbox.accountsUrl('com'), user));
      assert.equal(err.finding.source, 'oauth');
      assert.equal(err.finding.code, 'invalid_client');
      assert.equal(err.finding.httpStatus, 200);
      assert.equal(err.finding.category, 'config');
      assert.match(err.finding.explanation, /the US \(zoho.com\) data centre/, 'names the DC that was asked');
    });

    it('decodes a wrong secret as invalid_client_secret', async () => {
      const err = await rejection(requestRefresh(http, sandbox.accountsUrl('in'), { ...user, clientSecret: 'nope' }));
      assert.equal(err.finding.code, 'invalid_client_secret');
    });

    it('decodes a revoked refresh token as invalid_code that needs re-authorization', async () => {
      sandbox.revoke(user.refreshToken);
      const err = await rejection(requestRefresh(http, sandbox.accountsUrl('in'), user));
      assert.equal(err.finding.code, 'invalid_code');
      assert.equal(err.finding.action, 'reauthorize');
    });

    it('is throttled on the 11th request in ten minutes, and allowed again after the window', async () => {
      for (let i = 0; i < 10; i++) await requestRefresh(http, sandbox.accountsUrl('in'), user);
      const err = await rejection(requestRefresh(http, sandbox.accountsUrl('in'), user));
      assert.equal(err.finding.code, 'Access Denied');
      assert.equal(err.finding.category, 'rate-limit');
      await clock.advance(5 * 60_000);
      assert.equal((await rejection(requestRefresh(http, sandbox.accountsUrl('in'), user))).finding.code, 'Access Denied');
      await clock.advance(5 * 60_000 + 1);
      const grant = await requestRefresh(http, sandbox.accountsUrl('in'), user);
      assert.match(grant.accessToken, /^1000\./);
    });

    it('reports an HTML maintenance page as html with its status, and a cut-off body as bad_json', async () => {
      sandbox.failNext('html503');
      const html = await rejection(requestRefresh(http, sandbox.accountsUrl('in'), user));
      assert.deepEqual([html.finding.source, html.finding.code, html.finding.httpStatus], ['http', 'html', 503]);
      sandbox.failNext('garbage');
      const garbage = await rejection(requestRefresh(http, sandbox.accountsUrl('in'), user));
      assert.deepEqual([garbage.finding.source, garbage.finding.code], ['http', 'bad_json']);
    });

    it('treats a JSON body without access_token or error as no_access_token, whatever the status', async () => {
      const fake: HttpClient = { request: async () => ({ status: 200, headers: {}, text: '{"token_type":"Bearer"}' }) };
      const err = await rejection(requestRefresh(fake, 'https://accounts.example', user));
      assert.deepEqual([err.finding.source, err.finding.code], ['oauth', 'no_access_token']);
    });
  });

  describe('exchangeAuthorizationCode', () => {
    it('turns a self-client grant code into a working refresh token, once', async () => {
      const code = sandbox.issueGrantCode(user.clientId);
      const grant = await exchangeAuthorizationCode(http, sandbox.accountsUrl('in'), { clientId: user.clientId, clientSecret: user.clientSecret, code });
      assert.ok(grant.refreshToken);
      assert.match(grant.accessToken, /^1000\./);
      const again = await requestRefresh(http, sandbox.accountsUrl('in'), { ...user, refreshToken: grant.refreshToken });
      assert.equal(again.lifetimeSec, 3600);
      const reused = await rejection(
        exchangeAuthorizationCode(http, sandbox.accountsUrl('in'), { clientId: user.clientId, clientSecret: user.clientSecret, code }),
      );
      assert.equal(reused.finding.code, 'invalid_code');
    });

    it('rejects a code older than three minutes', async () => {
      const code = sandbox.issueGrantCode(user.clientId);
      await clock.advance(3 * 60_000 + 1);
      const err = await rejection(
        exchangeAuthorizationCode(http, sandbox.accountsUrl('in'), { clientId: user.clientId, clientSecret: user.clientSecret, code }),
      );
      assert.equal(err.finding.code, 'invalid_code');
    });
  });
});
