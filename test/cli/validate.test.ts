import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StateStore } from '../../src/core/stateFiles';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { runCli } from './run';

const { user: USER, org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;

describe('salesiq-devkit validate (contract)', () => {
  let sandbox: ZohoSandbox;
  let stateDir: string;
  const flags = () => ['--dc', 'in', '--accounts-url', sandbox.accountsUrlTemplate, '--salesiq-url', sandbox.salesiqUrlTemplate, '--state-dir', stateDir];
  const env = (extra: Record<string, string> = {}) => ({ XDG_CONFIG_HOME: stateDir, ...extra });

  /** A token minted by the sandbox, cached as `refresh` would have cached it. */
  async function cache(refreshToken: string): Promise<string> {
    const t = sandbox.mint(refreshToken);
    await new StateStore(stateDir).tokenStore('default', undefined).writeToken({ accessToken: t.accessToken, obtainedAt: t.obtainedAt, expiresAt: t.expiresAt });
    return t.accessToken;
  }

  // A sandbox per test: Zoho's 10-tokens-per-10-minutes limit then never links one test to another.
  beforeEach(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-validate-'));
  });
  afterEach(async () => {
    await sandbox.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

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

  it('an expired token (sandbox.expireAll) fails with 1001 and the refresh action, and names the refresh command', async () => {
    await cache(USER.refreshTokens[0]);
    sandbox.expireAll();
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
    const r = await runCli(['validate', '--json', '--dc', 'com', '--salesiq-url', sandbox.salesiqUrlTemplate, '--state-dir', stateDir], env({ SALESIQ_SCREEN_NAME: PORTAL.screenName }));
    assert.strictEqual(r.json.ok, false, r.stdout);
    assert.ok([1005, 1008].includes(r.json.error.code), String(r.json.error.code));
  });

  it('uses SALESIQ_ACCESS_TOKEN when set (expiry unknown: null)', async () => {
    const t = sandbox.mint(USER.refreshTokens[0]);
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
