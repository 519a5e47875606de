import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { restartLive, watchService } from '../../../src/core/ssh/liveProof';
import { restartService } from '../../../src/core/ssh/service';
import { findingOf } from '../../ssh/expectFinding';
import { fakeSession, type Answer } from './fakeSession';
import { liveOutput, type LiveScript, watchOutput } from './liveOutput';

const ROOT = { mode: 'nopasswd' as const };
const KEY = 'SALESIQ_ACCESS_TOKEN';
const TOKEN = '1000.1111aaaa2222bbbb3333cccc4444dddd.5555eeee6666ffff7777000088889999';
const opts = { key: KEY, value: TOKEN, envPath: '/srv/app/.env' };

/** The live script answers `live` (or the raw exec answer), the watch script `watch`. */
function server(live: LiveScript | Answer, watch: Answer = { stdout: watchOutput('steady') }) {
  return fakeSession((cmd) => {
    if (cmd.includes('devkit-live')) return 'code' in live || 'stderr' in live || 'stdout' in live ? (live as Answer) : { stdout: liveOutput(live as LiveScript) };
    if (cmd.includes('devkit-watch')) return watch;
    return { code: 127, stderr: `unexpected: ${cmd}` };
  });
}

describe('restartLive (scripted server)', () => {
  it('runs ONE privileged script with a server-side limit; the token travels only as a hash on stdin', async () => {
    const s = server({ env: 'match', journal: [`Nov 25 10:00:00 h app[200]: loaded ${KEY} sha256:${createHash('sha256').update(TOKEN).digest('hex').slice(0, 12)}`] });
    const l = await restartLive(s, ROOT, 'app', opts);
    assert.equal(s.calls.length, 1);
    assert.ok(s.calls[0].cmd.startsWith("env LC_ALL=C sudo -n timeout -k 5 60 sh -c '"));
    assert.ok(s.calls[0].cmd.endsWith(`devkit-live 'app' ${KEY} 20 10`));
    assert.ok(!s.calls[0].cmd.includes(TOKEN));
    assert.equal(s.calls[0].stdin.toString(), `${createHash('sha256').update(TOKEN).digest('hex')}\n`);
    assert.deepEqual([l.proof, l.previousPid, l.mainPid, l.logLine, l.restartMs, l.proofMs], ['environ', 100, 200, true, 250, 50]);
    assert.deepEqual(l.environmentFiles, ['/srv/app/.env']);
  });

  it('sends the sudo password as the first stdin line, before the hash', async () => {
    const s = server({});
    await restartLive(s, { mode: 'password', password: 'pw' }, 'app', opts);
    assert.match(s.calls[0].stdin.toString(), /^pw\n[0-9a-f]{64}\n$/);
    assert.ok(s.calls[0].cmd.startsWith("env LC_ALL=C sudo -S -k -p '' timeout"));
  });

  it('falls back to the new main PID when the environment has no key or cannot be read, and says why', async () => {
    const noFile = await restartLive(server({ env: 'absent', envFiles: [] }), ROOT, 'app', opts);
    assert.equal(noFile.proof, 'pid');
    assert.match(noFile.proofNote, /new main PID 200 \(was 100\).*no EnvironmentFile=/);
    const unreadable = await restartLive(server({ env: 'unreadable' }), { mode: 'none' }, 'app', opts);
    assert.equal(unreadable.proof, 'pid');
    assert.match(unreadable.proofNote, /cannot be read/);
  });

  it('reports token-not-live when the new process holds another value, and warns when the unit loads another file', async () => {
    const f = await findingOf(restartLive(server({ env: 'differs', envFiles: ['/etc/app.env'] }), ROOT, 'app', opts));
    assert.deepEqual([f.source, f.code, f.details?.environmentFiles], ['systemd', 'token-not-live', '/etc/app.env']);
    const l = await restartLive(server({ env: 'absent', envFiles: ['/etc/app.env'] }), ROOT, 'app', opts);
    assert.match(l.warning ?? '', /loads \/etc\/app\.env .*not \/srv\/app\/\.env/);
  });

  it('a unit that failed after the restart is crash-after-restart; one that stayed on its old PID is not live', async () => {
    const crash = await findingOf(restartLive(server({ state: 'failed', env: 'none', journal: ['app[200]: token 1000.aaaabbbbccccdddd.eeeeffff00001111 rejected'] }), ROOT, 'app', opts));
    assert.equal(crash.code, 'crash-after-restart');
    assert.match(crash.details?.journal ?? '', /1000\.aaaa…1111 rejected/, 'journal lines are masked');
    const same = await findingOf(restartLive(server({ old: 200, pid: 200, env: 'none' }), ROOT, 'app', opts));
    assert.equal(same.code, 'inactive');
  });

  it('maps systemctl failures to the systemd code words', async () => {
    const cases: [LiveScript | Answer, string][] = [
      [{ rc: 1, err: ['Job for app.service failed because the control process exited with error code.'] }, 'job-failed'],
      [{ rc: 5, err: ['Failed to restart app.service: Unit app.service not found.'] }, 'unit-not-found'],
      [{ rc: 1, err: ['Failed to restart app.service: Interactive authentication required.'] }, 'interactive-auth'],
      [{ code: 124 }, 'timeout'],
    ];
    for (const [answer, code] of cases) assert.equal((await findingOf(restartLive(server(answer), ROOT, 'app', opts))).code, code);
  });

  it('maps sudo refusals and a dropped connection', async () => {
    const f = await findingOf(restartLive(server({ code: 1, stderr: 'sudo: a password is required\n' }), ROOT, 'app', opts));
    assert.deepEqual([f.source, f.code], ['sudo', 'password-required']);
    const lost = await findingOf(restartLive(server({ code: undefined }), ROOT, 'app', opts));
    assert.deepEqual([lost.source, lost.code], ['ssh', 'connection-lost']);
  });

  it('refuses unit names that are not plain systemd names or look like options, without running anything', async () => {
    const s = server({});
    for (const bad of ['app;reboot', "a'b", 'a b', '', '-q', '--no-block', '-Hroot@elsewhere', 'x'.repeat(300)]) {
      const f = await findingOf(restartLive(s, ROOT, bad, opts));
      assert.deepEqual([f.code, f.category, f.action], ['invalid-input', 'config', 'fix-config'], bad);
      assert.match(f.title, /^The service: /);
    }
    assert.equal(s.calls.length, 0);
  });
});

