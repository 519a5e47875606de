/**
 * Several servers in `salesiq.remote.servers`: the server commands ask which one (or all), a cancelled pick
 * changes nothing, and "All servers" reaches every server with one result each. Two named servers: `staging`
 * is the real OpenSSH fixture, `down` a loopback port nobody listens on. One server configured asks nothing.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import type { DevKitApi } from '../../src/extension';
import type { DoctorOutcome } from '../../src/vscode/doctor/feature';
import type { ServerPushResult } from '../../src/vscode/remote/pushAll';
import type { ServerTestResult } from '../../src/vscode/remote/testConnection';
import type { FixAllResult } from '../../src/vscode/salesiq/fixAll';
import { SANDBOX_DEFAULTS, type ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox } from './helpers';
import { QuickInputDriver } from './quickInput';
import { attach, resetEnv, setFault, setSudoMode, type SshdState } from './sshdState';

const { user: USER, org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;
const KEY = 'SALESIQ_ACCESS_TOKEN';
const STALE = '1000.00000000000000000000000000000000.00000000000000000000000000000000';
const SAVED = [
  'profiles', 'activeProfile', 'autoRefresh', 'autoPush', 'accountsUrl', 'salesiqUrl', 'screenName', 'appId', 'departmentId', 'transferProfile',
  ...['host', 'port', 'user', 'identityFile', 'knownHostsFile', 'hostFingerprint', 'envPath', 'service', 'sudo', 'servers'].map((k) => `remote.${k}`),
];

type Box = Awaited<ReturnType<QuickInputDriver['next']>>;
type PushAll = { ok: boolean; results: ServerPushResult[] };

describe('Server commands with several servers configured', function () {
  this.timeout(120_000);
  let fx: SshdState;
  let api: DevKitApi;
  let sandbox: ZohoSandbox;
  let driver: QuickInputDriver;
  const saved: Record<string, unknown> = {};
  const run = <T>(id: string, args?: unknown) => Promise.resolve(vscode.commands.executeCommand<T>(id, args));
  const envToken = () => readEnvKey(fs.readFileSync(fx.envPath), KEY);
  const itemIds = (box: Box) => ('items' in box ? box.items.map((i) => i.id) : []);
  const setup = (profile: string, client: typeof USER, extra: Record<string, unknown>) =>
    run('salesiq.setupCredentials', { profile, dataCenter: 'in', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: client.refreshTokens[0], ...extra });

  /** The next quick pick must be the server question; `expectAll` says whether "All servers" is offered. */
  async function serverPick(expectAll: boolean): Promise<Box> {
    const box = await driver.next();
    assert.ok('items' in box, 'a quick pick');
    assert.match(box.placeholder ?? '', /Which server\?/);
    assert.deepStrictEqual(itemIds(box), [...(expectAll ? ['$all'] : []), 'staging', 'down']);
    return box;
  }

  /** Selects an item of a pick already taken from the driver and presses Enter. */
  function choose(box: Box, id: string): void {
    assert.ok('items' in box);
    box.selectedItems = [box.items.find((i) => i.id === id)!];
    driver.accept(box);
  }

  before(async () => {
    fx = attach();
    api = await devkit();
    const cfg = vscode.workspace.getConfiguration('salesiq');
    for (const key of SAVED) saved[key] = cfg.inspect(key)?.globalValue;
    sandbox = await startSandbox();
    await setSetting('autoPush', false);
    await setSetting('screenName', PORTAL.screenName);
    await setSetting('appId', PORTAL.appId);
    await setSetting('departmentId', PORTAL.departmentId);
    await setSetting('transferProfile', 'servers-org');
    await setup('servers-org', ORG, { accessToken: sandbox.mint(ORG.refreshTokens[0]).accessToken });
    await setup('servers', USER, {});
    await run('salesiq.refreshToken');
    assert.strictEqual(api.controller.profile.name, 'servers');
    assert.ok(api.controller.token);

    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const downPort = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const base = { host: fx.host, user: fx.user, identityFile: fx.keys.plain, knownHostsFile: fx.knownHosts, envPath: fx.envPath, service: fx.service, sudo: 'nopasswd' };
    // No unnamed server: exactly the two named ones.
    await setSetting('remote.host', '');
    await setSetting('remote.servers', [{ name: 'staging', ...base, port: fx.port }, { name: 'down', ...base, port: downPort }]);
    driver = new QuickInputDriver();
  });

  beforeEach(() => {
    resetEnv(fx);
    setSudoMode(fx, 'nopasswd');
    setFault(fx, 'none');
  });

  after(async () => {
    driver?.dispose();
    if (!fx) return;
    await run('salesiq.forgetCredentials', { confirm: false });
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value);
    await sandbox?.stop();
  });

  it('Push asks which server; dismissing the question writes nothing and says nothing went wrong', async () => {
    const before = envToken();
    const pushed = run<{ ok: boolean; cancelled?: boolean }>('salesiq.pushToServer', { confirm: false });
    const box = await serverPick(true);
    box.hide();
    assert.deepStrictEqual(await pushed, { ok: false, cancelled: true });
    assert.strictEqual(envToken(), before, 'the .env is unchanged');
    assert.notStrictEqual(envToken(), api.controller.token!.accessToken);
  });

  it('Push to one picked server writes only there; "All servers" is Push to All with one result per server', async () => {
    const one = run<{ ok: boolean; host?: string }>('salesiq.pushToServer', { confirm: false });
    await driver.pick(/Which server/, 'staging');
    const r = await one;
    assert.strictEqual(r.ok, true, JSON.stringify(r));
    assert.strictEqual(envToken(), api.controller.token!.accessToken);

    resetEnv(fx);
    const all = run<PushAll>('salesiq.pushToServer', { confirm: false });
    await driver.pick(/Which server/, '$all');
    const ra = await all;
    assert.deepStrictEqual(ra.results.map((x) => [x.name, x.ok]), [['staging', true], ['down', false]]);
    assert.strictEqual(ra.results[1].finding?.category, 'network');
    assert.strictEqual(envToken(), api.controller.token!.accessToken, 'the live server holds the token although the other failed');
  });

  it('Test SSH Connection on all servers: one line each, the down one fails without stopping the other', async () => {
    const tested = run<{ ok: boolean; results: ServerTestResult[] }>('salesiq.testSshConnection');
    await driver.pick(/Which server/, '$all');
    const r = await tested;
    assert.strictEqual(r.ok, false);
    assert.deepStrictEqual(r.results.map((x) => [x.name, x.ok]), [['staging', true], ['down', false]]);
    assert.match(r.results[0].detail, new RegExp(`${fx.user}@${fx.host}:${fx.port} OK .*${KEY} present`));
    assert.strictEqual(r.results[1].finding?.category, 'network');
  });

  it('Restore and Logs take one server at a time and say so; Logs reads the picked server', async () => {
    const restored = run<{ ok: boolean; cancelled?: boolean }>('salesiq.restoreEnv');
    const box = await serverPick(false);
    assert.match(box.placeholder ?? '', /One at a time/);
    box.hide();
    assert.deepStrictEqual(await restored, { ok: false, cancelled: true });

    const logs = run<{ ok: boolean; lines: string[] }>('salesiq.showServerLogs', { follow: false, lines: 5 });
    const logBox = await serverPick(false);
    assert.match(logBox.placeholder ?? '', /One at a time/);
    choose(logBox, 'staging');
    const r = await logs;
    assert.strictEqual(r.ok, true, JSON.stringify(r));
    assert.ok(Array.isArray(r.lines));
  });

  it('Fix Now on all servers: one refresh of a stale token, the token to every server, one test transfer', async () => {
    // The suite's earlier files refreshed this same refresh token in this extension host (one shared history, Zoho's
    // 10 per 10 minutes): start a fresh window, as a user running Fix Now after a quiet while would.
    for (const f of fs.readdirSync(api.shared.dir)) if (f.startsWith('refresh-log-')) fs.rmSync(path.join(api.shared.dir, f));
    await setup('servers', USER, { accessToken: STALE, issuedMinutesAgo: 60 });
    const fixed = run<FixAllResult>('salesiq.fixNow', { confirm: false });
    await driver.pick(/Which server/, '$all');
    const r = await fixed;
    assert.match(r.refreshed ?? '', /left|expired/, JSON.stringify(r));
    const token = api.controller.token!.accessToken;
    assert.notStrictEqual(token, STALE);
    assert.deepStrictEqual(r.servers?.map((x) => [x.name, x.ok, x.holds]), [['staging', true, true], ['down', false, false]]);
    assert.ok(r.servers?.[0].running, 'staging runs on the new token (the core fix proved it live)');
    assert.strictEqual(envToken(), token, 'staging holds the refreshed token');
    assert.ok(r.transfer && 'detail' in r.transfer && /^HTTP 201/.test(r.transfer.detail), JSON.stringify(r.transfer));
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.failedStep, 'push');
  });

  it('"Trust and Pin" on a named server pins its own entry of salesiq.remote.servers, never the single-server setting', async () => {
    const list = vscode.workspace.getConfiguration('salesiq.remote').get<Array<Record<string, unknown>>>('servers')!;
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-pin-')), 'known_hosts');
    fs.writeFileSync(empty, '');
    try {
      await setSetting('remote.servers', list.map((e) => (e.name === 'staging' ? { ...e, knownHostsFile: empty } : e)));
      const r = await run<{ ok: boolean; results: ServerTestResult[] }>('salesiq.testSshConnection', { server: 'staging', hostKeyAnswer: 'pin' });
      assert.strictEqual(r.ok, true, JSON.stringify(r));
      const after = vscode.workspace.getConfiguration('salesiq.remote');
      const pinned = after.get<Array<Record<string, unknown>>>('servers')!.map((e) => [e.name, e.hostFingerprint ?? '']);
      assert.deepStrictEqual(pinned, [['staging', fx.fingerprints.ed25519], ['down', '']]);
      assert.strictEqual(after.get('hostFingerprint'), '', 'the single-server pin is untouched');
      const again = await run<{ ok: boolean }>('salesiq.testSshConnection', { server: 'staging', hostKeyAnswer: 'reject' });
      assert.strictEqual(again.ok, true, 'the pin now trusts the host without asking');
    } finally {
      await setSetting('remote.servers', list);
      fs.rmSync(path.dirname(empty), { recursive: true, force: true });
    }
  });

  it('Run Doctor on all servers: one report with a section per server', async () => {
    const report = run<DoctorOutcome>('salesiq.runDoctor', { timeoutMs: 20_000 });
    await driver.pick(/Which server/, '$all');
    const r = await report;
    assert.deepStrictEqual(r.report.servers?.map((x) => x.name), ['staging', 'down']);
    const status = (name: string, id: string) => r.report.servers?.find((x) => x.name === name)?.checks.find((c) => c.id === id)?.status;
    assert.strictEqual(status('staging', 'host-key'), 'pass');
    assert.strictEqual(status('staging', 'env-key'), 'pass');
    assert.strictEqual(r.report.servers?.[1].ok, false);
    assert.ok(r.report.servers?.[1].checks.some((c) => c.status === 'fail'), 'the down server has a failing check');
  });

  it('with one server configured nothing is asked, as before', async () => {
    const list = vscode.workspace.getConfiguration('salesiq.remote').get<unknown[]>('servers')!;
    await setSetting('remote.servers', [list[0]]);
    try {
      // A question here would never be answered: the command returning is the proof that none was asked.
      const r = await run<{ ok: boolean }>('salesiq.testSshConnection');
      assert.strictEqual(r.ok, true, JSON.stringify(r));
    } finally {
      await setSetting('remote.servers', list);
    }
  });
});
