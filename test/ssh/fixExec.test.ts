/**
 * The fix's one privileged exec (src/core/ssh/fixExec.ts through push.ts's openFastPush / commitFastPush)
 * against the real OpenSSH fixture: the read, the client's edit, the write and the restart with its live proof
 * in one `sudo sh -c`, and each way it can go wrong: another writer in between, a refused target, nothing to
 * change, password sudo, a connection cut during the write or the restart, a run that stops before sending.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvKey, setEnvKey } from '../../src/core/dotenv/setKey';
import { commitFastPush, type FastPushOptions, openFastPush } from '../../src/core/flows/push';
import { connect } from '../../src/core/ssh/connect';
import type { SshSession } from '../../src/core/ssh/session';
import { until } from './bin';
import { findingOf } from './expectFinding';
import { fixture, freshFixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('the fix in one privileged exec: read → edit → write → restart → live', function () {
  this.timeout(60_000);
  const sessions: SshSession[] = [];
  let keep: number[];
  const open = async () => {
    const s = await connect(fixture().connectOptions());
    sessions.push(s);
    return s;
  };
  const opts = (extra: Partial<FastPushOptions> = {}): FastPushOptions => {
    const fx = fixture();
    return { envPath: fx.envPath, key: KEY, service: fx.service, sudo: 'nopasswd', restart: true, ...extra };
  };
  const temps = () => fixture().appDirEntries().filter((n) => n.includes('.devkit-'));
  /** Waits (bounded) until no fix script of ours is running on the server. */
  const settled = () => until(() => fixture().processesWith('devkit-fix').length === 0, 15_000);
  const fixRuns = () => fixture().sudoLog().split('\n').filter((l) => l.includes('devkit-fix')).length;

  beforeEach(() => {
    keep = freshFixture().sessionPids();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    fixture().setFault('none');
    await settled();
  });

  it('writes (backup, owner and mode kept) and proves the new token live, all in ONE sudo call', async () => {
    const fx = fixture();
    const before = { bytes: fx.readEnv(), stat: fx.envStat(), pid: fx.mainPid(), sudo: fx.sudoLog().split('\n').length, fix: fixRuns() };
    const s = await open();
    const opened = await openFastPush(s, opts());
    assert.ok(opened.file.content.equals(before.bytes), 'the read returns the exact bytes');
    const value = newToken();
    const op = commitFastPush(s, opened, { ...opts(), value });
    const w = await op.written;
    const live = await op.live;
    assert.equal(w.changed, true);
    assert.ok(w.backup && fs.readFileSync(w.backup).equals(before.bytes), 'the backup holds the old bytes');
    assert.equal(readEnvKey(fx.readEnv(), KEY), value);
    assert.ok(fx.readEnv().equals(setEnvKey(before.bytes, KEY, value).content), 'exactly the edit, nothing else');
    const st = fx.envStat();
    assert.deepEqual([st.uid, st.gid, st.mode], [before.stat.uid, before.stat.gid, before.stat.mode], 'owner, group and mode kept');
    assert.equal(live.proof, 'environ');
    assert.equal(live.mainPid, fx.mainPid());
    assert.notEqual(live.mainPid, before.pid);
    assert.equal(fx.serviceEnv()[KEY], value, 'the running process holds the new token');
    const done = await op.done;
    assert.equal(done.logLine, true, 'the journal read after the live moment shows the service\'s own line');
    assert.equal(fixRuns() - before.fix, 1, 'one privileged exec');
    assert.equal(fx.sudoLog().split('\n').length - before.sudo, 1, 'and no other sudo call');
    assert.ok(!fx.sudoLog().includes(value), 'the token is never on a command line');
    assert.deepEqual(temps(), []);
  });

  it('prunes only DevKit\'s own oldest backups beyond the number to keep (no sort on the server)', async () => {
    const fx = fixture();
    const names = ['20200101000000', '20210101000000', '20220101000000'].map((t) => `${fx.envPath}.bak-${t}`);
    const manual = [`${fx.envPath}.bak-1-manual`, `${fx.envPath}.bak-2019-06-01`];
    for (const n of [...names, ...manual]) fs.writeFileSync(n, 'X=1\n');
    const s = await open();
    const o = opts({ keepBackups: 2, restart: false });
    const op = commitFastPush(s, await openFastPush(s, o), { ...o, value: newToken() });
    const w = await op.written;
    assert.deepEqual(w.pruned, names.slice(0, 2), 'the two oldest');
    assert.deepEqual(fx.backups().filter((b) => /bak-\d{14}$/.test(b)), [names[2], w.backup]);
    for (const m of manual) assert.ok(fs.existsSync(m), `${m} is never touched`);
    assert.ok(await settled(), 'without a restart the exec ends after the write');
  });

  it('nothing to change: no write and no backup, but the restart and the proof still run', async () => {
    const fx = fixture();
    const value = newToken();
    fx.resetEnv(setEnvKey(fx.readEnv(), KEY, value).content);
    const pid = fx.mainPid();
    const s = await open();
    const op = commitFastPush(s, await openFastPush(s, opts()), { ...opts(), value });
    assert.equal((await op.written).changed, false);
    const live = await op.live;
    assert.notEqual(live.mainPid, pid);
    assert.equal(live.proof, 'environ');
    assert.deepEqual(fx.backups(), []);
    assert.ok(await settled());
    assert.deepEqual(temps(), [], 'the temp file made while waiting is removed');
  });

  it('another writer between the read and the write: superseded, nothing of ours written, no backup, no restart', async () => {
    const fx = fixture();
    const s = await open();
    const opened = await openFastPush(s, opts());
    const theirs = Buffer.from(`${KEY}=${newToken()}\nOTHER=1\n`);
    fx.resetEnv(theirs);
    const calls = fx.callsLog().length;
    const op = commitFastPush(s, opened, { ...opts(), value: newToken() });
    const f = await findingOf(() => op.written);
    assert.equal(f.code, 'conflict');
    assert.match(f.title, /^Superseded: /);
    assert.ok((await findingOf(() => op.live)).code === 'conflict', 'the live step reports the same reason');
    assert.ok(fx.readEnv().equals(theirs), 'their content stays');
    assert.deepEqual(fx.backups(), []);
    assert.ok(await settled());
    assert.deepEqual(temps(), []);
    assert.doesNotMatch(fx.callsLog().slice(calls), /systemctl restart/, 'the restart never ran');
  });

  it('another writer wrote this very value: done (concurrent), and the restart runs on its own', async () => {
    const fx = fixture();
    const s = await open();
    const opened = await openFastPush(s, opts());
    const value = newToken();
    fx.resetEnv(Buffer.concat([setEnvKey(fx.readEnv(), KEY, value).content, Buffer.from('EXTRA=1\n')]));
    const op = commitFastPush(s, opened, { ...opts(), value });
    const w = await op.written;
    assert.deepEqual([w.changed, w.concurrent], [false, true]);
    const live = await op.live;
    assert.equal(live.proof, 'environ');
    assert.equal(fx.serviceEnv()[KEY], value);
  });

  it('refuses a symlink and a FIFO at the read, changing nothing and leaving no process behind', async () => {
    const fx = fixture();
    const dir = path.dirname(fx.envPath);
    const link = path.join(dir, 'link.env');
    const fifo = path.join(dir, 'pipe.env');
    fs.symlinkSync(fx.envPath, link);
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    try {
      const s = await open();
      const l = await findingOf(() => openFastPush(s, opts({ envPath: link })));
      assert.equal(l.code, 'not-regular-file');
      assert.match(l.title, /is a symbolic link/);
      const p = await findingOf(() => openFastPush(s, opts({ envPath: fifo })));
      assert.equal(p.code, 'not-regular-file');
      assert.match(p.title, /fifo/);
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.ok(fs.lstatSync(fifo).isFIFO());
      assert.ok(await settled(), 'no fix script left running');
      assert.ok(await until(() => fx.processesWith(fifo).length === 0, 3000), 'no process holds the FIFO');
    } finally {
      fs.rmSync(link, { force: true });
      fs.rmSync(fifo, { force: true });
    }
  });

  it('works with password sudo (the password alone first, then the one exec)', async () => {
    const fx = fixture();
    fx.setSudoMode('password');
    const s = await open();
    const o = opts({ sudo: 'password', sudoPassword: fx.password });
    const opened = await openFastPush(s, o);
    assert.equal(opened.privilege.mode, 'password');
    const value = newToken();
    const op = commitFastPush(s, opened, { ...o, value });
    await op.written;
    assert.equal((await op.live).proof, 'environ');
    assert.equal(readEnvKey(fx.readEnv(), KEY), value);
    assert.ok(!fx.sudoLog().includes(fx.password));
  });

  it('a run that stops before sending (cancelled, refresh failed): the exec ends, nothing written, no temp file', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const s = await open();
    const opened = await openFastPush(s, opts());
    assert.ok(await until(() => temps().length === 1, 10_000), 'the temp file is made while the client edits');
    opened.cancel();
    assert.ok(await until(() => opened.ended, 10_000), 'the exec ended');
    // The front end closes the connection after a failed refresh: the waiting exec ends the same way.
    const other = await openFastPush(await open(), opts());
    assert.ok(await until(() => temps().length === 1, 10_000));
    sessions.pop()!.close();
    assert.ok(await until(() => other.ended, 10_000), 'the exec ended with its connection');
    assert.ok(await settled());
    assert.deepEqual(temps(), []);
    assert.ok(fx.readEnv().equals(before));
    assert.deepEqual(fx.backups(), []);
  });

  it('a cut during the write: a new connection shows the OLD file in place, and the result says so', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const s = await open();
    const opened = await openFastPush(s, opts());
    // A reader holds the lock, so the write waits at its lock with the new content received; then the cut.
    const lock = await fx.holdReadLock();
    let written: Promise<unknown>;
    try {
      const op = commitFastPush(s, opened, { ...opts(), value: newToken(), reconnect: open });
      written = findingOf(() => op.written);
      assert.ok(await until(() => fx.processesWith('flock -w 30').length > 0, 20_000), 'the write waits for the lock');
      assert.ok(fx.cutSessions(keep).length > 0, 'a session was cut');
    } finally {
      lock.release();
    }
    const f = (await written!) as Awaited<ReturnType<typeof findingOf>>;
    assert.deepEqual([f.code, f.details?.outcome], ['connection-lost', 'unchanged'], `${f.title} ${JSON.stringify(f.details)}`);
    assert.match(f.details?.reason ?? '', /old content still in place/);
    assert.ok(await settled(), 'the orphaned script ended');
    assert.ok(fx.readEnv().equals(before), 'the old file, whole');
    assert.deepEqual(temps(), []);
    assert.deepEqual(fx.backups(), []);
  });

  it('a cut during the restart: the NEW file is in place, and the error says written and names the backup', async () => {
    const fx = fixture();
    fx.setFault('delay 2');
    const before = fx.readEnv();
    const calls = fx.callsLog().length;
    const s = await open();
    const value = newToken();
    const op = commitFastPush(s, await openFastPush(s, opts()), { ...opts(), value, reconnect: open });
    const w = await op.written;
    assert.ok(await until(() => /uid=0 systemctl restart -- /.test(fx.callsLog().slice(calls)), 20_000), 'the restart is running');
    assert.ok(fx.cutSessions(keep).length > 0);
    const f = await findingOf(() => op.live);
    assert.equal(f.code, 'connection-lost', f.title);
    assert.deepEqual([f.details?.written, f.details?.backup], ['true', w.backup]);
    assert.ok(w.backup && fs.readFileSync(w.backup).equals(before), 'the backup holds the old file');
    assert.equal(readEnvKey(fx.readEnv(), KEY), value, 'the new file, whole');
    assert.ok(await until(() => fx.serviceState() === 'active', 15_000), 'the restart finished on the server');
    assert.deepEqual(temps(), []);
  });
});
