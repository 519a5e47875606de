/**
 * The fix's server side in ONE privileged exec (docs/ssh.md "The fix in one privileged call"): the script reads
 * the .env (the read script's target checks) and sends its bytes back, then waits on stdin while the
 * client makes the edit; given the new content it writes it as the write script does (exclusive lock, hash
 * precondition, backup, atomic rename, prune) and goes straight on into the restart and the live proof
 * (liveProof.ts's pieces). One sudo, one shell, one round trip less per phase. No lock is held while the script
 * waits: the hash precondition under the write's lock is what guarantees the edit applies to the bytes read.
 * The confirm-diff path and Restore keep the separate read and write (remoteFile.ts).
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DevKitError } from '../errors/devkitError';
import { fail } from '../errors/fail';
import { LIVE_DEFS, LIVE_JOURNAL, LIVE_OLD_PID, LIVE_RESTART, type LiveOptions, type LiveResult, clampLines, liveFrom, liveKey, restartLive, wantedHash } from './liveProof';
import {
  afterUncertainEnd, BACKUP_GLOB, CHECK_TARGET, EXIT, noisyBeforeMarker, readLimits, readResult, refusal, sha256Hex, type RemoteFile,
  TEMP_FILE_TRAPS,
  writeFailure, type WriteResult,
} from './remoteFile';
import { assertUnitName } from './service';
import type { ExecResult, ExitResult, SshSession } from './session';
import {
  assertRemotePath, firstTry, knownPrivilege, type PreflightOptions, type Privilege, privileged, privilegedStdin,
  privilegeAfterRefusal, rememberPrivilege, shQuote, sudoFailure,
} from './sudo';

/** The script ended at its `read`: the client went away (or cancelled) before sending anything; nothing written. */
const NO_ANSWER = 98;

/** Backups of the exact pattern, oldest first (the glob sorts under LC_ALL=C; the names are fixed-width). */
const PRUNE = [
  `j=0; for x in "$f"${BACKUP_GLOB}; do if [ -L "$x" ]; then :; elif [ -f "$x" ]; then j=$((j+1)); fi; done`,
  `if [ "$j" -gt "$keep" ]; then j=$((j-keep)); set --; for x in "$f"${BACKUP_GLOB}; do [ "$j" -gt 0 ] || break;` +
    ' if [ -L "$x" ]; then :; elif [ -f "$x" ]; then set -- "$@" "$x"; j=$((j-1)); fi; done;' +
    ' rm -f -- "$@" && for x in "$@"; do echo "PRUNED $x"; done; fi',
];

/**
 * $1 target, $2 backups to keep, $3 most bytes, $4 unit (- for no restart), $5 key (- for the PID proof only),
 * $6 journal lines, $7 proof tries, $8 a random number that ends the read's bytes. stdin (after sudo's password
 * line, if any): `devkit-sha256 <old> <new> <token sha256>` and the new content, or `devkit-keep - - <token
 * sha256>`, then EOF. The forks on the way to "live" are counted: one sha256sum hashes both files, one stat
 * gives owner and mode, the prune needs no sort; the old PID and the temp file are made while the client edits.
 */
