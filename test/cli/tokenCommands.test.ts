import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { credentialsEnv, useCliSandbox } from './cliSandbox';
import { runCli } from './run';

const USER = SANDBOX_DEFAULTS.user;

describe('salesiq-devkit status / refresh (contract)', () => {
  const cli = useCliSandbox('cli', { sandboxPerSuite: true });
  const { flags } = cli;
  let env: Record<string, string | undefined>;
  beforeEach(() => {
    env = cli.env(credentialsEnv(USER));
  });

  it('refresh --json mints a token, caches it 0600 and never prints it', async () => {
    const r = await runCli(['refresh', '--json', ...flags()], env);
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    assert.strictEqual(r.json.ok, true);
    assert.strictEqual(r.json.profile, 'default');
    assert.ok(r.json.remainingSeconds > 3500 && r.json.remainingSeconds <= 3600, String(r.json.remainingSeconds));
    assert.ok(!Number.isNaN(Date.parse(r.json.expiresAt)));
    assert.ok(!/1000\.[0-9a-f]{32}\.[0-9a-f]{32}/.test(r.stdout), 'no token on stdout');
    const cached = path.join(cli.stateDir, 'token-default.json');
    assert.strictEqual(fs.statSync(cached).mode & 0o777, 0o600);
  });

  it('refresh --print-token prints only the token; status reports the cached expiry', async () => {
    const r = await runCli(['refresh', '--print-token', ...flags()], env);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    const s = await runCli(['status', '--json', '--state-dir', cli.stateDir], {});
    assert.strictEqual(s.code, 0, s.stderr);
    assert.strictEqual(s.json.ok, true);
    assert.ok(s.json.remainingSeconds > 3500);
  });

  it('status without a cached token fails with the refresh action', async () => {
    const s = await runCli(['status', '--json', '--state-dir', cli.stateDir], {});
    assert.strictEqual(s.code, 1);
    assert.deepStrictEqual([s.json.ok, s.json.error.action], [false, 'refresh']);
  });

  it('a wrong data centre exits 3 with invalid_client and the fix', async () => {
    const r = await runCli(['refresh', '--json', '--dc', 'com', '--accounts-url', cli.sandbox.accountsUrlTemplate, '--state-dir', cli.stateDir], env);
    assert.strictEqual(r.code, 3, r.stdout);
    assert.deepStrictEqual([r.json.error.code, r.json.error.category, r.json.error.action], ['invalid_client', 'config', 'fix-config']);
  });

  it('a revoked refresh token exits 3 asking to re-authorize', async () => {
    const r = await runCli(['refresh', '--json', ...flags()], { ...env, SALESIQ_REFRESH_TOKEN: '1000.00000000000000000000000000000000.11111111111111111111111111111111' });
    assert.strictEqual(r.code, 3, r.stdout);
    assert.deepStrictEqual([r.json.error.code, r.json.error.action], ['invalid_code', 'reauthorize']);
  });

  it('missing credentials exit 3 and name the variables', async () => {
    const r = await runCli(['refresh', ...flags()], { XDG_CONFIG_HOME: cli.stateDir });
    assert.strictEqual(r.code, 3);
    assert.match(r.stderr, /SALESIQ_CLIENT_ID/);
  });

  it('usage errors exit 2, and a secret is never accepted as a flag', async () => {
    assert.strictEqual((await runCli(['refresh', '--client-secret', 'x'], env)).code, 2);
    assert.strictEqual((await runCli(['frobnicate'], env)).code, 2);
    assert.strictEqual((await runCli(['refresh', '--dc', 'mars'], env)).code, 2);
  });

  it('refuses a token cache other users can read', async () => {
    fs.writeFileSync(path.join(cli.stateDir, 'token-default.json'), '{}', { mode: 0o644 });
    fs.chmodSync(path.join(cli.stateDir, 'token-default.json'), 0o644);
    const s = await runCli(['status', '--json', '--state-dir', cli.stateDir], {});
    assert.strictEqual(s.code, 3);
    assert.match(s.json.error.explanation, /chmod 600/);
  });

  it('never sends an 11th token request within ten minutes', async function () {
    this.timeout(120_000); // eleven CLI processes one after another: a guard against a hang, not a speed check
    const rt = '1000.22222222222222222222222222222222.33333333333333333333333333333333';
    const local = new ZohoSandbox({ clients: [{ ...USER, refreshTokens: [rt] }] });
    await local.start();
    try {
      const args = ['refresh', '--json', '--dc', 'in', '--accounts-url', local.accountsUrlTemplate, '--state-dir', cli.stateDir];
      for (let i = 0; i < 10; i++) assert.strictEqual((await runCli(args, { ...env, SALESIQ_REFRESH_TOKEN: rt })).code, 0, `refresh ${i + 1}`);
      const r = await runCli(args, { ...env, SALESIQ_REFRESH_TOKEN: rt });
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual([r.json.error.category, r.json.error.action, r.json.error.code], ['rate-limit', 'wait', 'rate-limit-local']);
      assert.strictEqual(local.stats.tokenRequests[rt], 10, 'Zoho saw exactly 10');
    } finally {
      await local.stop();
    }
  });
});
