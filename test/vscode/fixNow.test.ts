import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import type { DevKitApi } from '../../src/extension';
import type { FixNowResult } from '../../src/vscode/salesiq/fixNow';
import { SANDBOX_DEFAULTS, type ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox } from './helpers';
import { attach, resetEnv, serviceState, setFault, setSudoMode, type SshdState, useServer } from './sshdState';

const { user: USER, org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;

describe('Fix Now in a real VS Code, against the sandbox and a real OpenSSH server', function () {
  this.timeout(90_000);
  let fx: SshdState;
  let api: DevKitApi;
  let sandbox: ZohoSandbox;
  const fix = () => vscode.commands.executeCommand<FixNowResult>('salesiq.fixNow', { confirm: false, push: { hostKeyAnswer: 'once' } });
  const setup = (profile: string, client: typeof USER, extra: Record<string, unknown>) =>
    vscode.commands.executeCommand('salesiq.setupCredentials', { profile, dataCenter: 'in', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: client.refreshTokens[0], ...extra });

  before(async () => {
    fx = attach();
    api = await devkit();
    sandbox = await startSandbox();
    await useServer(fx);
    await setSetting('screenName', PORTAL.screenName);
    await setSetting('appId', PORTAL.appId);
    await setSetting('departmentId', PORTAL.departmentId);
    await setSetting('transferProfile', 'fix-org');
    await setup('fix-org', ORG, { accessToken: sandbox.mint(ORG.refreshTokens[0]).accessToken });
  });

  beforeEach(async () => {
    resetEnv(fx);
    setSudoMode(fx, 'nopasswd');
    setFault(fx, 'none');
    // A stale token, as in the seed's outage: issued an hour ago.
    await setup('fix-user', USER, { accessToken: '1000.00000000000000000000000000000000.00000000000000000000000000000000', issuedMinutesAgo: 60 });
  });

  after(async () => {
    await sandbox?.stop();
  });

  it('with a stale token: refresh → push → restart → live → verify → 201, then the watch in the background', async () => {
    const r = await fix();
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepStrictEqual(r.steps.map((s) => [s.name, s.ok]), [['refresh', true], ['push', true], ['restart', true], ['live', true], ['verify', true], ['transfer', true]]);
    assert.match(r.steps[3].detail, /environ hash/);
    assert.match(r.steps[5].detail, /^HTTP 201/);
    assert.ok(r.liveMs !== undefined && r.liveMs <= r.totalMs);
    assert.deepStrictEqual(await r.watching?.then((w) => w.ok), true, 'the service stayed up for the settle window');
    const token = api.controller.token!.accessToken;
    assert.strictEqual(readEnvKey(fs.readFileSync(fx.envPath), 'SALESIQ_ACCESS_TOKEN'), token, 'the server has the fresh token');
    assert.strictEqual(serviceState(fx), 'active');
    assert.strictEqual(api.statusBar.current.state, 'fresh');
    assert.ok(r.totalMs > 0);
  });

  it('replaces a token that still has time left when SalesIQ rejects it (as the CLI does)', async () => {
    const live = sandbox.mint(USER.refreshTokens[0]).accessToken;
    await setup('fix-user', USER, { accessToken: live, issuedMinutesAgo: 5 });
    sandbox.expireAll();
    const r = await fix();
    assert.ok(r.ok, JSON.stringify(r));
    assert.match(r.steps[0].detail, /SalesIQ rejected the cached token \(1001\)/);
    assert.notStrictEqual(api.controller.token!.accessToken, live);
    assert.strictEqual(readEnvKey(fs.readFileSync(fx.envPath), 'SALESIQ_ACCESS_TOKEN'), api.controller.token!.accessToken);
  });

  it('a service that dies during the settle window: Fix Now has reported live, the background watch reports the crash', async () => {
    setFault(fx, 'crash 1');
    const r = await fix();
    // On a very loaded machine the proof may already see the crash; then the restart step reports it.
    if (!r.ok) return assert.strictEqual(r.finding?.code, 'crash-after-restart');
    const w = await r.watching;
    assert.deepStrictEqual([w?.ok, w?.finding?.code], [false, 'crash-after-restart']);
  });

  it('stops at the restart with the decoded reason, saying what was already done', async () => {
    setFault(fx, 'restart-fail');
    const r = await fix();
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'restart');
    assert.strictEqual(r.finding?.source, 'systemd');
    assert.deepStrictEqual(r.steps.map((s) => s.name), ['refresh', 'push', 'restart']);
    assert.ok(!r.steps.some((s) => s.name === 'transfer'), 'no test transfer after a failed restart');
  });
});
