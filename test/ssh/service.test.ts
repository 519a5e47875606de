import * as assert from 'node:assert/strict';
import { connect } from '../../src/core/ssh/connect';
import type { SshSession } from '../../src/core/ssh/session';
import { followJournal, journal, restartService } from '../../src/core/ssh/service';
import type { Privilege } from '../../src/core/ssh/sudo';
import { useFixtureSession } from './session';
import { fixture } from './hooks';
import { cmdlines } from './proc';
import { findingOf } from './expectFinding';

const ROOT: Privilege = { mode: 'nopasswd' };
const quick = { settleMs: 200, pollMs: 100 };

describe('service: restart, verify, journal (fake systemd behind real sudo)', function () {
  this.timeout(30_000);
  let s: SshSession;
  useFixtureSession((session) => (s = session));

  it('restarts through sudo and returns the journal tail', async () => {
    const r = await restartService(s, ROOT, fixture().service, quick);
    assert.equal(r.state, 'active');
    assert.ok(r.journal.some((l) => /Started llm-chatbot\.service/.test(l)));
    assert.ok(r.journal.length <= 20);
  });

  it('reports interactive-auth when systemctl runs without sudo', async () => {
    const f = await findingOf(() => restartService(s, { mode: 'none' }, fixture().service, quick));
    assert.equal(f.code, 'interactive-auth');
  });

  it('reports unit-not-found for an unknown unit, and refuses a unit name that could inject or pass for an option', async () => {
    assert.equal((await findingOf(() => restartService(s, ROOT, 'no-such-unit', quick))).code, 'unit-not-found');
    const calls = fixture().callsLog();
    for (const bad of ['x;reboot', '-q', '--no-block', '-Hroot@127.0.0.1']) {
      assert.equal((await findingOf(() => restartService(s, ROOT, bad, quick))).code, 'invalid-input', bad);
    }
    assert.equal(fixture().callsLog(), calls, 'nothing ran for the bad names');
  });

  it('stops a hanging restart on the server side and reports timeout', async () => {
    fixture().setFault('delay 30');
    const f = await findingOf(() => restartService(s, ROOT, fixture().service, { ...quick, timeoutSec: 1 }));
    assert.equal(f.code, 'timeout');
    assert.equal(f.source, 'systemd');
  }).timeout(40_000);

  it('reads journal lines as root; an unprivileged read sees no entries', async () => {
    await restartService(s, ROOT, fixture().service, quick);
    const lines = await journal(s, ROOT, fixture().service, 3);
    assert.equal(lines.length, 3);
    assert.deepEqual(await journal(s, { mode: 'none' }, fixture().service, 3), []);
  });

  it('follows the journal until aborted, and the remote follower stops', async () => {
    const fx = fixture();
    const seen: string[] = [];
    const ac = new AbortController();
    const done = followJournal(s, ROOT, fx.service, {
      lines: 0,
      signal: ac.signal,
      onLine: (l) => {
        seen.push(l);
        if (/Started llm-chatbot\.service/.test(l)) ac.abort();
      },
    });
    let ended = false;
    void done.finally(() => (ended = true)).catch(() => undefined);
    // A restart on a second session produces the lines the follower must see.
    const other = await connect(fx.connectOptions());
    try {
      for (let i = 0; i < 20 && !ac.signal.aborted && !ended; i++) {
        await restartService(other, ROOT, fx.service, quick);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      other.close();
    }
    assert.equal(await done, 'stopped');
    assert.ok(seen.some((l) => /loaded SALESIQ_ACCESS_TOKEN/.test(l)), 'the service logs its token before systemd says Started');
    // The stop reached the server: no follower of this fixture's journal is left running.
    assert.deepEqual(cmdlines().filter((c) => c.includes(`-F ${fx.svcDir}/journal.log`)), []);
  });
});
