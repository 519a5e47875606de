/** `fix` end to end: the built CLI against the Zoho sandbox and the real OpenSSH fixture. */
import * as assert from 'node:assert/strict';
import { StateStore } from '../../src/core/token/stateFiles';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { tokenHashPrefix } from '../../src/core/flows/push';
import { runCli } from '../cli/run';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { fixtureFlags, sandboxFlags, useCliWorkspace } from './cliWorkspace';
import { fixture } from './hooks';

const { org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;
const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('salesiq-devkit fix against the sandbox and OpenSSH', function () {
  this.timeout(60_000);
  let sandbox: ZohoSandbox;
  let dir: string;
  let stateDir: string;

  useCliWorkspace('clifix', { sandbox: true, envMode: 'envfile' }, (w) => ({ dir, stateDir, sandbox } = w));
  const sshFlags = () => fixtureFlags();
  const zohoFlags = () => sandboxFlags({ dir, stateDir, sandbox });
  const env = () => ({
    HOME: dir, XDG_CONFIG_HOME: dir,
    SALESIQ_CLIENT_ID: ORG.clientId, SALESIQ_CLIENT_SECRET: ORG.clientSecret, SALESIQ_REFRESH_TOKEN: ORG.refreshTokens[0],
    SALESIQ_SCREEN_NAME: PORTAL.screenName, SALESIQ_APP_ID: PORTAL.appId, SALESIQ_DEPARTMENT_ID: PORTAL.departmentId,
  });
  const fix = (extra: string[] = []) => runCli(['fix', '--json', ...extra, ...sshFlags(), ...zohoFlags()], env(), '', 50_000);
  const store = () => new StateStore(stateDir).tokenStore('default', undefined);

  /** A token the cache believes has 59 minutes left. */
  async function cacheToken(): Promise<string> {
    const t = sandbox.mint(ORG.refreshTokens[0]);
    await store().writeToken(t);
    return t.accessToken;
  }

  it('a stale token: refresh → push → restart → live → verify → transfer 201 → watch, every step listed, the NEW token live', async () => {
    const fx = fixture();
    const stale = await cacheToken();
    sandbox.expireAll(); // the cache still says 59 minutes; SalesIQ says 1001
    const conversations = sandbox.stats.conversationsCreated;
    const r = await fix();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.ok, true);
    assert.deepEqual(r.json.steps.map((s: { name: string; ok: boolean }) => [s.name, s.ok]), [['refresh', true], ['push', true], ['restart', true], ['live', true], ['verify', true], ['transfer', true], ['watch', true]]);
    for (const s of r.json.steps) assert.ok(typeof s.ms === 'number' && typeof s.detail === 'string' && s.detail.length > 0);
    assert.match(r.json.steps[0].detail, /SalesIQ rejected the cached token \(1001\)/);
    assert.equal(typeof r.json.totalMs, 'number');
    assert.ok(r.json.liveMs > 0 && r.json.liveMs <= r.json.totalMs);

    const fresh = (await store().readToken())!.accessToken;
    assert.notEqual(fresh, stale);
    assert.equal(readEnvKey(fx.readEnv(), KEY), fresh, 'the server holds the refreshed token');
    // Proven on the server from the process's environment, and confirmed by the service's own line under that PID.
    assert.deepEqual([r.json.live.proof, r.json.live.mainPid], ['environ', fx.mainPid()]);
    assert.ok(fx.journalLog().includes(`llm-chatbot[${fx.mainPid()}]: loaded ${KEY} sha256:${tokenHashPrefix(fresh)}`), 'the restarted service loaded it');
    assert.deepEqual([r.json.refreshed, r.json.changed, r.json.active, r.json.tokenLive], [true, true, true, true]);
    assert.equal(r.json.transfer.status, 201);
    assert.equal(sandbox.stats.conversationsCreated, conversations + 1);
    assert.ok(!r.stdout.includes(fresh) && !r.stderr.includes(fresh));
  });

  it('a fresh token is not refreshed; --no-transfer skips the conversation, --settle-seconds 0 the watch', async () => {
    const fx = fixture();
    const token = await cacheToken();
    const r = await fix(['--no-transfer', '--settle-seconds', '0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.json.steps.map((s: { name: string; skipped?: boolean }) => [s.name, Boolean(s.skipped)]), [['refresh', true], ['push', false], ['restart', false], ['live', false], ['verify', false], ['transfer', true], ['watch', true]]);
    assert.equal(readEnvKey(fx.readEnv(), KEY), token);
    assert.equal(sandbox.stats.conversationsCreated, 0);
    assert.equal(sandbox.stats.tokenRequests[ORG.refreshTokens[0]] ?? 0, 0);
  });

  it('stops at the first failure with the decoded reason and what was already done', async () => {
    const fx = fixture();
    await cacheToken();
    fx.setFault('restart-fail');
    const r = await fix();
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.json.ok, false);
    assert.deepEqual([r.json.error.code, r.json.error.category, r.json.failedStep], ['job-failed', 'server', 'restart']);
    assert.deepEqual(r.json.steps.map((s: { name: string; ok: boolean }) => [s.name, s.ok]), [['refresh', true], ['push', true], ['restart', false]]);
    assert.match(r.json.steps[1].detail, /wrote SALESIQ_ACCESS_TOKEN .*backup/);
    assert.equal(r.json.error.details.written, 'true');
    assert.equal(sandbox.stats.conversationsCreated, 0, 'no transfer after a failure');
  });

  it('a service that dies during the settle window fails the watch step, after the token was live', async () => {
    const fx = fixture();
    await cacheToken();
    fx.setFault('crash 1');
    const r = await fix(['--no-transfer', '--settle-seconds', '8']);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.json.error.code, 'crash-after-restart');
    assert.match(r.json.error.details.journal, /401 Unauthorized/);
    // On a loaded machine the proof may already see the crash: then the live step says so instead.
    assert.ok(['watch', 'restart'].includes(r.json.failedStep), r.json.failedStep);
    if (r.json.failedStep === 'watch') assert.ok(r.json.liveMs > 0);
  });

  it('the unit reads its .env itself (no EnvironmentFile=): live by the new main PID, and says so', async () => {
    const fx = fixture();
    fx.setEnvMode('workdir');
    try {
      const token = await cacheToken();
      const r = await fix(['--no-transfer', '--settle-seconds', '0']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.json.live.proof, 'pid');
      assert.match(r.json.steps[3].detail, /new main PID.*no EnvironmentFile=/);
      assert.ok(fx.journalLog().includes(`llm-chatbot[${fx.mainPid()}]: loaded ${KEY} sha256:${tokenHashPrefix(token)}`));
    } finally {
      fx.setEnvMode('envfile');
    }
  });

  it('prints each step as it finishes, then the live time and the total (human output)', async () => {
    await cacheToken();
    const r = await runCli(['fix', '--no-transfer', ...sshFlags(), ...zohoFlags()], env(), '', 50_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 7).map((l) => l.split(/\s+/)[1]), ['refresh', 'push', 'restart', 'live', 'verify', 'transfer', 'watch']);
    assert.match(lines[7], /^new token live in \d+ ms; fixed in \d+ ms \(incl\. \d+ ms watch\); the token expires in /);
  });

  it('refuses a bad --settle-seconds before connecting (exit 2)', async () => {
    const r = await fix(['--settle-seconds', '-1']);
    assert.equal(r.code, 2);
    const r2 = await runCli(['fix', '--settle-seconds', 'soon', ...sshFlags(), ...zohoFlags()], env(), '', 50_000);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--settle-seconds/);
  });

  it('checks the transfer settings before touching anything (exit 3)', async () => {
    const fx = fixture();
    await cacheToken();
    const before = fx.readEnv();
    const r = await runCli(['fix', '--json', ...sshFlags(), ...zohoFlags()], { ...env(), SALESIQ_DEPARTMENT_ID: '' }, '', 50_000);
    assert.equal(r.code, 3, r.stdout);
    assert.match(r.json.error.title, /SALESIQ_DEPARTMENT_ID/);
    assert.ok(fx.readEnv().equals(before));
  });
});
