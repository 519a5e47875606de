// The doctor's server checks against the real OpenSSH fixture and its real service process: which .env the
// unit reads, which token the running process holds, and what a broken link looks like.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { systemClock } from '../../src/core/token/clock';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { type DoctorCheck, type ServerInput, serverChecks, SERVER_CHECKS } from '../../src/core/flows/doctor';
import { connect } from '../../src/core/ssh/connect';
import { fixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('doctor server checks against OpenSSH and the real service', function () {
  this.timeout(60_000);

  const input = (over: Partial<ServerInput> = {}): ServerInput => {
    const fx = fixture();
    return { name: 'fixture', connect: fx.connectOptions(), envPath: fx.envPath, key: KEY, service: fx.service, sudo: 'auto', ...over };
  };
  const run = (devkitToken?: string, over: Partial<ServerInput> = {}, timeoutMs?: number) =>
    serverChecks(input(over), { clock: systemClock, devkitToken: Promise.resolve(devkitToken) }, { timeoutMs });
  const get = (checks: DoctorCheck[], id: string) => checks.find((c) => c.id === id)!;
  const statuses = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));
  const envWith = (token: string) => fixture().readEnv().toString().replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `${KEY}=${token}`);
  const restart = async () => {
    const s = await connect(fixture().connectOptions());
    try {
      assert.equal((await s.exec(`sudo -n systemctl restart -- ${fixture().service}`)).code, 0);
    } finally {
      s.close();
    }
  };

  beforeEach(async () => {
    const fx = fixture();
    fx.setSudoMode('nopasswd');
    fx.setFault('none');
    fx.setEnvMode('envfile');
    fx.resetEnv();
  });

  it('a healthy server: every check passes, the service holds the token DevKit holds, and nothing changed', async () => {
    const fx = fixture();
    const token = newToken();
    fx.resetEnv(envWith(token));
    await restart();
    const before = { env: fx.readEnv(), entries: fx.appDirEntries(), pid: fx.mainPid(), calls: fx.callsLog().length };
    const r = await run(token);
    assert.deepEqual(r.checks.map((c) => c.id), [...SERVER_CHECKS]);
    assert.deepEqual(Object.values(statuses(r.checks)), SERVER_CHECKS.map(() => 'pass'), JSON.stringify(r.checks, null, 1));
    assert.equal(r.ok, true);
    assert.match(get(r.checks, 'service-token').detail, new RegExp(`PID ${fx.mainPid()}`));
    // Changes nothing: same bytes, no backup or temp file, same process, no restart/stop/start.
    assert.ok(fx.readEnv().equals(before.env));
    assert.deepEqual(fx.appDirEntries(), before.entries);
    assert.equal(fx.mainPid(), before.pid);
    assert.doesNotMatch(fx.callsLog().slice(before.calls), /systemctl (restart|start|stop)/);
    // The token never crossed the wire in a command line, and the environment was hashed on the server.
    assert.ok(!fx.sudoLog().includes(token));
    assert.ok(!fx.sshdLog().includes(token));
  });

  it('the service running an old token (the .env changed, no restart): service-token fails with a restart', async () => {
    const fx = fixture();
    fx.resetEnv(envWith(newToken()));
    await restart();
    const current = newToken();
    fx.resetEnv(envWith(current));
    const r = await run(current);
    const c = get(r.checks, 'service-token');
    assert.equal(c.status, 'fail', JSON.stringify(c));
    assert.equal(c.action, 'fix-server');
    assert.equal(c.fix?.kind, 'restart');
    assert.match(c.detail, /restart/);
    assert.equal(r.ok, false);
  });

  it('the .env holds another token than DevKit (a teammate pushed): a warning with push, never "older"', async () => {
    const fx = fixture();
    fx.resetEnv(envWith(newToken()));
    await restart();
    const r = await run(newToken());
    const c = get(r.checks, 'service-token');
    assert.equal(c.status, 'warn');
    assert.equal(c.action, 'push');
    assert.doesNotMatch(c.title + c.detail, /older/);
    assert.equal(r.ok, true);
  });

  it('a unit that reads a different .env: unit-reads-env fails naming the file it really reads', async () => {
    const fx = fixture();
    const other = path.join(fx.dir, 'other.env');
    fs.writeFileSync(other, `${KEY}=${newToken()}\n`);
    fx.setEnvMode(`other ${other}`);
    await restart();
    const r = await run(readEnvKey(fx.readEnv(), KEY));
    const c = get(r.checks, 'unit-reads-env');
    assert.equal(c.status, 'fail');
    assert.ok(c.title.includes(other), c.title);
    assert.equal(get(r.checks, 'service-token').status, 'skip');
  });

  it('the key missing from the .env: env-key fails with push as the fix', async () => {
    const fx = fixture();
    await restart();
    fx.resetEnv('APP_ENV=production\nPORT=8080\n');
    const r = await run(newToken());
    const c = get(r.checks, 'env-key');
    assert.deepEqual([c.status, c.action, c.fix?.kind], ['fail', 'push', 'push']);
    assert.equal(get(r.checks, 'env-file').status, 'pass');
  });

  it('an app that reads the .env itself: "restarted after the last change", then "running an older file"', async () => {
    const fx = fixture();
    fx.setEnvMode('workdir');
    const token = newToken();
    fx.resetEnv(envWith(token));
    await new Promise((r) => setTimeout(r, 1100)); // file change and start in different seconds
    await restart();
    const after = await run(token);
    assert.equal(get(after.checks, 'unit-reads-env').status, 'pass');
    const ok = get(after.checks, 'service-token');
    assert.equal(ok.status, 'pass', JSON.stringify(ok));
    assert.match(ok.title, /restarted after the last change/);

    await new Promise((r) => setTimeout(r, 1100));
    fx.resetEnv(envWith(token));
    const older = get((await run(token)).checks, 'service-token');
    assert.equal(older.status, 'warn');
    assert.match(older.title, /running an older file/);
    assert.equal(older.fix?.kind, 'restart');
  });

  it('a crashed service fails service-active (restart as the fix) and skips service-token', async () => {
    const fx = fixture();
    fx.setFault('crash 0.2');
    await restart().catch(() => undefined);
    for (let i = 0; i < 100 && fx.serviceState() !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
    const r = await run(newToken());
    const c = get(r.checks, 'service-active');
    assert.deepEqual([c.status, c.fix?.kind], ['fail', 'restart']);
    assert.match(c.title, /failed/);
    assert.equal(get(r.checks, 'service-token').status, 'skip');
  });

  it('a SalesIQ 1001 in the journal after the start fails the journal check with the decoded fix', async () => {
    const fx = fixture();
    await restart();
    const stamp = new Date().toUTCString().slice(8, 11) + new Date().toISOString().slice(7, 10).replace('-', ' ') + new Date().toISOString().slice(10, 19).replace('T', ' ');
    fs.appendFileSync(path.join(fx.svcDir, 'journal.log'), `${stamp} sdk-host llm-chatbot[${fx.mainPid()}]: transfer failed: HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}\n`);
    const j = get((await run(newToken())).checks, 'journal');
    assert.equal(j.status, 'fail', JSON.stringify(j));
    assert.equal(j.action, 'refresh');
    assert.match(j.title, /ago/);
  });

  it('sudo that needs a password: fails without it, passes with it (sent on stdin only)', async () => {
    const fx = fixture();
    await restart();
    fx.setSudoMode('password');
    const without = await run(newToken());
    assert.equal(get(without.checks, 'sudo').status, 'fail');
    assert.equal(get(without.checks, 'env-file').status, 'skip');
    assert.equal(get(without.checks, 'unit').status, 'pass', 'systemd is asked without sudo');
    const withPw = await run(newToken(), { sudoPassword: fx.password });
    assert.equal(get(withPw.checks, 'sudo').status, 'pass');
    assert.equal(get(withPw.checks, 'env-key').status, 'pass');
    assert.ok(!fx.sudoLog().includes(fx.password));
  });

  it('a host key that changed fails host-key and stops there', async () => {
    const fx = fixture();
    const other = fs.readFileSync(fx.keys.stranger + '.pub', 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const r = await run(undefined, { connect: fx.connectOptions({ knownHostsText: `[127.0.0.1]:${fx.port} ${other}\n` }) });
    assert.equal(get(r.checks, 'host-key').status, 'fail');
    assert.match(get(r.checks, 'host-key').title, /CHANGED|changed/);
    assert.equal(get(r.checks, 'login').status, 'skip');
  });

  it('a hung server (accepts, never speaks SSH) fails its checks within the time limit', async () => {
    const sockets: net.Socket[] = [];
    const hung = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const port = (hung.address() as net.AddressInfo).port;
      const r = await run(undefined, { connect: fixture().connectOptions({ port }) }, 1500);
      const c = get(r.checks, 'host-key');
      assert.equal(c.status, 'fail');
      assert.match(c.title + c.detail, /time|timed out/i);
    } finally {
      for (const s of sockets) s.destroy();
      hung.close();
    }
  });

  it('sudo none as an unprivileged user: what it cannot read is reported, not guessed', async () => {
    await restart();
    const r = await run(newToken(), { sudo: 'none' });
    assert.equal(get(r.checks, 'sudo').status, 'pass');
    // root:group 0640, the user is not in the group: the file cannot be read, the journal shows nothing.
    assert.equal(get(r.checks, 'env-file').status, 'fail');
    assert.equal(get(r.checks, 'journal').status, 'warn');
    assert.equal(get(r.checks, 'unit').status, 'pass');
  });
});