const FIX_SCRIPT = [
  ...CHECK_TARGET,
  'keep=$2; max=$3; u=$4; k=$5; n=$6; tries=$7; z=$8',
  // No `umask 077` here (mktemp makes its file 0600 itself): the restart below inherits this shell's umask.
  ...TEMP_FILE_TRAPS,
  'm() { echo "@$1"; }',
  // No shared lock for this read (one fork less): every DevKit write renames a whole file into place, and one
  // that lands between this read and our write is caught by the hash precondition under the write's lock.
  'echo DEVKIT-READ',
  'head -c $((max+1)) -- "$f" || exit 83',
  'echo; echo "DEVKIT-END $z"',
  // While the client edits: what the write and the restart need that does not depend on the new content.
  ...LIVE_DEFS,
  'if [ "$u" = - ]; then :; else ' + LIVE_OLD_PID + '; fi',
  'if [ -w "$d" ]; then t=$(mktemp "$f.devkit-XXXXXX") || t=; fi',
  `read -r h o w want || exit ${NO_ANSWER}`,
  `if [ "$h" = devkit-keep ]; then c; t=; echo KEEP; elif [ "$h" = devkit-sha256 ]; then :; else exit ${EXIT.badHeader}; fi`,
  'if [ "$h" = devkit-sha256 ]; then',
  `[ -n "$t" ] || { [ -w "$d" ] || r dir-not-writable; exit ${EXIT.io}; }`,
  // Both hashes are only ever compared (quoted) with sha256sum's own output: a wrong one is a mismatch.
  `[ \${#o} -eq 64 ] && [ \${#w} -eq 64 ] || exit ${EXIT.badHeader}`,
  // dd's conv=fsync makes the content durable in the same process that receives it (head + sync were two).
  // The client sends at most the size limit; the hash check below refuses anything short or different.
  `dd of="$t" conv=fsync 2>/dev/null || exit ${EXIT.io}`,
  `[ -s "$t" ] || exit ${EXIT.empty}`,
  `command exec 9<"$d" || exit ${EXIT.io}`,
  `flock -w 30 9 || exit ${EXIT.lockTimeout}`,
  `s=$(sha256sum -- "$f" "$t") || exit ${EXIT.io}`,
  // Line two (after the target's name, which the temp name starts with) is the temp file's: "\n<hash>  <temp>".
  `case \${s#*"$f"} in ?"$w  "*) ;; *) exit ${EXIT.incomplete};; esac`,
  `[ "\${s%% *}" = "$o" ] || { echo "CONFLICT \${s%% *}"; exit ${EXIT.conflict}; }`,
  // Owner, group and mode of the old file (one GNU cp; stat + chown + chmod where cp lacks --attributes-only).
  'cp --attributes-only --preserve=mode,ownership -- "$f" "$t" 2>/dev/null ||' +
    ` { x=$(stat -c "%u:%g %a" -- "$f") && chown "\${x% *}" "$t" && chmod "\${x#* }" "$t"; } || exit ${EXIT.io}`,
  'b=$f.bak-$(date +%Y%m%d%H%M%S)',
  'while [ -e "$b" ] || [ -L "$b" ]; do sleep 1; b=$f.bak-$(date +%Y%m%d%H%M%S); done',
  `echo "BACKUP $b" || exit ${EXIT.io}`,
  `ln -- "$f" "$b" 2>/dev/null || cp -p -- "$f" "$b" || exit ${EXIT.io}`,
  `mv -f -- "$t" "$f" || exit ${EXIT.io}`,
  't=',
  'sync -- "$d" 2>/dev/null || sync',
  ...PRUNE,
  'echo "OK $b"',
  // The lock is the directory's open file: a service started below must not inherit it.
  'exec 9<&-',
  'fi',
  'if [ "$u" = - ]; then :; else',
  ...LIVE_RESTART,
  LIVE_JOURNAL,
  'fi',
  'exit 0',
].join('; ').replace(/(then|else); /g, '$1 ');

export interface FixExecTarget {
  path: string;
  /** The unit restarted after the write; absent: no restart (the script ends after the write). */
  unit?: string;
  /** The .env key (for the live proof). */
  key: string;
  maxBytes?: number;
  keepBackups?: number;
  journalLines?: number;
  /** Server-side limit for the whole exec, the client's think time included; default 180 s. */
  timeoutSec?: number;
}

/** When each marker arrived (performance.now() ms): the phases as the client saw them. */
export type FixTimes = Partial<Record<'start' | 'read' | 'commit' | 'written' | 't0' | 't1' | 'live' | 'end', number>>;

export interface Committed {
  /** Settles once the file is in place (or nothing needed writing). */
  written: Promise<WriteResult & { changed: boolean }>;
  /** Settles as soon as the new process is proven to hold the token; its journal is read after this (`done`). */
  live: Promise<LiveResult>;
  /** The same LiveResult with the journal tail and the service's own log line. */
  done: Promise<LiveResult>;
  times: FixTimes;
}

