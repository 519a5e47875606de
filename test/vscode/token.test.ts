import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DevKitApi } from '../../src/extension';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox, waitFor } from './helpers';

const USER = SANDBOX_DEFAULTS.user;
/**
 * Refresh tokens of their own for the fault tests: DevKit's request history is per refresh token and shared
 * by the whole run, so faults must not spend the budget of the token the other suites refresh with.
 */
const OUTAGE_RT = '1000.0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a.0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b';
const THROTTLED_RT = '1000.0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c.0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d';
const creds = (profile: string, extra: Record<string, unknown> = {}) => ({
  profile,
  dataCenter: 'in',
  clientId: USER.clientId,
  clientSecret: USER.clientSecret,
  refreshToken: USER.refreshTokens[0],
  ...extra,
});

describe('token lifecycle in a real VS Code', function () {
  let sandbox: ZohoSandbox;
  let api: DevKitApi;
  const view = () => api.statusBar.current;

  before(async () => {
    sandbox = await startSandbox({ clients: [{ ...USER, refreshTokens: [...USER.refreshTokens, OUTAGE_RT, THROTTLED_RT] }] });
    api = await devkit();
  });

  after(async () => {
    await sandbox.stop();
  });

  it('activates at startup, registers its commands and asks to set up', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['salesiq.setupCredentials', 'salesiq.importFromEnv', 'salesiq.refreshToken', 'salesiq.forgetCredentials', 'salesiq.switchProfile']) assert.ok(commands.includes(c), c);
    assert.strictEqual(view().state, 'setup');
    assert.strictEqual(view().text, '$(key) SalesIQ: set up');
  });

  it('keeps credentials in SecretStorage and counts down in minutes', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.setupCredentials', creds('user', { accessToken: '1000.11112222333344445555666677778888.99990000aaaabbbbccccddddeeeeffff', issuedMinutesAgo: 10 })), true);
    await waitFor('fresh countdown', () => /^\$\(key\) SalesIQ user (49|50)m$/.test(view().text));
    assert.strictEqual(view().background, undefined);
    const stored = await api.controller.store.readCredentials();
    assert.deepStrictEqual({ id: stored?.clientId, rt: stored?.refreshToken }, { id: USER.clientId, rt: USER.refreshTokens[0] });
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('salesiq'));
    assert.ok(!settingsText.includes(USER.clientSecret) && !settingsText.includes(USER.refreshTokens[0]), 'no secret in settings');
  });

  it('turns to a seconds countdown with the warning background near expiry', async () => {
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('user', { accessToken: '1000.aaaa.bbbb', issuedMinutesAgo: 57 }));
    await waitFor('warning state', () => view().state === 'warning');
    assert.match(view().text, /^\$\(key\) SalesIQ user [23]m \d\ds$/);
    assert.strictEqual(view().background, 'warning');
  });

  it('shows expired with the error background once the hour is over', async () => {
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('user', { accessToken: '1000.aaaa.bbbb', issuedMinutesAgo: 60 }));
    await waitFor('expired state', () => view().state === 'expired');
    assert.strictEqual(view().text, '$(error) SalesIQ user expired');
    assert.strictEqual(view().background, 'error');
  });

  it('refreshes against the Zoho sandbox from the command', async () => {
    const before = sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0;
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), true);
    assert.strictEqual(view().state, 'fresh');
    assert.match(view().text, /^\$\(key\) SalesIQ user (59|60)m$/);
    assert.strictEqual(sandbox.stats.tokenRequests[USER.refreshTokens[0]], before + 1);
    assert.match(api.controller.token!.accessToken, /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    assert.ok(view().tooltip.includes('Last refresh'), view().tooltip);
  });

  it('a wrong data centre fails with invalid_client and keeps the old token', async () => {
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('wrongdc', { dataCenter: 'com', accessToken: '1000.cccc.dddd', issuedMinutesAgo: 30 }));
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), false);
    const t = api.controller.token!;
    assert.strictEqual(t.accessToken, '1000.cccc.dddd');
    assert.strictEqual(t.lastRefresh?.finding?.code, 'invalid_client');
    assert.strictEqual(t.lastRefresh?.finding?.action, 'fix-config');
    assert.strictEqual(view().state, 'failed');
    assert.strictEqual(view().background, 'error');
  });

  it('auto-refresh renews a token before it expires', async () => {
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('auto', { accessToken: '1000.eeee.ffff', issuedMinutesAgo: 58 }));
    await setSetting('autoRefresh', true);
    try {
      const t = await waitFor('automatic refresh', () => (api.controller.token?.accessToken !== '1000.eeee.ffff' ? api.controller.token : undefined), 30_000);
      assert.strictEqual(t?.lastRefresh?.automatic, true);
      await waitFor('fresh state', () => view().state === 'fresh');
    } finally {
      await setSetting('autoRefresh', false);
    }
  });

  it('a revoked refresh token stops with a re-authorize message', async () => {
    const revoked = '1000.00000000000000000000000000000000.11111111111111111111111111111111';
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('revoked', { refreshToken: revoked, accessToken: '1000.abab.cdcd', issuedMinutesAgo: 20 }));
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), false);
    assert.strictEqual(api.controller.token?.lastRefresh?.finding?.action, 'reauthorize');
    assert.strictEqual(view().background, 'error');
  });

  it('an HTML 503 and garbage JSON are retried with backoff, then the refresh succeeds', async () => {
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('outage', { refreshToken: OUTAGE_RT, accessToken: '1000.1234.5678', issuedMinutesAgo: 50 }));
    sandbox.failNext('html503');
    sandbox.failNext('garbage');
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), true);
    assert.strictEqual(api.controller.token?.lastRefresh?.ok, true);
    assert.strictEqual(view().state, 'fresh');
  });

  it('a Zoho throttle is not retried: the old token stays and the wait is explained', async () => {
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('throttled', { refreshToken: THROTTLED_RT, accessToken: '1000.9999.8888', issuedMinutesAgo: 50 }));
    sandbox.failNext('throttle');
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), false);
    const t = api.controller.token!;
    assert.strictEqual(t.accessToken, '1000.9999.8888');
    assert.deepStrictEqual([t.lastRefresh?.finding?.category, t.lastRefresh?.finding?.action], ['rate-limit', 'wait']);
    assert.strictEqual(view().background, 'error');
  });

  it('counts refreshes made by other windows: at the limit it refuses without asking Zoho and says when', async () => {
    const rt = '1000.0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e.0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f';
    await vscode.commands.executeCommand('salesiq.setupCredentials', creds('busy', { refreshToken: rt, accessToken: '1000.7777.6666', issuedMinutesAgo: 50 }));
    // Ten requests another window (or extension host) made a minute ago, recorded in the shared history.
    await api.shared.refreshLog(rt).save(new Array(10).fill(Date.now() - 60_000));
    const before = sandbox.stats.tokenRequests[rt] ?? 0;
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), false);
    const f = api.controller.token?.lastRefresh?.finding;
    assert.deepStrictEqual([f?.code, f?.action], ['rate-limit-local', 'wait']);
    assert.ok(f?.details?.nextAllowedAt, 'names when the next refresh is allowed');
    assert.strictEqual(sandbox.stats.tokenRequests[rt] ?? 0, before, 'Zoho was not asked');
  });

  it('imports credentials from a .env, reads nothing else, and can blank them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, `# chatbot\nOPENAI_API_KEY=sk-keep-me\nSALESIQ_CLIENT_ID=${USER.clientId}\nSALESIQ_CLIENT_SECRET=${USER.clientSecret}\nSALESIQ_REFRESH_TOKEN=${USER.refreshTokens[0]}\n`);
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.importFromEnv', { path: file, dataCenter: 'in', afterwards: 'blank' }), true);
    assert.strictEqual(api.controller.profile.name, 'user');
    assert.strictEqual((await api.controller.store.readCredentials())?.clientSecret, USER.clientSecret);
    const after = fs.readFileSync(file, 'utf8');
    assert.ok(after.includes('OPENAI_API_KEY=sk-keep-me') && after.includes('# chatbot'), after);
    assert.ok(!after.includes(USER.clientSecret) && !after.includes(USER.refreshTokens[0]), after);
  });

  it('forgets the credentials of the active profile and moves to another one', async () => {
    await vscode.commands.executeCommand('salesiq.switchProfile', 'user');
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false }), true);
    assert.strictEqual(await api.credentialsOf('user'), undefined);
    const names = vscode.workspace.getConfiguration('salesiq').get<Array<{ name: string }>>('profiles')!.map((p) => p.name);
    assert.ok(!names.includes('user'), names.join());
    assert.notStrictEqual(api.controller.profile.name, 'user');
  });
});
