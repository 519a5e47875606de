import * as assert from 'assert';
import { SANDBOX_DEFAULTS } from '../sandbox/zohoSandbox';
import { useCliSandbox } from './cliSandbox';
import { runCli } from './run';

const { user: USER, org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;

describe('salesiq-devkit validate (contract)', () => {
  const cli = useCliSandbox('validate');
  const { flags, cache } = cli;
  const env = cli.env;

  it('a valid user token: ok with the endpoint it proved, expiry from the cache, token never printed', async () => {
    const token = await cache(USER.refreshTokens[0]);
    const r = await runCli(['validate', '--json', ...flags()], env({ SALESIQ_SCREEN_NAME: PORTAL.screenName }));
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    assert.strictEqual(r.json.ok, true);
    assert.strictEqual(r.json.valid, true);
    assert.strictEqual(r.json.profile, 'default');
    assert.ok(r.json.remainingSeconds > 3500, String(r.json.remainingSeconds));
    assert.strictEqual(r.json.endpoint, `/api/v2/${PORTAL.screenName}/departments`);
    assert.strictEqual(r.json.tokenKind, 'user');
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token));
  });

  it('an org token is checked against its brand app', async () => {
    await cache(ORG.refreshTokens[0]);
    const r = await runCli(['validate', '--json', ...flags()], env({ SALESIQ_SCREEN_NAME: PORTAL.screenName, SALESIQ_APP_ID: PORTAL.appId }));
    assert.strictEqual(r.code, 0, r.stdout);
    assert.strictEqual(r.json.endpoint, `/api/v2/${PORTAL.screenName}/apps/${PORTAL.appId}`);
  });

  it('an org token without screen name and app ID needs the settings (exit 3)', async () => {
    await cache(ORG.refreshTokens[0]);
    const r = await runCli(['validate', ...flags()], env());
    assert.strictEqual(r.code, 3);
    assert.match(r.stderr, /SALESIQ_SCREEN_NAME and SALESIQ_APP_ID/);
  });

  it('an expired token (cli.sandbox.expireAll) fails with 1001 and the refresh action, and names the refresh command', async () => {
    await cache(USER.refreshTokens[0]);
    cli.sandbox.expireAll();
    const r = await runCli(['validate', '--json', ...flags()], env({ SALESIQ_SCREEN_NAME: PORTAL.screenName }));
    assert.strictEqual(r.code, 1, r.stdout);
    assert.deepStrictEqual([r.json.ok, r.json.error.code, r.json.error.category, r.json.error.action], [false, 1001, 'auth', 'refresh']);
    assert.match(r.json.error.explanation, /salesiq-devkit refresh/);
  });

  it('a wrong screen name is 1005, a setting to fix (exit 3)', async () => {
    await cache(USER.refreshTokens[0]);
    const r = await runCli(['validate', '--json', ...flags()], env({ SALESIQ_SCREEN_NAME: 'not-our-portal' }));
    assert.strictEqual(r.code, 3, r.stdout);
    assert.deepStrictEqual([r.json.error.code, r.json.error.category, r.json.error.action], [1005, 'config', 'fix-config']);
  });

  it('the wrong data centre is refused as an invalid token for that host', async () => {
    await cache(USER.refreshTokens[0]);
    const r = await runCli(['validate', '--json', '--dc', 'com', '--salesiq-url', cli.sandbox.salesiqUrlTemplate, '--state-dir', cli.stateDir], env({ SALESIQ_SCREEN_NAME: PORTAL.screenName }));
    assert.strictEqual(r.json.ok, false, r.stdout);
    assert.ok([1005, 1008].includes(r.json.error.code), String(r.json.error.code));
  });

  it('uses SALESIQ_ACCESS_TOKEN when set (expiry unknown: null)', async () => {
    const t = cli.sandbox.mint(USER.refreshTokens[0]);
    const r = await runCli(['validate', '--json', ...flags()], env({ SALESIQ_ACCESS_TOKEN: t.accessToken }));
    assert.strictEqual(r.code, 0, r.stdout);
    assert.deepStrictEqual([r.json.tokenSource, r.json.expiresAt, r.json.remainingSeconds, r.json.endpoint], ['env', null, null, '/api/v2/portals']);
    assert.deepStrictEqual(r.json.portals, [PORTAL.screenName]);
    assert.ok(!r.stdout.includes(t.accessToken));
  });

  it('without any token it says how to get one', async () => {
    const r = await runCli(['validate', '--json', ...flags()], env());
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual([r.json.error.code, r.json.error.action], ['no-token', 'refresh']);
  });
});
