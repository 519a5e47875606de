/** A scripted SshSession for unit tests: each exec is answered by a handler; every command is recorded. */
import type { ExecOptions, ExecResult, SshSession } from '../../../src/core/ssh/session';

export type Answer = Partial<Omit<ExecResult, 'stdout'>> & { stdout?: string | Buffer };

export function fakeSession(handler: (cmd: string, stdin: Buffer) => Answer, username = 'deploy'): SshSession & { calls: { cmd: string; stdin: Buffer }[] } {
  const calls: { cmd: string; stdin: Buffer }[] = [];
  return {
    host: 'example.test',
    port: 22,
    username,
    hostKey: { fingerprint: 'SHA256:x', keyType: 'ssh-ed25519', keyBlob: Buffer.alloc(0), via: 'pin' },
    closed: false,
    calls,
    async exec(cmd: string, opts: ExecOptions = {}) {
      const stdin = Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin ?? '');
      calls.push({ cmd, stdin });
      const a = handler(cmd, stdin);
      const stdout = a.stdout === undefined ? Buffer.alloc(0) : Buffer.isBuffer(a.stdout) ? a.stdout : Buffer.from(a.stdout);
      return { code: 'code' in a ? a.code : 0, stdout, stderr: a.stderr ?? '' };
    },
    async stream() {
      throw new Error('not scripted');
    },
    close() {},
  };
}