export interface OpenedFix {
  privilege: Privilege;
  file: RemoteFile;
  /** The exec ended while waiting (connection lost, time limit): a commit would reach nobody. */
  readonly ended: boolean;
  /**
   * Sends the new content (undefined: nothing to change) and, with a unit, restarts and proves `value` live.
   * `reconnect` lets a dropped connection be checked (the file is the old one or the new one, and says which).
   */
  commit(content: Buffer | undefined, value: string, o: Omit<LiveOptions, 'key' | 'value'> & { reconnect?: () => Promise<SshSession> }): Committed;
  /** Ends the exec without writing (the script sees EOF at its read and exits). */
  cancel(): void;
  times: FixTimes;
}

/** One running exec: its stdout so far, a way to wait for a marker in it, and its end. */
interface Conversation {
  out(): Buffer;
  stdin: { write(d: Buffer | string): void; end(): void };
  /** Resolves with `pick`'s answer as soon as the output has it, or undefined once the exec ended without it. */
  waitFor<T>(pick: (out: Buffer) => T | undefined): Promise<T | undefined>;
  ended: Promise<ExecResult>;
  isEnded(): boolean;
}

function converse(session: SshSession, cmd: string, stdin: Buffer): Conversation {
  const chunks: Buffer[] = [];
  let joined = Buffer.alloc(0);
  let handle: Conversation['stdin'] | undefined;
  const waiters = new Set<() => void>();
  let isEnded = false;
  const out = () => {
    if (chunks.length) {
      joined = Buffer.concat([joined, ...chunks]);
      chunks.length = 0;
    }
    return joined;
  };
  const ended = session
    .stream(cmd, {
      stdin,
      signal: new AbortController().signal,
      onStdout: (c) => {
        chunks.push(c);
        for (const w of [...waiters]) w();
      },
      onOpen: (s) => (handle = s),
    })
    .then(
      (r: ExitResult): ExecResult => ({ ...r, stdout: out() }),
      (e: unknown): ExecResult => {
        // The channel never opened: as a lost connection (the caller maps it).
        return { code: undefined, stdout: Buffer.alloc(0), stderr: e instanceof Error ? e.message : String(e) };
      },
    )
    .finally(() => {
      isEnded = true;
      for (const w of [...waiters]) w();
    });
  return {
    out,
    get stdin() {
      return handle ?? { write: () => undefined, end: () => undefined };
    },
    waitFor<T>(pick: (b: Buffer) => T | undefined) {
      return new Promise<T | undefined>((resolve) => {
        const check = () => {
          const got = pick(out());
          if (got !== undefined || isEnded) {
            waiters.delete(check);
            resolve(got);
          }
        };
        waiters.add(check);
        check();
      });
    },
    ended,
    isEnded: () => isEnded,
  };
}

/**
 * Starts the fix's exec and returns once the .env's bytes are back (the script then waits for `commit`). On a
 * fresh session it runs under `sudo -n` first, which also proves the shell is quiet; a password is sent only
 * when sudo asks for one, validated alone first (sudo.ts).
 */
export async function openFix(session: SshSession, sudo: PreflightOptions, target: FixExecTarget): Promise<OpenedFix> {
  assertRemotePath(target.path);
  if (target.unit !== undefined) assertUnitName(target.unit);
  liveKey({ key: target.key, value: '' });
  const known = knownPrivilege(session, sudo);
  const first: Privilege = known ?? firstTry(sudo);
  const tried = await start(session, first, target);
  if (tried.opened) {
    if (!known) rememberPrivilege(session, sudo, first);
    return tried.opened;
  }
  const r = tried.result;
  if (known || r.code === 0 || r.code === EXIT.refused || !sudoFailure(r, session.username)) throw tried.error;
  const p = await privilegeAfterRefusal(session, sudo, r);
  const again = await start(session, p, target);
  if (!again.opened) throw again.error;
  return again.opened;
}

type Started = { opened: OpenedFix; result?: undefined; error?: undefined } | { opened?: undefined; result: ExecResult; error: unknown };