describe('watchService and restartService (scripted server)', () => {
  it('a steady process passes; one that died is crash-after-restart with the journal', async () => {
    const live = { unit: 'app', mainPid: 200 };
    assert.equal((await watchService(server({}), ROOT, live, { settleMs: 1500 })).steady, true);
    const f = await findingOf(watchService(server({}, { stdout: watchOutput('died', ['app[200]: SalesIQ answered 401']) }), ROOT, live, { settleMs: 1500 }));
    assert.equal(f.code, 'crash-after-restart');
    assert.match(f.details?.journal ?? '', /401/);
  });

  it('the window is passed to the server in ms with a limit above it: no polling from the client', async () => {
    const s = server({});
    await watchService(s, ROOT, { unit: 'app', mainPid: 200 }, { settleMs: 1500 });
    assert.equal(s.calls.length, 1);
    assert.match(s.calls[0].cmd, /^env LC_ALL=C sudo -n timeout -k 5 32 sh -c '.*' devkit-watch 'app' 200 20 1500$/);
  });

  it('restartService = live proof, then the watch (skipped for a zero window)', async () => {
    const s = server({});
    const r = await restartService(s, ROOT, 'app', { ...opts, settleMs: 1500 });
    assert.deepEqual([r.state, r.live.proof, s.calls.length], ['active', 'environ', 2]);
    const t = server({});
    await restartService(t, ROOT, 'app', { ...opts, settleMs: 0 });
    assert.equal(t.calls.length, 1);
  });
});
