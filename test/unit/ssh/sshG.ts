// OpenSSH as the oracle of ~/.ssh/config resolution: `ssh -G -F FILE HOST` prints the configuration ssh would
// use, without connecting. Tests that use it are skipped only where no ssh client is installed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Every `keyword value` line of `ssh -G`, values in order (IdentityFile repeats). Throws when ssh refuses the host. */
export function sshG(file: string, host: string): Record<string, string[]> {
  const out = execFileSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Record<string, string[]> = {};
  for (const l of out.split('\n').filter(Boolean)) (r[l.slice(0, l.indexOf(' '))] ??= []).push(l.slice(l.indexOf(' ') + 1));
  return r;
}

/** A temporary directory for the suite, or the suite skipped without an ssh client; removed after it. */
export function oracleDir(): () => string {
  let dir = '';
  before(function () {
    try {
      execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    } catch {
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-sshg-'));
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
