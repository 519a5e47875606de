// The doctor's privileged script run by a real `sh` with the real coreutils on this machine (no SSH, no sudo):
// a stand-in `systemctl` names a real process whose environment the test chose, so what is checked is the
// script's own reading of /proc/<pid>/environ — which value it hashes, and "no such variable" vs "empty".
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probePrivileged } from '../../../src/core/ssh/unitProbe';
import type { ExecOptions, ExecResult, SshSession } from '../../../src/core/ssh/session';

const KEY = 'SALESIQ_ACCESS_TOKEN';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** An SshSession whose commands run here, under `sh`, with `bin` first on the PATH. */
function localSession(bin: string): SshSession {
  return {
    host: 'localhost',
    port: 22,
    username: os.userInfo().username,
    hostKey: { fingerprint: 'SHA256:x', keyType: 'ssh-ed25519', keyBlob: Buffer.alloc(0), via: 'pin' },
    closed: false,
    exec: (cmd: string, opts: ExecOptions = {}) =>
      new Promise<ExecResult>((resolve) => {
        const child = spawn('sh', ['-c', cmd], { env: { PATH: `${bin}:${process.env.PATH}` } });
        const out: Buffer[] = [];
        let err = '';
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => (err += c));
        child.stdin.end(opts.stdin ?? '');
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
      }),
    stream: () => Promise.reject(new Error('not used')),
    close: () => undefined,
  };
}

describe('doctor: the privileged script on a real shell', function () {
  this.timeout(20_000);
  const haveTools = ['sed', 'sha256sum', 'timeout', 'base64', 'stat', 'date'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
  let dir: string;
  const children: ChildProcess[] = [];

  before(function () {
    if (process.platform !== 'linux' || !haveTools) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-probe-'));
    fs.writeFileSync(path.join(dir, '.env'), `${KEY}=from-file\n`);
  });
  after(() => {
    for (const c of children) c.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a process with `env`, points the stand-in systemctl at it and runs the probe. */
  async function probeProcess(env: Record<string, string>) {
    const child = spawn('sleep', ['30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
    children.push(child);
    const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
    fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho LoadState=loaded\necho ActiveState=active\necho MainPID=${child.pid}\necho ExecMainStartTimestamp=Tue 2024-05-07 10:00:00 UTC\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'journalctl'), '#!/bin/sh\necho "2024-05-07T10:00:01+0000 host app[1]: started"\n', { mode: 0o755 });
    const target = { envPath: path.join(dir, '.env'), key: KEY, service: 'app', journalLines: 10 };
    const { facts } = await probePrivileged(localSession(bin), { mode: 'none' }, target, 10);
    assert.ok(facts, 'the script ran');
    assert.equal(facts.pid, child.pid);
    return facts;
  }

  it('hashes the value the process holds, and reads the unit, the clock, the .env and the journal in the same run', async () => {
    const f = await probeProcess({ [KEY]: '1000.abc', OTHER: 'x' });
    assert.deepEqual(f.environ, { state: 'hash', sha256: sha('1000.abc') });
    assert.equal(f.unit.show.LoadState, 'loaded');
    assert.equal(f.unit.startedAt, Date.parse('2024-05-07T10:00:00Z') / 1000);
    assert.ok(f.unit.now && Math.abs(f.unit.now - Date.now() / 1000) < 60);
    assert.equal(f.content?.toString(), `${KEY}=from-file\n`);
    assert.equal(f.file.state, 'ok');
    assert.deepEqual(f.journal, ['2024-05-07T10:00:01+0000 host app[1]: started']);
  });

  it('tells a process without the variable from one holding it empty', async () => {
    assert.deepEqual((await probeProcess({ OTHER: 'x' })).environ, { state: 'absent' });
    assert.deepEqual((await probeProcess({ [KEY]: '', OTHER: 'x' })).environ, { state: 'hash', sha256: sha('') });
  });

  it('a variable whose name only starts with the key is not the key', async () => {
    assert.deepEqual((await probeProcess({ [`${KEY}_OLD`]: 'old' })).environ, { state: 'absent' });
    assert.deepEqual((await probeProcess({ [`X${KEY}`]: 'x', [KEY]: 'mine' })).environ, { state: 'hash', sha256: sha('mine') });
  });
});
