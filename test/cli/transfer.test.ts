import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SANDBOX_DEFAULTS } from '../sandbox/zohoSandbox';
import { credentialsEnv, useCliSandbox } from './cliSandbox';
import { runCli } from './run';

const { user: USER, org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;
const PORTAL_ENV = { SALESIQ_SCREEN_NAME: PORTAL.screenName, SALESIQ_APP_ID: PORTAL.appId, SALESIQ_DEPARTMENT_ID: PORTAL.departmentId };

describe('salesiq-devkit test-transfer (contract)', () => {
  const cli = useCliSandbox('transfer');
  const { flags, cache } = cli;
  const env = (extra: Record<string, string> = {}) => cli.env({ ...PORTAL_ENV, ...extra });
  const creds = credentialsEnv;

  it('--yes with an org token opens a labelled conversation: 201, its id and the latency', async () => {
    const token = await cache(ORG.refreshTokens[0]);
    const before = cli.sandbox.stats.conversationsCreated;
    const r = await runCli(['test-transfer', '--yes', '--json', ...flags()], env());
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    assert.strictEqual(r.json.ok, true);
    assert.strictEqual(r.json.status, 201);
    assert.match(r.json.conversationId, /^\d+$/);
    assert.strictEqual(typeof r.json.latencyMs, 'number');
    assert.match(r.json.question, /^\[TEST\] .*please ignore$/);
    assert.match(r.json.visitorId, /^devkit-test-/);
    assert.strictEqual(r.json.refreshed, false);
    assert.ok(r.json.remainingSeconds > 3500);
    assert.strictEqual(cli.sandbox.stats.conversationsCreated, before + 1);
    assert.ok(!r.stdout.includes(token));
  });

  it('each run is a new visitor', async () => {
    await cache(ORG.refreshTokens[0]);
    const a = await runCli(['test-transfer', '--yes', '--json', ...flags()], env());
    const b = await runCli(['test-transfer', '--yes', '--json', ...flags()], env());
    assert.notStrictEqual(a.json.visitorId, b.json.visitorId);
  });

  it('a user token on the visitor API is 1009, decoded with the token type as the cause (exit 3)', async () => {
    await cache(USER.refreshTokens[0]);
    const r = await runCli(['test-transfer', '--yes', '--json', ...flags()], env());
    assert.strictEqual(r.code, 3, r.stdout);
    assert.deepStrictEqual([r.json.error.code, r.json.error.category, r.json.error.action], [1009, 'scope', 'reauthorize']);
    assert.match(r.json.error.explanation, /starts `1000\.` \(a user token\)/);
  });

  it('an expired token (1001) is refreshed once and the transfer retried once', async () => {
    await cache(ORG.refreshTokens[0]);
    cli.sandbox.expireAll();
    const requests = cli.sandbox.stats.tokenRequests[ORG.refreshTokens[0]] ?? 0;
    const r = await runCli(['test-transfer', '--yes', '--json', ...flags()], env(creds(ORG)));
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    assert.deepStrictEqual([r.json.status, r.json.refreshed], [201, true]);
    assert.strictEqual(cli.sandbox.stats.tokenRequests[ORG.refreshTokens[0]], requests + 1, 'exactly one refresh');
  });

  it('missing portal settings exit 3 naming every missing variable; nothing is sent', async () => {
    await cache(ORG.refreshTokens[0]);
    const before = cli.sandbox.stats.conversationsCreated;
    const r = await runCli(['test-transfer', '--yes', ...flags()], { XDG_CONFIG_HOME: cli.stateDir, SALESIQ_SCREEN_NAME: PORTAL.screenName });
    assert.strictEqual(r.code, 3);
    assert.match(r.stderr, /SALESIQ_APP_ID, SALESIQ_DEPARTMENT_ID/);
    assert.strictEqual(cli.sandbox.stats.conversationsCreated, before);
  });

  it('settings may come from the config file', async () => {
    await cache(ORG.refreshTokens[0]);
    const config = path.join(cli.stateDir, 'config.json');
    const salesiq = { screenName: PORTAL.screenName, appId: PORTAL.appId, departmentId: PORTAL.departmentId };
    fs.writeFileSync(config, JSON.stringify({ salesiq }));
    const r = await runCli(['test-transfer', '--yes', '--json', '--config', config, ...flags()], { XDG_CONFIG_HOME: cli.stateDir });
    assert.strictEqual(r.code, 0, r.stdout);
    assert.strictEqual(r.json.status, 201);
  });

  it('without --yes and without a terminal it refuses (exit 3) and opens nothing', async () => {
    await cache(ORG.refreshTokens[0]);
    const before = cli.sandbox.stats.conversationsCreated;
    const r = await runCli(['test-transfer', '--json', ...flags()], env(), 'y\n');
    assert.strictEqual(r.code, 3, r.stdout);
    assert.strictEqual(r.json.error.code, 'confirmation-required');
    assert.match(r.json.error.explanation, /--yes/);
    assert.strictEqual(cli.sandbox.stats.conversationsCreated, before);
  });
});
