import * as assert from 'node:assert/strict';
import { restartService } from '../../../src/core/ssh/service';
import { FakeClock } from '../../support/fakeClock';
import { fakeSession, type Answer } from './fakeSession';
import { findingOf } from '../../ssh/expectFinding';

/** Runs `work` while moving the fake clock forward, so the polling loop's waits pass without real time. */
async function withTime<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let settled = false;
  work.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 1000 && !settled; i++) await clock.advance(50);
  return work;
}

/** restart answers `restart`; is-active walks through `states` (the last one repeats). */
function service(restart: Answer, states: string[]) {
  let i = 0;
  return fakeSession((cmd) => {
    if (cmd.includes('systemctl restart')) return restart;
    if (cmd.includes('is-active')) {
      const s = states[Math.min(i++, states.length - 1)];
      return { code: s === 'active' ? 0 : 3, stdout: `${s}\n` };
    }
    if (cmd.includes('journalctl')) return { stdout: 'Nov 25 10:00:00 h app[1]: token 1000.aaaabbbbccccdddd.eeeeffff00001111 rejected\n' };
    return { code: 127, stderr: 'unexpected' };
  });
}

const clock = new FakeClock();
const opts = { clock, settleMs: 1000, pollMs: 250, maxWaitMs: 5000 };
const restart = (...args: Parameters<typeof restartService>) => withTime(clock, restartService(...args));
const ROOT = { mode: 'nopasswd' as const };

describe('restartService (scripted server)', () => {
  it('accepts a unit that becomes active and stays active for the settle time', async () => {
    const s = service({ code: 0 }, ['activating', 'active']);
    const r = await restart(s, ROOT, 'app', opts);
    assert.equal(r.state, 'active');
    assert.ok(r.journal[0].includes('1000.aaaa…1111'), 'journal lines are masked');
    assert.ok(s.calls[0].cmd.startsWith("env LC_ALL=C sudo -n timeout -k 5 60 systemctl restart -- 'app'"), 'the unit comes after --, so it is never an option');
  });

  it('reports crash-after-restart when restart succeeded but the unit then fails, with journal lines', async () => {
    const f = await findingOf(restart(service({ code: 0 }, ['active', 'active', 'failed']), ROOT, 'app', opts));
    assert.equal(f.code, 'crash-after-restart');
    assert.match(f.details?.journal ?? '', /rejected/);
  });

  it('reports crash-after-restart for a unit caught in a restart loop (active, then activating)', async () => {
    const f = await findingOf(restart(service({ code: 0 }, ['active', 'activating']), ROOT, 'app', opts));
    assert.equal(f.code, 'crash-after-restart');
  });

  it('reports inactive for a unit that never comes up', async () => {
    const f = await findingOf(restart(service({ code: 0 }, ['inactive']), ROOT, 'app', opts));
    assert.equal(f.code, 'inactive');
  });

  it('maps systemctl failures to the systemd code words', async () => {
    const cases: [Answer, string][] = [
      [{ code: 1, stderr: 'Job for app.service failed because the control process exited with error code.\n' }, 'job-failed'],
      [{ code: 5, stderr: 'Failed to restart app.service: Unit app.service not found.\n' }, 'unit-not-found'],
      [{ code: 1, stderr: 'Failed to restart app.service: Interactive authentication required.\n' }, 'interactive-auth'],
      [{ code: 124 }, 'timeout'],
    ];
    for (const [answer, code] of cases) {
      const f = await findingOf(restart(service(answer, ['failed']), ROOT, 'app', opts));
      assert.equal(f.code, code);
    }
  });

  it('maps sudo refusals to the sudo code words', async () => {
    const f = await findingOf(restart(service({ code: 1, stderr: 'sudo: a password is required\n' }, ['failed']), ROOT, 'app', opts));
    assert.deepEqual([f.source, f.code], ['sudo', 'password-required']);
  });

  it('refuses unit names that are not plain systemd names or look like options, without running anything', async () => {
    const s = service({ code: 0 }, ['active']);
    for (const bad of ['app;reboot', "a'b", 'a b', '', '-q', '--no-block', '-Hroot@elsewhere', 'x'.repeat(300)]) {
      const f = await findingOf(restart(s, ROOT, bad, opts));
      assert.deepEqual([f.code, f.category, f.action], ['invalid-input', 'config', 'fix-config'], bad);
      assert.match(f.title, /^The service: /);
    }
    assert.equal(s.calls.length, 0);
  });
});
