/**
 * SalesIQ: Run Doctor in a real VS Code against the sandbox and the private OpenSSH server: the report with a
 * failing check, its fix button doing the fix, and the re-run showing it fixed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import type { DoctorCheck } from '../../src/core/flows/doctor';
import type { DoctorOutcome } from '../../src/vscode/doctor/feature';
import { SANDBOX_DEFAULTS, type ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox } from './helpers';
import { attach, resetEnv, setFault, setSudoMode, type SshdState, useServer } from './sshdState';

const USER = SANDBOX_DEFAULTS.user;
const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('SalesIQ: Run Doctor against the sandbox and a real OpenSSH server', function () {
  this.timeout(120_000);
  let fx: SshdState;
  let sandbox: ZohoSandbox;
  const saved: Record<string, unknown> = {};
  const SAVED = ['profiles', 'activeProfile', 'autoRefresh', 'autoPush', 'accountsUrl', 'salesiqUrl', 'screenName', ...['host', 'port', 'user', 'identityFile', 'knownHostsFile', 'hostFingerprint', 'envPath', 'service', 'sudo', 'servers'].map((k) => `remote.${k}`)];

  const doctor = () => vscode.commands.executeCommand<DoctorOutcome>('salesiq.runDoctor', { servers: [fx.host] });
  const check = (o: DoctorOutcome, id: string): DoctorCheck => o.report.checks.find((c) => c.id === id)!;
  const envWith = (token: string) => fs.readFileSync(fx.envPath, 'utf8').replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `${KEY}=${token}`);
  const writeEnv = (text: string) => {
    const tmp = path.join(path.dirname(fx.envPath), '.env.test-tmp');
    fs.writeFileSync(tmp, text);
    fs.chownSync(tmp, 0, fs.statSync(path.dirname(fx.envPath)).gid);
    fs.chmodSync(tmp, 0o640);
    fs.renameSync(tmp, fx.envPath);
  };

  before(async () => {
    fx = attach();
    const api = await devkit();
    const cfg = vscode.workspace.getConfiguration('salesiq');
    for (const key of SAVED) saved[key] = cfg.inspect(key)?.globalValue;
    sandbox = await startSandbox();
    await setSetting('autoPush', false);
    await setSetting('screenName', SANDBOX_DEFAULTS.portal.screenName);
    await vscode.commands.executeCommand('salesiq.setupCredentials', { profile: 'doctor', dataCenter: 'in', clientId: USER.clientId, clientSecret: USER.clientSecret, refreshToken: USER.refreshTokens[0] });
    assert.strictEqual(api.controller.profile.name, 'doctor');
    resetEnv(fx);
    setSudoMode(fx, 'nopasswd');
    setFault(fx, 'none');
    fs.writeFileSync(path.join(fx.svcDir, 'envmode'), 'envfile\n');
    await useServer(fx);
  });

  after(async () => {
    if (!fx) return;
    await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false });
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value);
    await sandbox?.stop();
  });

  it('lists every check; a stale service process fails service-token with a Restart button that fixes it', async () => {
    // The service runs with the .env's token; then the .env gets DevKit's token without a restart.
    const restart = await vscode.commands.executeCommand<{ ok: boolean }>('salesiq.doctor.restartService', { server: fx.host });
    assert.strictEqual(restart?.ok, true);
    const first = await doctor();
    assert.deepStrictEqual(first.report.checks.map((c) => c.id), ['credentials', 'data-centre', 'refresh', 'token-kind', 'scope', 'portal', 'host-key', 'login', 'sudo', 'env-file', 'env-key', 'unit', 'unit-reads-env', 'service-active', 'service-token', 'journal']);
    assert.deepStrictEqual(first.report.checks.slice(0, 6).map((c) => c.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass'], JSON.stringify(first.report.checks.slice(0, 6)));
    assert.strictEqual(check(first, 'service-token').status, 'warn', 'the .env holds another token than DevKit');
    assert.ok(first.buttons.some((b) => b.command === 'salesiq.pushToServer'));

    const api = await devkit();
    writeEnv(envWith(api.controller.token!.accessToken));
    const stale = await doctor();
    const c = check(stale, 'service-token');
    assert.strictEqual(c.status, 'fail', JSON.stringify(c));
    const button = stale.buttons.find((b) => b.command === 'salesiq.doctor.restartService');
    assert.ok(button, JSON.stringify(stale.buttons));
    await vscode.commands.executeCommand(button.command, ...(button.args ?? []));
    const fixed = await doctor();
    assert.strictEqual(check(fixed, 'service-token').status, 'pass', JSON.stringify(check(fixed, 'service-token')));
    assert.strictEqual(fixed.report.ok, true);
  });

  it('a unit that reads another .env fails unit-reads-env and offers the setting', async () => {
    const other = path.join(fx.dir, 'other.env');
    fs.writeFileSync(other, `${KEY}=x\n`);
    fs.writeFileSync(path.join(fx.svcDir, 'envmode'), `other ${other}\n`);
    try {
      const r = await doctor();
      const c = check(r, 'unit-reads-env');
      assert.strictEqual(c.status, 'fail');
      assert.ok(c.title.includes(other));
      assert.ok(r.buttons.some((b) => b.command === 'workbench.action.openSettings' && JSON.stringify(b.args).includes('salesiq.remote.envPath')));
    } finally {
      fs.writeFileSync(path.join(fx.svcDir, 'envmode'), 'envfile\n');
    }
  });

  it('Push Token to All Servers: the live server holds the new token, the down one fails alone, and the result says which', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const downPort = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const base = { host: fx.host, user: fx.user, identityFile: fx.keys.plain, knownHostsFile: fx.knownHosts, envPath: fx.envPath, service: fx.service, sudo: 'nopasswd' };
    await setSetting('remote.servers', [{ name: 'staging', ...base, port: fx.port }, { name: 'down', ...base, port: downPort }]);
    try {
      resetEnv(fx);
      const api = await devkit();
      const r = await vscode.commands.executeCommand<{ ok: boolean; results: { name: string; ok: boolean; detail: string; finding?: { category: string } }[] }>('salesiq.pushToAllServers', { confirm: false, servers: ['staging', 'down'] });
      assert.ok(r);
      assert.strictEqual(r.ok, false);
      assert.deepStrictEqual(r.results.map((x) => [x.name, x.ok]), [['staging', true], ['down', false]]);
      assert.strictEqual(r.results[1].finding?.category, 'network');
      assert.strictEqual(readEnvKey(fs.readFileSync(fx.envPath), KEY), api.controller.token!.accessToken);
      assert.match(r.results[0].detail, /wrote SALESIQ_ACCESS_TOKEN/);
    } finally {
      await setSetting('remote.servers', undefined);
    }
  });
});
