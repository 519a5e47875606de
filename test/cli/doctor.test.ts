import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { runCli } from './run';

const { user: USER, portal: PORTAL } = SANDBOX_DEFAULTS;
const IDS = ['credentials', 'data-centre', 'refresh', 'token-kind', 'scope', 'portal', 'host-key', 'login', 'sudo', 'env-file', 'env-key', 'unit', 'unit-reads-env', 'service-active', 'service-token', 'journal'];

describe('salesiq-devkit doctor (contract), profile checks against the sandbox', () => {
  let sandbox: ZohoSandbox;
  let dir: string;
  const flags = (dc = 'in') => ['--dc', dc, '--accounts-url', sandbox.accountsUrlTemplate, '--salesiq-url', sandbox.salesiqUrlTemplate, '--state-dir', dir];
  const env = (extra: Record<string, string> = {}) => ({
    SALESIQ_CLIENT_ID: USER.clientId, SALESIQ_CLIENT_SECRET: USER.clientSecret, SALESIQ_REFRESH_TOKEN: USER.refreshTokens[0],
    SALESIQ_SCREEN_NAME: PORTAL.screenName, XDG_CONFIG_HOME: dir, ...extra,
  });
  const requests = () => sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0;

  beforeEach(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-doctor-'));
  });
  afterEach(async () => {
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--json: every check id in the contract order; without a server the server checks are skip; exit 0', async () => {
    const r = await runCli(['doctor', '--json', ...flags()], env());
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    assert.strictEqual(r.json.ok, true);
    assert.deepStrictEqual(r.json.checks.map((c: { id: string }) => c.id), IDS);
    for (const c of r.json.checks) assert.deepStrictEqual(Object.keys(c).sort(), ['action', 'category', 'detail', 'id', 'status', 'title']);
    assert.deepStrictEqual(r.json.checks.slice(0, 6).map((c: { status: string }) => c.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    assert.ok(r.json.checks.slice(6).every((c: { status: string }) => c.status === 'skip'));
    assert.ok(!/1000\.[0-9a-f]{32}\.[0-9a-f]{32}/.test(r.stdout), 'no token printed');
  });

  it('mints a token only when no valid one is cached; a second run reports on the cached one', async () => {
    const first = await runCli(['doctor', '--json', ...flags()], env());
    assert.strictEqual(first.code, 0, first.stdout);
    assert.strictEqual(requests(), 1);
    const second = await runCli(['doctor', '--json', ...flags()], env());
    assert.strictEqual(second.code, 0);
    assert.strictEqual(requests(), 1, 'no new token request');
    assert.match(second.json.checks[2].title, /cached token is valid/);
  });

  it('the wrong data centre fails data-centre (needs the user: exit 3), and says where the client lives', async () => {
    const r = await runCli(['doctor', '--json', ...flags('eu')], env());
    assert.strictEqual(r.code, 3, r.stdout);
    const dc = r.json.checks.find((c: { id: string }) => c.id === 'data-centre');
    assert.deepStrictEqual([dc.status, dc.action], ['fail', 'fix-config']);
    assert.strictEqual(r.json.checks.find((c: { id: string }) => c.id === 'refresh').status, 'skip');
  });

  it('human output: one line per check, `mark id: title`, on stdout whatever the exit code', async () => {
    const r = await runCli(['doctor', ...flags()], env({ SALESIQ_SCREEN_NAME: 'no-such-portal' }));
    assert.strictEqual(r.code, 3, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepStrictEqual(lines.map((l) => /^[✓⚠✗-] ([a-z-]+): /.exec(l)?.[1]), IDS);
    assert.match(lines[5], /^✗ portal: /);
  });

  it('a revoked refresh token: refresh fails with reauthorize (exit 3)', async () => {
    sandbox.revoke(USER.refreshTokens[0]);
    const r = await runCli(['doctor', '--json', ...flags()], env());
    assert.strictEqual(r.code, 3);
    const c = r.json.checks.find((x: { id: string }) => x.id === 'refresh');
    assert.deepStrictEqual([c.status, c.action], ['fail', 'reauthorize']);
  });

  it('bad flags are usage errors (exit 2); --server without a servers list names the server', async () => {
    assert.strictEqual((await runCli(['doctor', '--check-timeout-seconds', '0', ...flags()], env())).code, 2);
    assert.strictEqual((await runCli(['doctor', '--no-restart', ...flags()], env())).code, 2);
    const r = await runCli(['doctor', '--server', 'staging', ...flags()], env());
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /unknown server "staging"/);
  });
});
