/**
 * Small JSON state files, created 0600 in a 0700 directory and replaced atomically, with an O_EXCL lease:
 * the CLI's token cache and refresh history, and the extension's refresh history and lease (in its global
 * storage, which every window of one machine sees live, unlike code-server's per-tab SecretStorage).
 * A file others can read is refused rather than trusted or silently fixed.
 */
import type * as Crypto from 'crypto';
// Plain requires (`import x = require()`): esbuild copies every export of a namespace import (`import * as`) at start.
import fs = require('fs');
import os = require('os');
import path = require('path');
import type { Clock } from './clock';
import { sleep } from './clock';
import { DevKitError } from '../errors/devkitError';
import type { Lease, RefreshCredentials, StoredToken, TokenStore } from './tokenManager';

export function stateDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'salesiq-devkit');
}

export class StateStore {
  /** The directory is created (0700) once per store, not before every write: a refresh writes three files. */
  private dirReady = false;

  constructor(readonly dir: string) {}

  private ensureDir(again = false): void {
    if (this.dirReady && !again) return;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.dirReady = true;
  }

  readJson<T>(name: string): T | undefined {
    const text = this.readOwn(name, 'utf8');
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      if (e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  /** The file's text; undefined when it does not exist. Refused when others may read or write it. */
  private readOwn(name: string, encoding: BufferEncoding): string | undefined {
    const file = path.join(this.dir, name);
    const fd = openToRead(file);
    if (fd === undefined) return undefined;
    try {
      const st = fs.fstatSync(fd);
      refuseShared(file, st.mode & 0o777);
      return readRest(fd, st.size).toString(encoding);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Replaces the file atomically (temp file + rename in the same directory), created 0600. Compact JSON. */
  writeJson(name: string, value: unknown): void {
    this.writeText(name, JSON.stringify(value));
  }

  private writeText(name: string, text: string): void {
    const file = path.join(this.dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    this.inDir(() => fs.writeFileSync(tmp, text, { mode: 0o600 }));
    fs.renameSync(tmp, file);
  }

  /** Runs a write into the directory; when the directory was removed since (a test, a cleanup), creates it again once. */
  private inDir(write: () => void): void {
    this.ensureDir();
    try {
      write();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.ensureDir(true);
      write();
    }
  }

  /** TokenStore for one profile; credentials come from the environment/config, never from disk here. */
  tokenStore(profile: string, credentials: RefreshCredentials | undefined): TokenStore {
    const name = `token-${profile}.json`;
    return {
      readToken: async () => this.readJson<StoredToken>(name),
      writeToken: async (t) => this.writeJson(name, t),
      readCredentials: async () => credentials,
    };
  }

  /**
   * Zoho's limit is per refresh token: so is the history, shared with every other CLI run and window. It is a
   * log of lines, one request time each, and a save APPENDS the times this instance added since its load (one
   * O_APPEND write of whole lines, which concurrent writers cannot interleave or overwrite), where rewriting
   * a JSON array atomically cost a temp file and a rename over the old file (~4× the time on ext4, which
   * flushes a file renamed over another) and lost a concurrent writer's entry. Past COMPACT_AT lines the file
   * is rewritten atomically with the recent times only. A history from before (refresh-log-*.json) still counts.
   */
  refreshLog(refreshToken: string): { load(): Promise<number[]>; save(ts: number[]): Promise<void> } {
    const id = sha256Hex(refreshToken).slice(0, 16);
    const name = `refresh-log-${id}.log`;
    const legacyName = `refresh-log-${id}.json`;
    let loaded: { times: number[]; lines: number; legacy: boolean } | undefined;
    return {
      load: async () => {
        const lines = this.readLines(name);
        const legacy = this.readJson<number[]>(legacyName);
        const times = [...(Array.isArray(legacy) ? legacy : []), ...(lines ?? [])].filter((t) => Number.isFinite(t));
        loaded = { times, lines: lines?.length ?? 0, legacy: legacy !== undefined };
        return times;
      },
      save: async (ts) => {
        const added = withoutLoaded(ts, loaded?.times ?? []);
        // The old JSON's times are in `ts` now: written into the log once, then the JSON goes (never counted twice).
        if (loaded?.legacy || (loaded?.lines ?? 0) + added.length > COMPACT_AT) {
          this.writeText(name, ts.map((t) => `${t}\n`).join(''));
          if (loaded?.legacy) unlinkQuietly(path.join(this.dir, legacyName));
        } else if (added.length > 0) this.appendText(name, added.map((t) => `${t}\n`).join(''));
        loaded = undefined;
      },
    };
  }

  /** Whole lines of numbers; undefined when the file does not exist. Refused like readJson when others can read it. */
  private readLines(name: string): number[] | undefined {
    // A line is whole once its newline is written: a last piece without one is still being appended.
    return this.readOwn(name, 'latin1')?.split('\n').slice(0, -1).map(Number);
  }

  private appendText(name: string, text: string): void {
    const file = path.join(this.dir, name);
    this.inDir(() => fs.appendFileSync(file, text, { mode: 0o600 }));
  }

  lease(profile: string, clock: Clock, ttlMs = 60_000): Lease {
    return new FileLease(path.join(this.dir, `lock-${profile}`), clock, ttlMs, (again) => this.ensureDir(again));
  }
}

/** Lines a refresh log may grow to before it is rewritten with the recent times only. */
const COMPACT_AT = 64;

/** `ts` minus one occurrence of each loaded time: what this instance added since its load. */
function withoutLoaded(ts: number[], loaded: number[]): number[] {
  const left = new Map<number, number>();
  for (const t of loaded) left.set(t, (left.get(t) ?? 0) + 1);
  return ts.filter((t) => {
    const n = left.get(t) ?? 0;
    if (n > 0) left.set(t, n - 1);
    return n === 0;
  });
}

/** A state file others can read may hold a token someone else could copy: refused, not trusted or fixed. */
function refuseShared(file: string, mode: number): void {
  if (mode & 0o077) {
    throw new DevKitError({
      source: 'unknown', code: 'state-permissions', httpStatus: null, category: 'config', action: 'fix-config', retryable: false,
      title: `${file} is readable by other users (mode ${mode.toString(8)}).`,
      explanation: `It may hold a token, so DevKit refuses it. Run: chmod 600 ${file}`,
    });
  }
}

/** crypto is required on first use: `status` and `decode` never hash, and loading it costs ~10 % of a Node start. */
function sha256Hex(s: string): string {
  return (require('crypto') as typeof Crypto).createHash('sha256').update(s).digest('hex');
}

/** An O_EXCL lock file with an expiry, so a crashed holder never blocks refreshes for long. */
class FileLease implements Lease {
  private held = false;

  constructor(
    private readonly file: string,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly ensureDir: (again?: boolean) => void,
  ) {}

  async acquire(): Promise<boolean> {
    this.ensureDir();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.file, JSON.stringify({ pid: process.pid, until: this.clock.now() + this.ttlMs }), { flag: 'wx', mode: 0o600 });
        this.held = true;
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          this.ensureDir(true);
          continue;
        }
        if (!this.stale()) return false;
        unlinkQuietly(this.file);
        await sleep(this.clock, 10);
      }
    }
    return false;
  }

  async release(): Promise<void> {
    if (this.held) unlinkQuietly(this.file);
    this.held = false;
  }

  private stale(): boolean {
    try {
      const { pid, until } = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { pid: number; until: number };
      return until < this.clock.now() || !alive(pid);
    } catch {
      return true;
    }
  }
}

/** A descriptor to read `file`, or undefined when it does not exist (or cannot be opened). */
function openToRead(file: string): number | undefined {
  try {
    return fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
}

/**
 * The rest of an open regular file whose size fstat just gave: one read when it has not grown since (a short
 * read of a regular file is its end), instead of readFileSync's second fstat and its read of the end.
 */
function readRest(fd: number, size: number): Buffer {
  let buf = Buffer.allocUnsafe(size + 1);
  let n = 0;
  for (;;) {
    const got = fs.readSync(fd, buf, n, buf.length - n, null);
    n += got;
    if (got === 0 || n < buf.length) return buf.subarray(0, n);
    const grown = Buffer.allocUnsafe(buf.length * 2);
    buf.copy(grown);
    buf = grown;
  }
}

/** One unlink (rmSync's force walks the path first); a file already gone is fine. */
function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