async function start(session: SshSession, p: Privilege, target: FixExecTarget): Promise<Started> {
  const { max } = readLimits({ maxBytes: target.maxBytes });
  const limit = Math.max(30, Math.floor(target.timeoutSec ?? 180));
  const keep = Math.max(1, Math.min(100, Math.floor(target.keepBackups ?? 5)));
  const unit = target.unit ?? '-';
  const nonce = String(randomInt(1e9, 1e12 - 1)) + String(randomInt(1e9, 1e12 - 1));
  const lines = clampLines(target.journalLines ?? 20);
  const cmd = `timeout -k 5 ${limit} sh -c ${shQuote(FIX_SCRIPT)} devkit-fix ${shQuote(target.path)} ${keep} ${max} ${shQuote(unit)} ${target.key} ${lines} ${PROOF_TRIES} ${nonce}`;
  const times: FixTimes = { start: performance.now() };
  const c = converse(session, privileged(p, cmd), privilegedStdin(p));
  const head = Buffer.from('DEVKIT-READ\n');
  const tail = Buffer.from(`\nDEVKIT-END ${nonce}\n`);
  const at = await c.waitFor((b) => {
    const i = b.indexOf(tail);
    return i < 0 ? undefined : i;
  });
  times.read = performance.now();
  const all = c.out();
  const from = all.indexOf(head);
  if (at === undefined || from < 0) {
    const r = await c.ended;
    return { result: r, error: readError(r, session, p, target.path, max, limit) };
  }
  const content = all.subarray(from + head.length, at);
  try {
    noisyBeforeMarker(session, { code: 0, stdout: all.subarray(0, at), stderr: '' });
    if (content.length > max) throw refusal(`too-large ${content.length}`, target.path, session, p);
  } catch (e) {
    c.stdin.end();
    return { result: await c.ended, error: e };
  }
  const file: RemoteFile = { content: Buffer.from(content), sha256: sha256Hex(content) };
  const skip = at + tail.length;
  return {
    opened: {
      privilege: p,
      file,
      times,
      get ended() {
        return c.isEnded();
      },
      cancel: () => c.stdin.end(),
      commit: (next, value, o) => commit(session, p, target, c, skip, file, next, value, o, times),
    },
  };
}

/** Tries (50 ms apart, on the server) for a just-started process to show the new value (as restartLive). */
const PROOF_TRIES = 10;

function readError(r: ExecResult, session: SshSession, p: Privilege, path: string, max: number, limit: number): unknown {
  if (r.code === NO_ANSWER) return fail('ssh', 'connection-lost', { host: session.host, path, step: 'read' });
  try {
    readResult(r.code === 0 ? { ...r, code: 1 } : r, session, p, path, max, limit);
  } catch (e) {
    return e;
  }
  return fail('ssh', null, { path, message: 'the read script answered in an unexpected form; nothing was changed' });
}

