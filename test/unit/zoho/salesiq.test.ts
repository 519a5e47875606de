import * as assert from 'node:assert/strict';
import { createHttpClient, type HttpClient } from '../../../src/core/net/http';
import { openTestConversation, parseSalesIQError, validateToken } from '../../../src/core/salesiq/api';
import { requestRefresh } from '../../../src/core/zoho/oauth';
import { SANDBOX_DEFAULTS, ZohoSandbox, type SandboxClient } from '../../sandbox/zohoSandbox';
import { FakeClock } from '../../support/fakeClock';
import { rejection } from '../../support/findings';

const portal = SANDBOX_DEFAULTS.portal;
const comClient: SandboxClient = {
  clientId: '1000.SANDBOXCOMCLIENT00000000000000C',
  clientSecret: 'c0m0c0m0c0m0c0m0c0m0c0m0c0m0c0m0c0m0c0m0c0',
  dc: 'com',
  kind: 'user',
  refreshTokens: ['1000.cccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddd'],
};

describe('salesiq/api against the sandbox', () => {
  let clock: FakeClock;
  let sandbox: ZohoSandbox;
  let salesiq: string;
  let userToken: string;
  let orgToken: string;
  const http = createHttpClient();

  const mint = async (client: SandboxClient) =>
    (await requestRefresh(http, sandbox.accountsUrl(client.dc), {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      refreshToken: client.refreshTokens[0],
    }))
      .accessToken;

  const conversation = (token: string, overrides: Partial<Parameters<typeof openTestConversation>[3]> = {}) =>
    openTestConversation(http, salesiq, token, {
      screenName: portal.screenName,
      appId: portal.appId,
      departmentId: portal.departmentId,
      question: '[TEST] DevKit check - please ignore',
      visitorId: 'devkit-test-visitor',
      visitorName: 'DevKit test',
      ...overrides,
    });

  beforeEach(async () => {
    clock = new FakeClock();
    sandbox = new ZohoSandbox({ clock, clients: [SANDBOX_DEFAULTS.user, SANDBOX_DEFAULTS.org, comClient] });
    await sandbox.start();
    salesiq = sandbox.salesiqUrl('in');
    userToken = await mint(SANDBOX_DEFAULTS.user);
    orgToken = await mint(SANDBOX_DEFAULTS.org);
  });
  afterEach(() => sandbox.stop());

  describe('validateToken', () => {
    it('accepts a fresh user token and lists its portals', async () => {
      const r = await validateToken(http, salesiq, userToken);
      assert.equal(r.ok, true);
      assert.deepEqual(r.portals, [portal.screenName]);
    });

    it('checks the screen name through the departments list', async () => {
      const r = await validateToken(http, salesiq, userToken, { screenName: portal.screenName });
      assert.equal(r.ok, true);
      assert.equal(r.portals, undefined);
    });

    it('reports an expired token as SalesIQ 1001 (HTTP 400), an auth problem to fix by refreshing', async () => {
      sandbox.expireAll();
      const err = await rejection(validateToken(http, salesiq, userToken));
      assert.deepEqual([err.finding.source, err.finding.code, err.finding.httpStatus], ['salesiq', 1001, 400]);
      assert.equal(err.finding.category, 'auth');
      assert.equal(err.finding.action, 'refresh');
    });

    it('reports the token expiring by time alone as 1001 too', async () => {
      await clock.advance(3600_000);
      assert.equal((await rejection(validateToken(http, salesiq, userToken))).finding.code, 1001);
    });

    it('reports an unknown token as 1008', async () => {
      const err = await rejection(validateToken(http, salesiq, `1000.${'0'.repeat(32)}.${'1'.repeat(32)}`));
      assert.equal(err.finding.code, 1008);
      assert.equal(err.finding.category, 'auth');
    });

    it('reports a token used at another data centre\'s SalesIQ as 1008', async () => {
      const err = await rejection(validateToken(http, sandbox.salesiqUrl('com'), userToken));
      assert.equal(err.finding.code, 1008);
    });

    it('reports a wrong screen name, or a portal looked for in the wrong DC, as 1005', async () => {
      const wrong = await rejection(validateToken(http, salesiq, userToken, { screenName: 'not-our-portal' }));
      assert.equal(wrong.finding.code, 1005);
      const comToken = await mint(comClient);
      const otherDc = await rejection(validateToken(http, sandbox.salesiqUrl('com'), comToken, { screenName: portal.screenName }));
      assert.equal(otherDc.finding.code, 1005);
    });

    it('validates an org token through its brand app, and reports the operator API as 1009 for it', async () => {
      const r = await validateToken(http, salesiq, orgToken, { screenName: portal.screenName, appId: portal.appId });
      assert.equal(r.ok, true);
      assert.equal((await rejection(validateToken(http, salesiq, orgToken))).finding.code, 1009);
    });

    it('decodes an HTML page from SalesIQ instead of failing on JSON', async () => {
      sandbox.failNext('html503', 1, 'salesiq');
      const err = await rejection(validateToken(http, salesiq, userToken));
      assert.deepEqual([err.finding.source, err.finding.code, err.finding.httpStatus], ['http', 'html', 503]);
    });
  });

  describe('openTestConversation', () => {
    it('opens a conversation with an org token (HTTP 201) and returns its ids', async () => {
      const r = await conversation(orgToken);
      assert.equal(r.status, 201);
      assert.match(r.conversationId ?? '', /^\d+$/);
      assert.match(r.chatId ?? '', /^\d+$/);
      assert.equal(sandbox.stats.conversationsCreated, 1);
    });

    it('reports a user token on the visitor API as 1009 (wrong token type) and opens nothing', async () => {
      const err = await rejection(conversation(userToken));
      assert.equal(err.finding.code, 1009);
      assert.equal(err.finding.category, 'scope');
      assert.match(err.finding.explanation, /user token/, 'explains that the token type is the cause');
      assert.equal(sandbox.stats.conversationsCreated, 0);
    });

    it('surfaces the json_key SalesIQ names for a bad department', async () => {
      const err = await rejection(conversation(orgToken, { departmentId: '999' }));
      assert.equal(err.finding.code, 1025);
      assert.equal(err.finding.details?.json_key, 'department_id');
    });

    it('takes the id from data.id when conversation_id is missing, and succeeds on a 200 too', async () => {
      const fake: HttpClient = { request: async () => ({ status: 200, headers: {}, text: '{"url":"/x","object":"conversation","data":{"id":12345}}' }) };
      const r = await openTestConversation(fake, 'https://salesiq.example', orgToken, {
        screenName: 's', appId: 'a', departmentId: 'd', question: 'q', visitorId: 'v',
      });
      assert.deepEqual([r.status, r.conversationId, r.chatId], [200, '12345', undefined]);
    });
  });

  describe('parseSalesIQError', () => {
    it('keeps the SalesIQ code and the field it points at, with the HTTP status as a hint', () => {
      const f = parseSalesIQError(400, '{"error":{"code":1011,"message":"Either the request parameters are invalid or absent","json_key":"visitor.user_id"}}');
      assert.deepEqual([f.source, f.code, f.httpStatus, f.details?.json_key], ['salesiq', 1011, 400, 'visitor.user_id']);
    });

    it('names the header for 1054', () => {
      const f = parseSalesIQError(400, '{"error":{"code":1054,"message":"Invalid header value","header":"content-type"}}');
      assert.equal(f.details?.header, 'content-type');
    });

    it('falls back to the HTTP status when the body has no envelope', () => {
      const f = parseSalesIQError(502, 'Bad Gateway');
      assert.deepEqual([f.source, f.code], ['http', 502]);
    });
  });
});
