/** The emulator's own answers that DevKit's API helpers never provoke but other tests and users rely on. */
import * as assert from 'node:assert/strict';
import { createHttpClient } from '../../../src/core/net/http';
import { SANDBOX_DEFAULTS, THROTTLE_BODY, ZohoSandbox } from '../../sandbox/zohoSandbox';

const { portal, org, user } = SANDBOX_DEFAULTS;

describe('ZohoSandbox', () => {
  let sandbox: ZohoSandbox;
  let orgToken: string;
  let userToken: string;
  const http = createHttpClient();

  const visitorPost = (body: string, contentType = 'application/json') =>
    http.request({
      url: `${sandbox.salesiqUrl('in')}/api/visitor/v1/${portal.screenName}/conversations`,
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${orgToken}`, 'content-type': contentType },
      body,
    });
  const errorOf = (text: string) => (JSON.parse(text) as { error: Record<string, unknown> }).error;

  beforeEach(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
    orgToken = sandbox.mint(org.refreshTokens[0]).accessToken;
    userToken = sandbox.mint(user.refreshTokens[0]).accessToken;
  });
  afterEach(() => sandbox.stop());

  it('accepts the refresh parameters in the query string too', async () => {
    const q = new URLSearchParams({ grant_type: 'refresh_token', client_id: user.clientId, client_secret: user.clientSecret, refresh_token: user.refreshTokens[0] });
    const res = await http.request({ url: `${sandbox.accountsUrl('in')}/oauth/v2/token?${q}`, method: 'POST' });
    assert.match(JSON.parse(res.text).access_token, /^1000\./);
  });

  it('sends the throttle body byte for byte', async () => {
    sandbox.failNext('throttle');
    const res = await http.request({ url: `${sandbox.accountsUrl('in')}/oauth/v2/token`, method: 'POST', body: '' });
    assert.deepEqual([res.status, res.text], [200, THROTTLE_BODY]);
  });

  it('names the missing mandatory field of a visitor conversation (1011 + json_key)', async () => {
    const res = await visitorPost(JSON.stringify({ app_id: portal.appId, department_id: portal.departmentId, question: 'q', visitor: {} }));
    assert.equal(res.status, 400);
    assert.deepEqual(errorOf(res.text), { code: 1011, message: 'Either the request parameters are invalid or absent', json_key: 'visitor.user_id' });
  });

  it('answers 1015 for a body that is not JSON and 1054 for a wrong content type', async () => {
    assert.equal(errorOf((await visitorPost('{oops')).text).code, 1015);
    const wrongType = errorOf((await visitorPost('{}', 'text/plain')).text);
    assert.deepEqual([wrongType.code, wrongType.header], [1054, 'content-type']);
  });

  it('answers 1006 for an unknown path and 1004 for a wrong method', async () => {
    const auth = { authorization: `Zoho-oauthtoken ${userToken}` };
    const unknown = await http.request({ url: `${sandbox.salesiqUrl('in')}/api/v2/${portal.screenName}/nothing`, method: 'GET', headers: auth });
    assert.equal(errorOf(unknown.text).code, 1006);
    const method = await http.request({ url: `${sandbox.salesiqUrl('in')}/api/v2/portals`, method: 'POST', headers: auth });
    assert.equal(errorOf(method.text).code, 1004);
  });

  it('transfers an open conversation to the department with a user token', async () => {
    const created = JSON.parse(
      (await visitorPost(JSON.stringify({ app_id: portal.appId, department_id: portal.departmentId, question: 'q', visitor: { user_id: 'v1' } }))).text,
    );
    const res = await http.request({
      url: `${sandbox.salesiqUrl('in')}/api/v2/${portal.screenName}/conversations/${created.data.conversation_id}/transfer`,
      method: 'PUT',
      headers: { authorization: `Zoho-oauthtoken ${userToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ department_id: portal.departmentId, note: '[TEST]' }),
    });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).data.id, created.data.conversation_id);
    assert.equal(sandbox.stats.transfers, 1);
  });

  it('invalidates the access tokens of a revoked refresh token (1008)', async () => {
    sandbox.revoke(user.refreshTokens[0]);
    const res = await http.request({ url: `${sandbox.salesiqUrl('in')}/api/v2/portals`, method: 'GET', headers: { authorization: `Zoho-oauthtoken ${userToken}` } });
    assert.equal(errorOf(res.text).code, 1008);
  });
});
