import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from '../../src/core/ssh/connect';
import type { SshSession } from '../../src/core/ssh/session';
import { listBackups, readFile, restoreBackup, sha256Hex, writeFileAtomic } from '../../src/core/ssh/remoteFile';
import type { Privilege } from '../../src/core/ssh/sudo';
import { useFixtureSession } from './session';
import { fixture } from './hooks';
import { findingOf } from './expectFinding';

const ROOT: Privilege = { mode: 'nopasswd' };

/** A session whose write command "loses the connection": before the command runs, or after it finished. */
function droppingWrites(real: SshSession, when: 'before' | 'after'): SshSession {
  return Object.create(real, {
    exec: {
      value: async (cmd: string, o?: Parameters<SshSession['exec']>[1]) => {
        if (!cmd.includes('devkit-write')) return real.exec(cmd, o);
        if (when === 'after') await real.exec(cmd, o);
        // The connection is gone once ssh2 says so (bounded), however long closing takes on a busy machine.
        real.close();
        for (let i = 0; i < 100 && !real.closed; i++) await new Promise((r) => setTimeout(r, 50));
        return { code: undefined, stdout: Buffer.alloc(0), stderr: '' };
      },
    },
  }) as SshSession;
}

describe('remote file: atomic write, backups, restore', function () {
  this.timeout(30_000);
  let s: SshSession;
  useFixtureSession((session) => (s = session));

  it('reads the exact bytes and their sha256', async () => {
    const f = await readFile(s, ROOT, fixture().envPath);
    assert.ok(f.content.equals(fixture().readEnv()));
    assert.equal(f.sha256, sha256Hex(fixture().readEnv()));
  });

  it('writes with a distinct backup per write, even two writes within a second, and restores a backup', async () => {
    const fx = fixture();
    const v0 = fx.readEnv();
    const v1 = Buffer.from('V=1\n');
    const v2 = Buffer.from('V=2\n');
    const w1 = await writeFileAtomic(s, ROOT, fx.envPath, v1, sha256Hex(v0));
    const w2 = await writeFileAtomic(s, ROOT, fx.envPath, v2, sha256Hex(v1));
    assert.notEqual(w1.backup, w2.backup);
    assert.ok(fs.readFileSync(w1.backup!).equals(v0));
    assert.ok(fs.readFileSync(w2.backup!).equals(v1));

    const listed = await listBackups(s, ROOT, fx.envPath);
    assert.deepEqual(listed.map((b) => b.path), [w2.backup, w1.backup], 'newest first');
    assert.equal(listed[1].size, v0.length);

    const r = await restoreBackup(s, ROOT, fx.envPath, w1.backup!);
    assert.ok(fx.readEnv().equals(v0), 'original content back');
    assert.ok(fs.readFileSync(r.backup!).equals(v2), 'the content replaced by the restore was backed up too');
    const st = fx.envStat();
    assert.deepEqual([st.uid, st.mode & 0o7777], [0, 0o640]);
  });

  it('prunes backups beyond the limit, keeping the newest', async () => {
    const fx = fixture();
    let cur = fx.readEnv();
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const next = Buffer.from(`V=${i}\n`);
      const w = await writeFileAtomic(s, ROOT, fx.envPath, next, sha256Hex(cur), { keepBackups: 2 });
      made.push(w.backup!);
      cur = next;
    }
    assert.deepEqual(fx.backups(), made.slice(-2).sort());
    assert.ok(fs.readFileSync(made[3]).equals(Buffer.from('V=2\n')), 'the newest backup holds the previous content');
  });

  it('refuses a restore from a path that is not a backup of the file', async () => {
    const f = await findingOf(() => restoreBackup(s, ROOT, fixture().envPath, '/etc/shadow'));
    assert.equal(f.code, 'not-regular-file');
  });

  it('refuses to read or replace a symlink', async () => {
    const fx = fixture();
    const link = path.join(path.dirname(fx.envPath), 'link.env');
    fs.symlinkSync(fx.envPath, link);
    try {
      const r = await findingOf(() => readFile(s, ROOT, link));
      assert.equal(r.code, 'not-regular-file');
      assert.match(r.title, /is a symbolic link/);
      const f = await findingOf(() => writeFileAtomic(s, ROOT, link, Buffer.from('X=1\n'), sha256Hex(fx.readEnv())));
      assert.equal(f.code, 'not-regular-file');
      assert.ok(fs.lstatSync(link).isSymbolicLink());
    } finally {
      fs.rmSync(link);
    }
  });

  it('after a drop, finds the new content in place and reports success', async () => {
    const fx = fixture();
    const own = await connect(fx.connectOptions());
    const before = await readFile(own, ROOT, fx.envPath);
    const next = Buffer.from('AFTER_DROP=1\n');
    let fresh: SshSession | undefined;
    const w = await writeFileAtomic(droppingWrites(own, 'after'), ROOT, fx.envPath, next, before.sha256, {
      reconnect: async () => (fresh = await connect(fx.connectOptions())),
    });
    fresh?.close();
    assert.equal(w.recoveredAfterDrop, true);
    assert.ok(fx.readEnv().equals(next));
    assert.ok(w.backup && fs.readFileSync(w.backup).equals(before.content));
  });

  it('after a drop, finds the old content and says nothing was replaced', async () => {
    const fx = fixture();
    const own = await connect(fx.connectOptions());
    const before = await readFile(own, ROOT, fx.envPath);
    let fresh: SshSession | undefined;
    const f = await findingOf(() =>
      writeFileAtomic(droppingWrites(own, 'before'), ROOT, fx.envPath, Buffer.from('X=1\n'), before.sha256, {
        reconnect: async () => (fresh = await connect(fx.connectOptions())),
      }),
    );
    fresh?.close();
    assert.deepEqual([f.code, f.details?.outcome], ['connection-lost', 'unchanged']);
    assert.ok(fx.readEnv().equals(before.content));
  });

  it('after a drop with no way back in, says outcome-unknown', async () => {
    const fx = fixture();
    const own = await connect(fx.connectOptions());
    const before = await readFile(own, ROOT, fx.envPath);
    const f = await findingOf(() => writeFileAtomic(droppingWrites(own, 'after'), ROOT, fx.envPath, Buffer.from('X=1\n'), before.sha256));
    assert.equal(f.code, 'outcome-unknown');
  });
});
