import * as assert from 'node:assert/strict';
import { isDevKitError } from '../../../src/core/errors/devkitError';
import { pushToken, type PushOptions } from '../../../src/core/flows/push';
import { fakeSession, type Answer } from '../ssh/fakeSession';
import { liveOutput } from '../ssh/liveOutput';

const KEY = 'SALESIQ_ACCESS_TOKEN';
const NEW = '1000.1111aaaa2222bbbb3333cccc4444dddd.5555eeee6666ffff7777000088889999';

/** A server with a .env in memory: the read script returns it, the write script replaces it. */
function server(env: string, restart: Answer = { stdout: liveOutput() }) {
  let file: Buffer = Buffer.from(env);
  const s = fakeSession((cmd, stdin) => {
    if (cmd === 'true' || cmd.endsWith('sudo -n true')) return {};
    if (cmd.includes('devkit-read')) return { stdout: Buffer.concat([Buffer.from(`DEVKIT-READ ${file.length}\n`), file]) };
    if (cmd.includes('devkit-write')) {
      const nl = stdin.indexOf(10);
      file = stdin.subarray(nl + 1);
      return { stdout: 'OK /srv/app/.env.bak-20260101000000\n' };
    }
    if (cmd.includes('devkit-live')) return restart;
    if (cmd.includes('is-active')) return { stdout: 'active\n' };
    if (cmd.includes('journalctl')) return { stdout: 'Nov 25 10:00:00 h app[1]: started\n' };
    return { code: 127, stderr: `unexpected: ${cmd}` };
  });
  return { s, file: () => file.toString() };
}

const opts = (session: PushOptions['session'], extra: Partial<PushOptions> = {}): PushOptions => ({
  session,
  envPath: '/srv/app/.env',
  key: KEY,
  value: NEW,
  service: 'app',
  sudo: 'auto',
  restart: true,
  restartOptions: { settleMs: 0 },
  ...extra,
});

describe('pushToken (scripted server)', () => {
  it('runs the steps in order and writes only the edited key', async () => {
    const srv = server(`A=1\n${KEY}=1000.old.old\n`);
    const steps: string[] = [];
    const r = await pushToken(opts(srv.s, { onStep: (x) => steps.push(x) }));
    assert.deepEqual(steps, ['connect', 'preflight', 'read', 'write', 'restart', 'live', 'done']);
    assert.equal(srv.file(), `A=1\n${KEY}=${NEW}\n`);
    assert.deepEqual([r.changed, r.replaced, r.active, r.backup], [true, 1, true, '/srv/app/.env.bak-20260101000000']);
  });

  it('writes nothing when the value is already there, but restarts when asked', async () => {
    const srv = server(`${KEY}=${NEW}\n`);
    const r = await pushToken(opts(srv.s));
    assert.equal(r.changed, false);
    assert.ok(!srv.s.calls.some((c) => c.cmd.includes('devkit-write')));
    assert.ok(srv.s.calls.some((c) => c.cmd.includes('devkit-live')));
  });

  it('after a write, a failed restart says the file was written and where the backup is', async () => {
    const srv = server(`${KEY}=1000.old.old\n`, { stdout: liveOutput({ rc: 1, err: ['Job for app.service failed because the control process exited with error code.'] }) });
    await assert.rejects(pushToken(opts(srv.s)), (e) => {
      assert.ok(isDevKitError(e));
      assert.equal(e.finding.code, 'job-failed');
      assert.deepEqual([e.finding.details?.written, e.finding.details?.backup], ['true', '/srv/app/.env.bak-20260101000000']);
      return true;
    });
  });

  it('refuses a value that could break the file before touching the server', async () => {
    const srv = server('A=1\n');
    await assert.rejects(pushToken(opts(srv.s, { value: 'x\nEVIL=1' })), (e) => isDevKitError(e));
    assert.equal(srv.s.calls.length, 0);
  });
});
