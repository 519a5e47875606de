// The stand-in systemd unit that the deploy tests rely on: its service is a real process whose environment
// holds the .env's values (EnvironmentFile=), and `systemctl show` answers as systemd does. If these drift,
// the live-token proof and the doctor's unit checks would be tested against a fiction.
import * as assert from 'node:assert/strict';
import type { SshSession } from '../../src/core/ssh/session';
import { useFixtureSession } from './session';
import { fixture, newToken } from './hooks';

describe('fake systemd unit (test fixture)', function () {
  this.timeout(30_000);
  let s: SshSession;
  const sh = async (cmd: string) => (await s.exec(cmd)).stdout.toString();
  const restart = () => s.exec(`sudo -n systemctl restart -- ${fixture().service}`);
  const envWith = (token: string) =>
    fixture().readEnv().toString().replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `SALESIQ_ACCESS_TOKEN=${token}`);

  useFixtureSession((session) => (s = session));
  beforeEach(() => fixture().setEnvMode('envfile'));

  it('runs a real main process whose environment holds the .env values until the next restart', async () => {
    const first = newToken();
    fixture().resetEnv(envWith(first));
    assert.equal((await restart()).code, 0);
    const pid = fixture().mainPid();
    assert.ok(pid > 0);
    assert.equal(fixture().serviceEnv().SALESIQ_ACCESS_TOKEN, first);
    assert.equal(fixture().serviceEnv().DB_PASSWORD, 's3cr3t pass', 'quotes removed as systemd does');

    fixture().resetEnv(envWith(newToken()));
    assert.equal(fixture().serviceEnv().SALESIQ_ACCESS_TOKEN, first, 'an edit is not seen before a restart');
    await restart();
    assert.notEqual(fixture().mainPid(), pid);
    assert.match(await sh(`systemctl show -p MainPID --value ${fixture().service}`), new RegExp(`^${fixture().mainPid()}\\n$`));
  });

  it('answers show in its own property order, with EnvironmentFiles and WorkingDirectory per mode', async () => {
    await restart();
    const out = await sh(`systemctl show -p WorkingDirectory,MainPID,EnvironmentFiles,ActiveState ${fixture().service}`);
    assert.deepEqual(out.trim().split('\n').map((l) => l.split('=')[0]), ['MainPID', 'EnvironmentFiles', 'WorkingDirectory', 'ActiveState']);
    assert.match(out, new RegExp(`^EnvironmentFiles=${fixture().envPath} \\(ignore_errors=no\\)$`, 'm'));

    fixture().setEnvMode('workdir');
    await restart();
    const wd = await sh(`systemctl show -p EnvironmentFiles,WorkingDirectory ${fixture().service}`);
    assert.match(wd, /^EnvironmentFiles=$/m);
    assert.ok(wd.includes(`WorkingDirectory=${fixture().envPath.replace(/\/\.env$/, '')}`));
    assert.equal(fixture().serviceEnv().SALESIQ_ACCESS_TOKEN, undefined, 'the app reads the file itself');
    assert.match(fixture().journalLog(), /llm-chatbot\[\d+\]: loaded SALESIQ_ACCESS_TOKEN sha256:/);

    const missing = await sh('systemctl show -p LoadState no-such-unit');
    assert.equal(missing.trim(), 'LoadState=not-found');
  });

  it('logs the live moment from the service itself, under its own PID', async () => {
    const token = newToken();
    fixture().resetEnv(envWith(token));
    await restart();
    const { createHash } = await import('node:crypto');
    const prefix = createHash('sha256').update(token).digest('hex').slice(0, 12);
    assert.ok(fixture().journalLog().includes(`llm-chatbot[${fixture().mainPid()}]: loaded SALESIQ_ACCESS_TOKEN sha256:${prefix}`));
  });

  it('fails the start when the key is missing, and turns failed when the process dies', async () => {
    fixture().resetEnv('APP_ENV=production\n');
    assert.equal((await restart()).code, 1);
    assert.equal((await sh(`systemctl is-active ${fixture().service}`)).trim(), 'failed');
    fixture().resetEnv();
    await restart();
    assert.equal((await sh(`systemctl is-active ${fixture().service}`)).trim(), 'active');
    process.kill(fixture().mainPid(), 'SIGKILL');
    for (let i = 0; i < 100 && (await sh(`systemctl is-active ${fixture().service}`)).trim() === 'active'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((await sh(`systemctl is-active ${fixture().service}`)).trim(), 'failed');
  });
});
