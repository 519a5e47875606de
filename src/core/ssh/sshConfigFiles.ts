/**
 * The local files ssh_config(5) names, read the way docs/ssh.md § ~/.ssh/config says: a regular file only
 * (a FIFO or device is opened without blocking and refused), of bounded size, owned by the user or root and
 * writable by no one else (OpenSSH refuses such a config file too); `Include` globs matched here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sshConfigProblem } from './sshConfigProblem';

/** Where the evaluator (sshConfig.ts) gets its files; tests give text instead. */
export interface SshConfigFiles {
  /** The text of a config file, or undefined when it does not exist; throws when it must not be used. */
  read(file: string): string | undefined;
  /** The existing paths an absolute glob pattern (`*`, `?`, `[…]`) matches, sorted as glob(3) sorts them. */
  glob(pattern: string): string[];
}

export const MAX_CONFIG_FILE_BYTES = 256 * 1024;
const MAX_GLOB_MATCHES = 256;

/**
 * A regular local file of at most `maxBytes`, opened without blocking; undefined when it does not exist.
 * `configFile`: also owned by the user or root and writable by no one else.
 */
export function readRegularFile(file: string, maxBytes: number, what: string, configFile = false): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw sshConfigProblem(`${what} ${file} cannot be read (${(e as NodeJS.ErrnoException).code})`, `Check the path and its permissions.`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw sshConfigProblem(`${what} ${file} is not a regular file`, 'Point it at a regular file.');
    if (st.size > maxBytes) throw sshConfigProblem(`${what} ${file} is larger than ${maxBytes} bytes`, `It cannot be a ${what}: check the path.`);
    if (configFile) checkOwner(file, st);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** As OpenSSH's readconf: a config file someone else could write would let them redirect every connection. */
function checkOwner(file: string, st: fs.Stats): void {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  const uid = process.getuid();
  if ((st.uid !== 0 && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw sshConfigProblem(`bad owner or permissions on ${file}`, `Make it yours and writable by you only (chmod go-w ${file}); ssh refuses it too.`);
  }
}

export function localConfigFiles(): SshConfigFiles {
  return {
    read: (file) => readRegularFile(file, MAX_CONFIG_FILE_BYTES, 'ssh config file', true)?.toString('utf8'),
    glob: globFiles,
  };
}

/** glob(3) for an absolute pattern: one directory level per segment; a leading dot is matched only explicitly. */
function globFiles(pattern: string): string[] {
  const segments = pattern.split('/').filter(Boolean);
  let found: string[] = [path.sep];
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?[]/.test(seg)) {
        const p = path.join(dir, seg);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      const re = globSegment(seg);
      for (const name of listDir(dir)) if (re.test(name) && (last || isDir(path.join(dir, name)))) next.push(path.join(dir, name));
    }
    found = next.sort().slice(0, MAX_GLOB_MATCHES);
  }
  return segments.length ? found : [];
}

function globSegment(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[' && seg.indexOf(']', i + 2) > 0) {
      const end = seg.indexOf(']', i + 2);
      const body = seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  // glob(3): `*`, `?` and `[…]` never match a name's leading dot.
  return new RegExp(seg.startsWith('.') ? `^${re}$` : `^(?!\\.)${re}$`);
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
