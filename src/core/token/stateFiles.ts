/**
 * Small JSON state files, created 0600 in a 0700 directory and replaced atomically (the token cache through a
 * symlink, see writeLinked), with an O_EXCL lease:
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

  /** `linked`: NAME is written by writeLinked (a reader may meet its old file just removed). */
  readJson<T>(name: string, linked = false): T | undefined {
    const text = this.readOwn(name, 'utf8', linked);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      if (e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  /** The file's text; undefined when it does not exist. Refused when others may read or write it. */
  private readOwn(name: string, encoding: BufferEncoding, linked = false): string | undefined {
    const file = path.join(this.dir, name);
    const fd = openToRead(file, linked);
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
      readToken: async () => this.readJson<StoredToken>(name, true),
      writeToken: async (t) => this.writeLinked(name, JSON.stringify(t)),
      readCredentials: async () => credentials,
    };
  }

  /**
   * Replaces what readers of NAME see without renaming a file over another: ext4 follows that rename with a
   * flush of the new file (auto_da_alloc), half of a refresh's state I/O. The text goes to a new 0600 file of
   * its own (`NAME.<pid>-<time>-<n>`); a symlink to it is renamed over NAME (a link has no data to flush), and
   * the file the old link named is removed. Whoever opens NAME gets the old text or the new one, whole (a
   * reader that finds the old file just removed opens NAME again: openToRead). After a crash in between,
   * NAME still names the old text. What a power cut may leave is an empty file, which reads as no token.
   */
  private writeLinked(name: string, text: string): void {
    const file = path.join(this.dir, name);
    const data = this.newFile(name, text);
    const old = linkTarget(file);
    const link = `${file}.${process.pid}.lnk`;
    try {
      symlinkOver(data, link);
    } catch {
      // No symlinks here (Windows without the privilege, some mounted filesystems): temp file and rename.
      unlinkQuietly(path.join(this.dir, data));
      this.writeText(name, text);
      return;
    }
    fs.renameSync(link, file);
    if (old !== undefined && isTextFileOf(name, old)) unlinkQuietly(path.join(this.dir, old));
    this.sweepOnce(name, data);
  }

  /** A new 0600 file holding `text`, named `NAME.<pid>-<time>-<n>` (never an existing one); returns its name. */
  private newFile(name: string, text: string): string {
    for (let attempt = 0; ; attempt++) {
      const base = `${name}.${process.pid}-${Date.now().toString(36)}-${(this.made++).toString(36)}`;
      try {
        this.inDir(() => fs.writeFileSync(path.join(this.dir, base), text, { mode: 0o600, flag: 'wx' }));
        return base;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
      }
    }
  }

  private made = 0;
  private swept = new Set<string>();

  /**
   * Once per store and name: removes the text files of NAME that no link names any more and that are older
   * than a minute (a writer takes microseconds from its file to its link): those of a writer killed in between,
   * or of two writers at once without the lease, where one link replaced the other.
   */
  private sweepOnce(name: string, current: string): void {
    if (this.swept.has(name)) return;
    this.swept.add(name);
    try {
      for (const f of fs.readdirSync(this.dir)) {
        if (f === current || !isTextFileOf(name, f)) continue;
        const p = path.join(this.dir, f);
        if (Date.now() - fs.lstatSync(p).mtimeMs > 60_000 && linkTarget(path.join(this.dir, name)) !== f) unlinkQuietly(p);
      }
    } catch {
      // Only tidiness is lost.
    }
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

/**
 * A descriptor to read `file`, or undefined when it does not exist (or cannot be opened). A link whose old file
 * a writer has just removed (writeLinked) is opened again: by then it names the new one.
 */
function openToRead(file: string, linked: boolean): number | undefined {
  for (let attempt = 0; ; attempt++) {
    try {
      return fs.openSync(file, 'r');
    } catch (e) {
      if (!linked || (e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2 || linkTarget(file) === undefined) return undefined;
    }
  }
}

/** A symlink `link` → `target`, replacing one left by an earlier process with this pid that was killed before its rename. */
function symlinkOver(target: string, link: string): void {
  try {
    fs.symlinkSync(target, link);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    unlinkQuietly(link);
    fs.symlinkSync(target, link);
  }
}

/** The name a symlink points to; undefined for a regular file (an earlier version's) or none. */
function linkTarget(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

/** `f` is one of writeLinked's text files for `name` (a plain name in the directory, nothing else). */
function isTextFileOf(name: string, f: string): boolean {
  return f.startsWith(`${name}.`) && /^\d+-[0-9a-z]+-[0-9a-z]+$/.test(f.slice(name.length + 1));
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
