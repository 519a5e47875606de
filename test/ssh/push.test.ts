import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { isDevKitError } from '../../src/core/errors/devkitError';
import { pushToken, type PushOptions, tokenHashPrefix } from '../../src/core/flows/push';
import { fixture, newToken } from './hooks';
import { findingOf } from './expectFinding';

const KEY = 'SALESIQ_ACCESS_TOKEN';

function opts(extra: Partial<PushOptions> = {}): PushOptions {
  const fx = fixture();
  return {
    connect: fx.connectOptions(),
    envPath: fx.envPath,
    key: KEY,
    value: newToken(),
    service: fx.service,
    sudo: 'auto',
    restart: true,
    restartOptions: { settleMs: 200, pollMs: 100 },
    ...extra,
  };
}

describe('pushToken against OpenSSH, sudo and the fake service', function () {
  this.timeout(30_000);

  beforeEach(() => {
    fixture().resetEnv();
    fixture().setSudoMode('nopasswd');
    fixture().setFault('none');
  });

  it('writes the token, keeps a backup, restarts, and the service logs the new token', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const o = opts();
    const steps: string[] = [];
    const r = await pushToken({ ...o, onStep: (s) => steps.push(s) });

    assert.equal(r.changed, true);
    assert.equal(readEnvKey(fx.readEnv(), KEY), o.value);
    const expected = Buffer.from(before.toString('latin1').replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `${KEY}=${o.value}`), 'latin1');
    assert.ok(fx.readEnv().equals(expected), 'only the token line changed');
    assert.ok(r.backup && fs.readFileSync(r.backup).equals(before), 'the backup holds the old bytes');
    assert.equal(r.active, true);
    assert.ok(r.journal.some((l) => l.includes(`sha256:${r.newTokenHashPrefix}`)), 'the restarted service loaded the new token');
    assert.equal(r.newTokenHashPrefix, tokenHashPrefix(o.value));
    assert.ok(!r.journal.join('\n').includes(o.value));
    assert.deepEqual(steps, ['connect', 'preflight', 'read', 'write', 'restart', 'live', 'watch', 'done']);
    assert.match(fx.callsLog(), /uid=0 systemctl restart -- llm-chatbot\n/);
  });

  it('keeps owner, group and mode of the .env (and of the backup); leaves no temp file', async () => {
    const fx = fixture();
    const st0 = fx.envStat();
    const r = await pushToken(opts({ restart: false }));
    const st1 = fx.envStat();
    assert.deepEqual([st1.uid, st1.gid, st1.mode & 0o7777], [st0.uid, st0.gid, 0o640]);
    assert.notEqual(st1.ino, st0.ino, 'replaced by rename, not rewritten in place');
    const b = fs.statSync(r.backup!);
    assert.deepEqual([b.uid, b.gid, b.mode & 0o7777], [st0.uid, st0.gid, 0o640]);
    assert.deepEqual(fx.appDirEntries().filter((n) => n.includes('devkit')), []);
  });

  it('works with password sudo', async () => {
    const fx = fixture();
    fx.setSudoMode('password');
    const o = opts({ sudo: 'password', sudoPassword: fx.password });
    const r = await pushToken(o);
    assert.equal(readEnvKey(fx.readEnv(), KEY), o.value);
    assert.equal(r.active, true);
  });

  it('stops at a wrong sudo password before anything is sent: file untouched, token never reaches sudo', async () => {
    const fx = fixture();
    fx.setSudoMode('password');
    const before = fx.readEnv();
    const logBefore = fx.sudoLog().length;
    const o = opts({ sudo: 'password', sudoPassword: 'wrong-password' });
    const f = await findingOf(() => pushToken(o));
    assert.equal(f.code, 'password-wrong');
    assert.ok(fx.readEnv().equals(before));
    assert.deepEqual(fx.backups(), []);
    const log = fx.sudoLog().slice(logBefore);
    assert.match(log, /1 incorrect password attempt/);
    assert.ok(!log.includes(o.value));
  });

  it('preserves CRLF line endings and warns about them', async () => {
    const fx = fixture();
    fx.resetEnv('APP_ENV=production\r\nSALESIQ_ACCESS_TOKEN=1000.old.old\r\nPORT=8080\r\n');
    const o = opts({ restart: false });
    const r = await pushToken(o);
    assert.equal(fx.readEnv().toString(), `APP_ENV=production\r\n${KEY}=${o.value}\r\nPORT=8080\r\n`);
    assert.equal(r.crlf, true);
    assert.ok(r.warnings.some((w) => /CRLF/.test(w)));
  });

  it('keeps export prefixes and quoting, and replaces every duplicate', async () => {
    const fx = fixture();
    fx.resetEnv(`export ${KEY}="1000.a.b"\nOTHER='x y'\n${KEY}='1000.c.d' # second\n`);
    const o = opts();
    const r = await pushToken(o);
    assert.equal(fx.readEnv().toString(), `export ${KEY}="${o.value}"\nOTHER='x y'\n${KEY}='${o.value}' # second\n`);
    assert.equal(r.replaced, 2);
    assert.ok(r.journal.some((l) => l.includes(`sha256:${r.newTokenHashPrefix}`)), 'the service parsed the quoted value');
  });

  it('appends a missing key (adding the missing final newline)', async () => {
    const fx = fixture();
    fx.resetEnv('APP_ENV=production');
    const o = opts({ restart: false });
    const r = await pushToken(o);
    assert.equal(fx.readEnv().toString(), `APP_ENV=production\n${KEY}=${o.value}\n`);
    assert.equal(r.appended, true);
  });

  it('shows a masked diff before writing and writes nothing when not confirmed', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const o = opts();
    let shown = '';
    await assert.rejects(
      pushToken({ ...o, confirm: async (d) => ((shown = d), false) }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.match(shown, /^-SALESIQ_ACCESS_TOKEN=1000\.[0-9a-f]{4}…[0-9a-f]{4}$/m);
    assert.match(shown, /^\+SALESIQ_ACCESS_TOKEN=1000\.[0-9a-f]{4}…[0-9a-f]{4}$/m);
    assert.ok(!shown.includes(o.value) && !shown.includes(readEnvKey(before, KEY)!));
    assert.ok(fx.readEnv().equals(before));
    assert.deepEqual(fx.backups(), []);
  });

  it('can be cancelled before the write; nothing changes', async () => {
    const fx = fixture();
    const before = fx.readEnv();
    const calls = fx.callsLog().length;
    const ac = new AbortController();
    await assert.rejects(pushToken({ ...opts(), signal: ac.signal, onStep: (s) => s === 'read' && ac.abort() }));
    assert.ok(fx.readEnv().equals(before));
    assert.deepEqual(fx.backups(), []);
    assert.doesNotMatch(fx.callsLog().slice(calls), /restart/);
  });

  it('reports no change when the value is already there, and still restarts when asked', async () => {
    const fx = fixture();
    const o = opts();
    await pushToken({ ...o, restart: false });
    const backups = fx.backups();
    const r = await pushToken(o);
    assert.equal(r.changed, false);
    assert.equal(r.backup, undefined);
    assert.deepEqual(fx.backups(), backups, 'no new backup');
    assert.equal(r.active, true);
    assert.ok(r.journal.some((l) => l.includes(`sha256:${r.newTokenHashPrefix}`)));
  });

  it('refuses to overwrite a concurrent edit (conflict): file as the other writer left it, no backup', async () => {
    const fx = fixture();
    const o = opts();
    let edited: Buffer | undefined;
    const f = await findingOf(() =>
      pushToken({
        ...o,
        // Between our read and our write, someone else changes the file.
        confirm: async () => {
          edited = Buffer.concat([fx.readEnv(), Buffer.from('ADDED_BY_SOMEONE_ELSE=1\n')]);
          fs.writeFileSync(fx.envPath, edited);
          return true;
        },
      }),
    );
    assert.equal(f.code, 'conflict');
    assert.ok(fx.readEnv().equals(edited!));
    assert.deepEqual(fx.backups(), []);
    assert.deepEqual(fx.appDirEntries().filter((n) => n.includes('devkit')), []);
  });

  it('reports a failed restart as job-failed with journal lines, and says the file was written', async () => {
    const fx = fixture();
    fx.setFault('restart-fail');
    const f = await findingOf(() => pushToken(opts()));
    assert.equal(f.code, 'job-failed');
    assert.equal(f.details?.written, 'true');
    assert.ok(f.details?.backup?.includes('.env.bak-'));
    assert.match(f.details?.journal ?? '', /Failed to start llm-chatbot\.service/);
  });

  it('detects a crash shortly after a successful restart and includes the journal', async () => {
    const fx = fixture();
    fx.setFault('crash 0.3');
    const f = await findingOf(() => pushToken(opts({ restartOptions: { settleMs: 1500, pollMs: 100 } })));
    assert.equal(f.code, 'crash-after-restart');
    assert.match(f.details?.journal ?? '', /401 Unauthorized/);
    assert.equal(fx.serviceState(), 'failed');
  });

  it('refuses a narrow sudoers before reading or writing', async () => {
    const fx = fixture();
    fx.setSudoMode('narrow');
    const before = fx.readEnv();
    const f = await findingOf(() => pushToken(opts({ sudo: 'nopasswd' })));
    assert.equal(f.code, 'not-allowed');
    assert.ok(fx.readEnv().equals(before));
  });

  it('refuses an invalid value before connecting', async () => {
    const fx = fixture();
    const accepted = (fx.sshdLog().match(/Accepted publickey/g) ?? []).length;
    await assert.rejects(pushToken(opts({ value: 'abc"; rm -rf /' })), (e) => isDevKitError(e));
    assert.equal((fx.sshdLog().match(/Accepted publickey/g) ?? []).length, accepted);
  });
});