function commit(
  session: SshSession,
  p: Privilege,
  target: FixExecTarget,
  c: Conversation,
  skip: number,
  file: RemoteFile,
  next: Buffer | undefined,
  value: string,
  o: Omit<LiveOptions, 'key' | 'value'> & { reconnect?: () => Promise<SshSession> },
  times: FixTimes,
): Committed {
  const path = target.path;
  const liveOpts: LiveOptions = { ...o, key: target.key, value, journalLines: target.journalLines };
  const newSha = next ? sha256Hex(next) : file.sha256;
  if (next && (next.length === 0 || next.length > readLimits({ maxBytes: target.maxBytes }).max)) {
    c.stdin.end();
    const e = next.length === 0 ? fail('ssh', 'not-regular-file', { path, reason: 'refusing to write an empty file' }) : refusal(`too-large ${next.length}`, path, session, p);
    return rejected(e, times);
  }
  const wasEnded = c.isEnded();
  times.commit = performance.now();
  c.stdin.write(Buffer.concat([Buffer.from(next ? `devkit-sha256 ${file.sha256} ${newSha} ${wantedHash(value)}\n` : `devkit-keep - - ${wantedHash(value)}\n`), next ?? Buffer.alloc(0)]));
  c.stdin.end();
  const post = (b: Buffer) => b.subarray(skip).toString('utf8');
  for (const name of ['t0', 't1'] as const) {
    void c.waitFor((b) => (new RegExp(`^@${name}$`, 'm').test(post(b)) ? true : undefined)).then((seen) => {
      if (seen) times[name] = performance.now();
    });
  }
  let now = session;
  const reconnect = o.reconnect ? async () => (now = await o.reconnect!()) : undefined;

  const written = (async (): Promise<WriteResult & { changed: boolean }> => {
    const mark = await c.waitFor((b) => /^(OK .+|KEEP)$/m.exec(post(b))?.[1]);
    times.written = performance.now();
    if (mark === 'KEEP') return { sha256: file.sha256, pruned: [], changed: false };
    if (mark) {
      const text = post(c.out());
      return { backup: mark.slice(3), sha256: newSha, pruned: [...text.matchAll(/^PRUNED (.+)$/gm)].map((m) => m[1]), changed: true };
    }
    const r = await c.ended;
    const rest = { ...r, stdout: Buffer.from(post(r.stdout)) };
    if (wasEnded || r.code === NO_ANSWER) throw fail('ssh', 'connection-lost', { host: session.host, path, outcome: 'unchanged', reason: 'the connection ended before the new content was sent; nothing was replaced' });
    if (r.code === undefined || r.code === 124 || r.code === 137) {
      if (!next) throw fail('ssh', 'connection-lost', { host: session.host, path, outcome: 'unchanged' });
      return { ...(await afterUncertainEnd(session, p, path, file.sha256, newSha, { reconnect }, r.code)), changed: true };
    }
    throw writeFailure(rest, session, p, path, file.sha256);
  })();

  const unit = target.unit;
  const liveHead = (async (): Promise<LiveResult | undefined> => {
    if (!unit) throw new RangeError('commit: no unit to restart');
    await written;
    const at = await c.waitFor((b) => {
      const text = post(b);
      return text.indexOf('\n@journal\n') >= 0 ? text.slice(text.indexOf('\n@t0\n')) : undefined;
    });
    if (at === undefined) return undefined;
    times.live = performance.now();
    try {
      return { ...liveFrom(at, unit, liveOpts), ...phaseMs(times) };
    } catch {
      return undefined; // a failure is told from the whole output, journal included
    }
  })();

  const done = (async (): Promise<LiveResult> => {
    if (!unit) throw new RangeError('commit: no unit to restart');
    const w = await written;
    const r = await c.ended;
    times.end = performance.now();
    const text = post(r.stdout);
    const t0 = text.indexOf('@t0\n');
    if (r.code === 0 && t0 >= 0) {
      return { ...liveFrom(text.slice(t0), unit, liveOpts), ...phaseMs(times), journalMs: ms(times.live, times.end) };
    }
    if (t0 < 0 && (r.code === undefined || !w.changed || r.code === 0)) {
      // The exec ended before its restart began (a drop after which a new connection found the new file, or
      // another push that wrote this same value): the restart runs on its own, on the session in use now.
      if (now.closed) {
        if (!reconnect) throw fail('ssh', 'connection-lost', { host: session.host, step: 'restart' });
        await reconnect();
      }
      return restartLive(now, p, unit, liveOpts);
    }
    if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, step: 'restart' });
    if (r.code === 124 || r.code === 137) throw fail('systemd', 'timeout', { unit });
    throw fail('systemd', 'job-failed', { unit, evidence: r.stderr.split('\n')[0]?.trim() || `the remote script exited ${r.code}` });
  })();

  const live = liveHead.then((l) => l ?? done);
  // Each is awaited by its caller; none may end up unhandled when the caller stops at an earlier one.
  for (const pr of [written, live, done, liveHead]) pr.catch(() => undefined);
  return { written, live, done, times };
}

function ms(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined ? Math.round(b - a) : undefined;
}

/** The phases as the client saw the markers arrive (the script prints no clock of its own). */
function phaseMs(t: FixTimes): Partial<LiveResult> {
  const out: Partial<LiveResult> = {};
  const restart = ms(t.t0, t.t1);
  const proof = ms(t.t1, t.live);
  if (restart !== undefined) out.restartMs = restart;
  if (proof !== undefined) out.proofMs = proof;
  return out;
}

function rejected(e: DevKitError, times: FixTimes): Committed {
  const p = Promise.reject(e);
  p.catch(() => undefined);
  return { written: p, live: p, done: p, times };
}
