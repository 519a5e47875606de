// The live proof against the real OpenSSH server and the stand-in unit (test/sshd): one remote script restarts,
// finds the new main PID and compares the SHA-256 of the key in /proc/<pid>/environ, hashed on the server;
// the watch that follows catches a crash shortly after the start. The service's own log line cross-checks it.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from '../../src/core/ssh/connect';
import type { SshSession } from '../../src/core/ssh/session';
import { restartLive, watchService } from '../../src/core/ssh/liveProof';
import type { Privilege } from '../../src/core/ssh/sudo';
import { findingOf } from './expectFinding';
import { fixture, newToken } from './hooks';
import { sampleCmdlines } from './proc';

const ROOT: Privilege = { mode: 'nopasswd' };
const KEY = 'SALESIQ_ACCESS_TOKEN';
const prefix = (t: string) => createHash('sha256').update(t).digest('hex').slice(0, 12);

describe('live proof: restart → new main PID → token hash from its environment → watch', function () {
  this.timeout(60_000);
  let s: SshSession;
  const envWith = (token: string) => fixture().readEnv().toString().replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `${KEY}=${token}`);
  const opts = (value: string) => ({ key: KEY, value, envPath: fixture().envPath });

  before(async () => {
    s = await connect(fixture().connectOptions());
  });
  after(() => s?.close());
  beforeEach(() => {
    const fx = fixture();
    fx.resetEnv();
    fx.setSudoMode('nopasswd');
    fx.setFault('none');
    fx.setEnvMode('envfile');
  });

  it('EnvironmentFile=: proves the new process holds the new token by its environ hash, and the service logs it under that PID', async () => {
    const fx = fixture();
    await restartLive(s, ROOT, fx.service, opts(newToken())).catch(() => undefined); // running, whatever came before
    const token = newToken();
    fx.resetEnv(envWith(token));
    const before = fx.mainPid();
    const l = await restartLive(s, ROOT, fx.service, opts(token));
    assert.equal(l.proof, 'environ');
    assert.equal(l.mainPid, fx.mainPid());
    assert.notEqual(l.mainPid, before);
    assert.equal(l.previousPid, before);
    assert.equal(fx.serviceEnv()[KEY], token, 'what the fixture sees in /proc agrees');
    assert.deepEqual(l.environmentFiles, [fx.envPath]);
    assert.match(l.proofNote, /SHA-256 of SALESIQ_ACCESS_TOKEN in \/proc\/\d+\/environ/);
    // The live moment, in the service's own words, under the PID the proof names.
    assert.ok(fx.journalLog().includes(`llm-chatbot[${l.mainPid}]: loaded ${KEY} sha256:${prefix(token)}`));
    assert.equal(l.logLine, true);
    assert.ok(!l.journal.join('\n').includes(token));
  });

  it('sends no secret on a command line: the token and its hash never show in ps, sudo\'s log or the fake systemd\'s calls', async () => {
    const fx = fixture();
    const token = newToken();
    fx.resetEnv(envWith(token));
    const sampler = sampleCmdlines('devkit-live');
    let seen: string[] = [];
    try {
      // The sampler is its own process: give it a moment to start before the script runs.
      for (let i = 0; i < 50 && !sampler.caught() && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await restartLive(s, ROOT, fx.service, opts(token));
    } finally {
      seen = await sampler.stop();
    }
    assert.ok(sampler.caught() || seen.some((l) => l.includes('devkit-live')), 'the sampling saw the remote script run');
    const hash = createHash('sha256').update(token).digest('hex');
    for (const text of [seen.join('\n'), fx.sudoLog(), fx.callsLog()]) {
      assert.ok(!text.includes(token) && !text.includes(hash));
    }
  });

  it('a .env that another value replaced before the restart: the running process holds the other one → token-not-live', async () => {
    const fx = fixture();
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-other-env-')), 'other.env');
    fs.writeFileSync(other, `${KEY}=${newToken()}\n`);
    fx.setEnvMode(`other ${other}`);
    const token = newToken();
    fx.resetEnv(envWith(token));
    const f = await findingOf(() => restartLive(s, ROOT, fx.service, opts(token)));
    assert.equal(f.code, 'token-not-live');
    assert.match(f.details?.environmentFiles ?? '', new RegExp(other.replace(/[.]/g, '\\.')));
  });

  it('no EnvironmentFile= (the app reads its .env from its working directory): the new main PID is the proof', async () => {
    const fx = fixture();
    fx.setEnvMode('workdir');
    const token = newToken();
    fx.resetEnv(envWith(token));
    const before = fx.mainPid();
    const l = await restartLive(s, ROOT, fx.service, opts(token));
    assert.equal(l.proof, 'pid');
    assert.notEqual(l.mainPid, before);
    assert.deepEqual(l.environmentFiles, []);
    assert.match(l.proofNote, /new main PID \d+.*no EnvironmentFile=/);
    assert.ok(fx.journalLog().includes(`llm-chatbot[${l.mainPid}]: loaded ${KEY} sha256:${prefix(token)}`), 'the app read the new file itself');
  });

  it('another EnvironmentFile= that happens to hold the token: live by its hash, with a warning naming the file the unit loads', async () => {
    const fx = fixture();
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-other-env-')), 'other.env');
    const token = newToken();
    fs.writeFileSync(other, `${KEY}=${token}\n`);
    fx.setEnvMode(`other ${other}`);
    const l = await restartLive(s, ROOT, fx.service, opts(token));
    assert.equal(l.proof, 'environ');
    assert.match(l.warning ?? '', /loads .*other\.env .*not .*\.env/);
  });

  it('a failed start is job-failed with the journal; a crash after a good start is caught by the watch, with the journal', async () => {
    const fx = fixture();
    fx.setFault('restart-fail');
    const f = await findingOf(() => restartLive(s, ROOT, fx.service, opts(newToken())));
    assert.equal(f.code, 'job-failed');
    assert.match(f.details?.journal ?? '', /Failed to start llm-chatbot\.service/);

    // Dies 2 s after it logged its token: live first, then caught by the watch (on a very loaded machine the
    // crash may already be there when the proof looks, which is reported the same way).
    fx.setFault('crash 2');
    const token = newToken();
    fx.resetEnv(envWith(token));
    const c = await findingOf(async () => {
      const l = await restartLive(s, ROOT, fx.service, opts(token));
      assert.equal(l.proof, 'environ', 'live first');
      await watchService(s, ROOT, l, { settleMs: 10_000, secrets: [token] });
    });
    assert.equal(c.code, 'crash-after-restart');
    assert.match(c.details?.journal ?? '', /401 Unauthorized/);
  });

  it('a steady service passes the watch; a zero window is one check', async () => {
    const fx = fixture();
    const token = newToken();
    fx.resetEnv(envWith(token));
    const l = await restartLive(s, ROOT, fx.service, opts(token));
    assert.deepEqual((await watchService(s, ROOT, l, { settleMs: 300 })).steady, true);
    assert.deepEqual((await watchService(s, ROOT, l, { settleMs: 0 })).mainPid, l.mainPid);
  });

  it('password sudo: the proof still works with the password as the first stdin line', async () => {
    const fx = fixture();
    fx.setSudoMode('password');
    const token = newToken();
    fx.resetEnv(envWith(token));
    const l = await restartLive(s, { mode: 'password', password: fx.password }, fx.service, opts(token));
    assert.equal(l.proof, 'environ');
  });
});
