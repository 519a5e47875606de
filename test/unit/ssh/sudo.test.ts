import * as assert from 'node:assert/strict';
import { isDevKitError } from '../../../src/core/errors/devkitError';
import { writeFileAtomic } from '../../../src/core/ssh/remoteFile';
import { preflight, privileged, privilegedStdin, shQuote, sudoFailure } from '../../../src/core/ssh/sudo';
import { fakeSession } from './fakeSession';

const out = (code: number, stderr: string) => ({ code, stderr, stdout: Buffer.alloc(0) });

describe('sudo helpers', () => {
  it('build command lines with env LC_ALL=C and the right sudo flags', () => {
    assert.equal(privileged({ mode: 'nopasswd' }, 'cat x'), 'env LC_ALL=C sudo -n cat x');
    assert.equal(privileged({ mode: 'password', password: 'p' }, 'cat x'), "env LC_ALL=C sudo -S -k -p '' cat x");
    assert.equal(privileged({ mode: 'none' }, 'cat x'), 'env LC_ALL=C cat x');
  });

  it('put the password line before the payload only in password mode', () => {
    assert.equal(privilegedStdin({ mode: 'password', password: 'pw' }, 'DATA').toString(), 'pw\nDATA');
    assert.equal(privilegedStdin({ mode: 'nopasswd' }, 'DATA').toString(), 'DATA');
  });

  it('quote for every login shell and refuse what cannot be quoted safely', () => {
    assert.equal(shQuote('/opt/my app/.env'), "'/opt/my app/.env'");
    for (const bad of ["it's", 'a!b', 'a\nb']) assert.throws(() => shQuote(bad), RangeError);
  });

  it("classify sudo's own messages", () => {
    const code = (stderr: string, c = 1) => sudoFailure(out(c, stderr), 'deploy')?.finding.code;
    assert.equal(code('sudo: a password is required\n'), 'password-required');
    assert.equal(code('sudo: sorry, you must have a tty to run sudo\n'), 'tty-required');
    assert.equal(code('Sorry, try again.\nsudo: 1 incorrect password attempt\n'), 'password-wrong');
    assert.equal(code("Sorry, user deploy is not allowed to execute '/usr/bin/true' as root on h.\n"), 'not-allowed');
    assert.equal(code('deploy is not in the sudoers file.\n'), 'not-allowed');
    assert.equal(code("env: 'sudo': No such file or directory\n", 127), 'not-allowed');
    assert.equal(code('cat: /x: No such file or directory\n'), undefined, "the command's own failure is not sudo's");
    assert.equal(sudoFailure({ ...out(0, ''), code: 0 }, 'deploy'), undefined);
  });
});

describe('preflight (scripted server)', () => {
  it('refuses a noisy login shell before running sudo', async () => {
    const s = fakeSession(() => ({ stdout: 'Welcome!\n' }));
    await assert.rejects(preflight(s, { mode: 'auto' }), (e) => isDevKitError(e) && e.finding.code === 'noisy-shell');
    assert.equal(s.calls.length, 1);
  });

  it('validates the password with a command that gets only the password line', async () => {
    const s = fakeSession((cmd, stdin) => {
      if (cmd === 'true') return {};
      if (cmd.includes('sudo -n true')) return { code: 1, stderr: 'sudo: a password is required\n' };
      if (cmd.includes("sudo -S -k -p '' true")) return stdin.toString() === 'pw\n' ? {} : { code: 1, stderr: 'Sorry, try again.\n' };
      return { code: 127 };
    });
    assert.deepEqual(await preflight(s, { mode: 'auto', sudoPassword: 'pw' }), { mode: 'password', password: 'pw' });
    assert.deepEqual(s.calls.map((c) => c.stdin.toString()), ['', 'pw\n'], 'sudo -n true (also proves the shell quiet), then the password alone');
    assert.deepEqual(await preflight(s, { mode: 'auto', sudoPassword: 'pw' }), { mode: 'password', password: 'pw' });
    assert.equal(s.calls.length, 2, 'decided once per connection, not re-checked');
  });
});

describe('writeFileAtomic (scripted server)', () => {
  it('sends the secret only on stdin, after a header with both hashes, and a constant command line', async () => {
    const s = fakeSession(() => ({ stdout: 'OK /srv/app/.env.bak-20260101000000\n' }));
    const secret = Buffer.from('TOKEN=1000.abc.def\n');
    const w = await writeFileAtomic(s, { mode: 'nopasswd' }, '/srv/app/.env', secret, 'a'.repeat(64));
    assert.equal(w.backup, '/srv/app/.env.bak-20260101000000');
    const { cmd, stdin } = s.calls[0];
    assert.ok(!cmd.includes('1000.abc.def'));
    assert.match(cmd, /^env LC_ALL=C sudo -n timeout -k 5 60 sh -c '[^'\\]*' devkit-write '\/srv\/app\/\.env' 5 1048576$/);
    assert.ok(!/[!\\]/.test(cmd), 'no ! or backslash for tcsh/fish');
    assert.match(stdin.toString(), /^devkit-sha256 a{64} [0-9a-f]{64}\nTOKEN=1000\.abc\.def\n$/);
  });

  it('turns the script exit codes into findings', async () => {
    const cases: [number, string][] = [[91, 'not-regular-file'], [93, 'conflict'], [96, 'connection-lost']];
    for (const [code, word] of cases) {
      const s = fakeSession(() => ({ code, stdout: code === 93 ? `CONFLICT ${'b'.repeat(64)}\n` : '' }));
      await assert.rejects(
        writeFileAtomic(s, { mode: 'nopasswd' }, '/srv/app/.env', Buffer.from('X=1\n'), 'a'.repeat(64)),
        (e) => isDevKitError(e) && e.finding.code === word,
      );
    }
  });
});
