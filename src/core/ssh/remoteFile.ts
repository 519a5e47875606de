/**
 * Reading and atomically replacing a root-owned file over SSH (docs/ssh.md). Each phase is ONE remote script
 * with a server-side time limit: the read checks the target (type, size, where it really lives) and returns
 * its bytes; the write takes a lock beside the file, re-checks the hash, backs up, renames and prunes. The new
 * content travels only on stdin; the command line is constant apart from the quoted path and two numbers.
 */
import { createHash } from 'node:crypto';
import { DevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';
import type { ExecResult, SshSession } from './session';
import { fail } from '../errors/fail';
import {
  assertRemotePath, firstTry, forgetPrivilege, knownPrivilege, type PreflightOptions, type Privilege,
  privilegeAfterRefusal, privileged, quietShell, rememberPrivilege, runPrivileged, shQuote, sudoFailure,
} from './sudo';
import { MAX_ENV_BYTES, SYSTEM_DIRS } from './targetRules';

export interface RemoteFile {
  content: Buffer;
  /** sha256 (hex) of the exact bytes read. */
  sha256: string;
}

export interface ReadOptions {
  /** Larger files are refused; default 1 MiB. */
  maxBytes?: number;
  /** Server-side limit for the read (`timeout -k 5 N`); default 30. */
  timeoutSec?: number;
}

export interface WriteOptions {
  /** Backups kept after this write (the newest ones); default 5, at least 1. */
  keepBackups?: number;
  /** Server-side limit for the whole write (`timeout -k 5 N`); default 60. */
  timeoutSec?: number;
  /** Opens a fresh session after a dropped connection, so the outcome can be checked by re-reading. */
  reconnect?: () => Promise<SshSession>;
}

export interface WriteResult {
  /** The backup of the previous content (`<file>.bak-YYYYmmddHHMMSS`, one per second at most). */
  backup?: string;
  sha256: string;
  /** DevKit's own older backups removed by this write (only names of the exact backup pattern). */
  pruned: string[];
  /** The connection dropped, and a new connection showed the new content in place. */
  recoveredAfterDrop?: boolean;
}

export interface Backup {
  path: string;
  mtime: Date;
  size: number;
}

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The exact name of a DevKit backup: the target's name, `.bak-` and a 14-digit timestamp. */
export const BACKUP_GLOB = `.bak-${'[0-9]'.repeat(14)}`;

/**
 * Shared start of both scripts ($1 = the target): refuse what must never be read or replaced, saying why in
 * one `DEVKIT-REFUSE <reason>` line (exit 81). The directory is resolved, so a symlinked directory that
 * leads into a system tree is caught too. One line, no single quotes, backslashes or `!` (tcsh history; hence
 * `[ -r x ] || …` rather than `[ ! -r x ]`), so every login shell passes it through unchanged.
 */
export const CHECK_TARGET = [
  'export LC_ALL=C',
  'f=$1',
  'd=${f%/*}',
  'd=${d:-/}',
  'r() { echo "DEVKIT-REFUSE $*"; exit 81; }',
  'command -v flock >/dev/null 2>&1 || r no-flock',
  'x=$(readlink -f -- "$d") || r missing-dir',
  `case $x/ in ${SYSTEM_DIRS.map((s) => `${s}/*`).join('|')}) r system-dir "$x";; esac`,
  'if [ -L "$f" ]; then r symlink; fi',
  '[ -e "$f" ] || { [ -d "$d" ] || r missing-dir; [ -x "$d" ] || r unreadable; r missing; }',
  'if [ -d "$f" ]; then r directory; fi',
  '[ -f "$f" ] || r special "$(stat -c %F -- "$f")"',
  '[ -r "$f" ] || r unreadable',
];

/**
 * $1 = target, $2 = the most bytes to send. Holds a shared lock on the directory while reading, so a read never
 * sees a write half-done and a re-read after a dropped write waits for that write to finish or give up.
 */
const READ_SCRIPT = [
  ...CHECK_TARGET,
  'm=$2',
  'command exec 9<"$d" || r unlockable',
  'flock -s -w 20 9 || r locked',
  's=$(stat -c %s -- "$f") || exit 83',
  'if [ "$s" -gt "$m" ]; then r too-large "$s"; fi',
  'echo "DEVKIT-READ $s"',
  'head -c $((m+1)) -- "$f"',
].join('; ');

/** Exit codes of the write script: distinct from sudo's 1, sh's 2/126/127, timeout's 124/137 and the signals. */
export const EXIT = {
  refused: 81, notRegular: 91, badHeader: 92, conflict: 93, empty: 94, io: 95, incomplete: 96, lockTimeout: 97,
} as const;

/**
 * The temp file `$t` is removed however a write script ends (a trap on exit and on each signal that can end
 * it: sudo's child cannot be signalled by sshd, so EOF or EPIPE is how a dead connection shows).
 */
export const TEMP_FILE_TRAPS = [
  't=',
  'c() { if [ -n "$t" ]; then rm -f -- "$t"; fi; }',
  'trap c EXIT',
  'trap "exit 129" HUP',
  'trap "exit 130" INT',
  'trap "exit 141" PIPE',
  'trap "exit 143" TERM',
];

/**
 * $1 = target, $2 = backups to keep, $3 = the most bytes accepted. stdin = `devkit-sha256 <current> <new>`
 * then the new content. The new content goes to a temp file first; then, under an exclusive lock on the
 * directory (every DevKit writer takes it, so two pushes cannot interleave): the hash precondition, one echo
 * that fails if our connection is gone (so a write nobody will hear about is dropped before the rename), a
 * backup as a hard link of the old file (its own name, the old bytes exactly), the rename, and pruning of
 * DevKit's own backups only. The traps remove the temp file however the script ends (it runs as root under
 * sudo, so sshd cannot signal it; a dead connection shows up as EOF on stdin or EPIPE on stdout).
 */
const WRITE_SCRIPT = [
  ...CHECK_TARGET,
  'k=$2',
  'm=$3',
  'umask 077',
  ...TEMP_FILE_TRAPS,
  '[ -w "$d" ] || r dir-not-writable',
  `read -r h o n || exit ${EXIT.badHeader}`,
  `[ "$h" = devkit-sha256 ] || exit ${EXIT.badHeader}`,
  `[ -z "$(printf %s "$o$n" | tr -d 0123456789abcdef)" ] || exit ${EXIT.badHeader}`,
  `[ \${#o} -eq 64 ] && [ \${#n} -eq 64 ] || exit ${EXIT.badHeader}`,
  `t=$(mktemp "$f.devkit-XXXXXX") || exit ${EXIT.io}`,
  `head -c $((m+1)) > "$t" || exit ${EXIT.io}`,
  `[ -s "$t" ] || exit ${EXIT.empty}`,
  `s=$(sha256sum < "$t") || exit ${EXIT.io}`,
  `[ "\${s%% *}" = "$n" ] || exit ${EXIT.incomplete}`,
  `command exec 9<"$d" || exit ${EXIT.io}`,
  `flock -w 30 9 || exit ${EXIT.lockTimeout}`,
  `s=$(sha256sum < "$f") || exit ${EXIT.io}`,
  `[ "\${s%% *}" = "$o" ] || { echo "CONFLICT \${s%% *}"; exit ${EXIT.conflict}; }`,
  `chown "$(stat -c %u:%g -- "$f")" "$t" && chmod "$(stat -c %a -- "$f")" "$t" || exit ${EXIT.io}`,
  // Names sort by age and pruning never hits the newest: a second already taken is waited out (under the lock).
  'b=$f.bak-$(date +%Y%m%d%H%M%S)',
  'while [ -e "$b" ] || [ -L "$b" ]; do sleep 1; b=$f.bak-$(date +%Y%m%d%H%M%S); done',
  `sync -- "$t" 2>/dev/null || sync`,
  `echo "BACKUP $b" || exit ${EXIT.io}`,
  `ln -- "$f" "$b" 2>/dev/null || cp -p -- "$f" "$b" || exit ${EXIT.io}`,
  `mv -f -- "$t" "$f" || exit ${EXIT.io}`,
  't=',
  'sync -- "$d" 2>/dev/null || sync',
  'echo "OK $b"',
  `for x in "$f"${BACKUP_GLOB}; do if [ -L "$x" ]; then :; elif [ -f "$x" ]; then echo "$x"; fi; done | sort -r | tail -n +$((k+1)) | while IFS= read -r x; do rm -f -- "$x" && echo "PRUNED $x"; done`,
  'exit 0',
].join('; ');

const readCommand = (path: string, max: number, limit: number) => `timeout -k 5 ${limit} sh -c ${shQuote(READ_SCRIPT)} devkit-read ${shQuote(path)} ${max}`;

export async function readFile(session: SshSession, p: Privilege, path: string, opts: ReadOptions = {}): Promise<RemoteFile> {
  assertRemotePath(path);
  const { max, limit } = readLimits(opts);
  const r = await runPrivileged(session, p, readCommand(path, max, limit));
  return readResult(r, session, p, path, max, limit);
}

/**
 * The read phase of a push in one round trip on a fresh session: the read script under `sudo -n` (or without
 * sudo for mode none) also proves the shell is quiet and sudo works; a password is sent only when sudo asks
 * for one, alone on stdin. The privilege found is remembered for the session, so no later step re-checks it.
 */
export async function readTarget(
  session: SshSession,
  sudo: PreflightOptions,
  path: string,
  opts: ReadOptions = {},
): Promise<{ privilege: Privilege; file: RemoteFile }> {
  assertRemotePath(path);
  const known = knownPrivilege(session, sudo);
  if (known) return { privilege: known, file: await readFile(session, known, path, opts) };
  const { max, limit } = readLimits(opts);
  const cmd = readCommand(path, max, limit);
  const first = firstTry(sudo);
  const r = await session.exec(privileged(first, cmd));
  noisyBeforeMarker(session, r);
  if (r.code === 0 || r.code === EXIT.refused || !sudoFailure(r, session.username)) {
    rememberPrivilege(session, sudo, first);
    return { privilege: first, file: readResult(r, session, first, path, max, limit) };
  }
  // sudo itself said no: with a password (if one is given and sudo asks for it), else the precise reason.
  const privilege = await privilegeAfterRefusal(session, sudo, r);
  return { privilege, file: await readFile(session, privilege, path, opts) };
}

export function readLimits(opts: ReadOptions): { max: number; limit: number } {
  return {
    max: Math.max(1, Math.min(MAX_ENV_BYTES, Math.floor(opts.maxBytes ?? MAX_ENV_BYTES))),
    limit: Math.max(5, Math.floor(opts.timeoutSec ?? 30)),
  };
}

/** Text before our first marker is the login shell talking (a noisy ~/.bashrc). */
export function noisyBeforeMarker(session: SshSession, r: ExecResult): void {
  const at = r.stdout.indexOf('DEVKIT-');
  if (at === 0 || r.stdout.length === 0) return;
  quietShell(session, { ...r, stdout: at > 0 ? r.stdout.subarray(0, at) : r.stdout });
}

export function readResult(r: ExecResult, session: SshSession, p: Privilege, path: string, max: number, limit: number): RemoteFile {
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, path, step: 'read' });
  noisyBeforeMarker(session, r);
  if (r.code === 0) {
    const nl = r.stdout.indexOf(0x0a);
    const head = /^DEVKIT-READ (\d+)$/.exec(r.stdout.subarray(0, nl).toString('latin1'));
    if (nl < 0 || !head) throw fail('ssh', null, { path, message: 'the read script answered in an unexpected form; nothing was changed' });
    const content = r.stdout.subarray(nl + 1);
    if (content.length > max) throw refusal(`too-large ${content.length}`, path, session, p);
    return { content, sha256: sha256Hex(content) };
  }
  if (r.code === EXIT.refused) throw refusal(refusedReason(r), path, session, p);
  if (r.code === 124 || r.code === 137) throw fail('ssh', 'timeout', { host: session.host, path, phase: 'read', seconds: limit });
  const refused = sudoFailure(r, session.username);
  if (refused) {
    forgetPrivilege(session);
    throw refused;
  }
  throw fail('ssh', null, { path, message: `reading the file failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}` });
}

export function refusedReason(r: ExecResult): string {
  return /^DEVKIT-REFUSE (.*)$/m.exec(r.stdout.toString('utf8'))?.[1]?.trim() ?? 'unknown';
}

/** Each refusal worded for what it is; none of them changed anything. */
export function refusal(reason: string, path: string, session: SshSession, p: Privilege): DevKitError {
  const [word, ...rest] = reason.split(' ');
  const extra = rest.join(' ');
  const d: Record<string, string> = { path, reason: word };
  const setting = 'the env path (--env-path, salesiq.remote.envPath)';
  const make = (code: string, category: Finding['category'], title: string, explanation: string) =>
    new DevKitError({ source: 'ssh', code, httpStatus: null, category, action: 'fix-config', retryable: false, title, explanation: `${explanation} Nothing was changed.`, details: d });
  switch (word) {
    case 'missing':
      return make('env-missing', 'config', `${path} does not exist on the server.`, `DevKit changes an existing .env and never creates one. Check ${setting}.`);
    case 'missing-dir':
      return make('env-missing', 'config', `The directory of ${path} does not exist on the server.`, `Check ${setting}.`);
    case 'symlink':
      return make('not-regular-file', 'config', `${path} is a symbolic link.`, `DevKit replaces only a regular file, never a link. Point ${setting} at the file the link leads to.`);
    case 'directory':
      return make('not-regular-file', 'config', `${path} is a directory, not a file.`, `Point ${setting} at the .env file inside it.`);
    case 'special':
      d.type = extra;
      return make('not-regular-file', 'config', `${path} is not a regular file (it is a ${extra || 'special file'}).`, `A device, FIFO or socket is never read or replaced. Point ${setting} at the .env file.`);
    case 'too-large':
      d.size = extra;
      return make('too-large', 'config', `${path} is larger than ${MAX_ENV_BYTES} bytes${extra ? ` (${extra} bytes)` : ''}.`, `A .env is a few KiB; this is not one. Check ${setting}.`);
    case 'system-dir':
      d.resolved = extra;
      return make('system-path', 'config', `${path} lies in a system directory on the server (${extra}).`, `DevKit never reads or writes under ${SYSTEM_DIRS.join(', ')}, also not through a symbolic link. Check ${setting}.`);
    case 'unreadable':
      return p.mode === 'none'
        ? make('unreadable', 'permission', `${session.username} cannot read ${path} (permission denied), and the sudo mode is none.`, 'Use a sudo mode (auto, nopasswd or password) so DevKit reads it as root, or give the SSH user read access to the file.')
        : make('unreadable', 'permission', `${path} cannot be read, even as root.`, 'The file system refuses reading it (e.g. a network mount that squashes root). Check the file on the server.');
    case 'dir-not-writable':
      return make('unreadable', 'permission', `${session.username} cannot write in the directory of ${path}, and the sudo mode is none.`, 'DevKit writes a temp file beside the .env and renames it. Use a sudo mode (auto, nopasswd or password), or give the SSH user write access to that directory.');
    case 'locked':
    case 'unlockable':
      return make('locked', 'server', `Another push holds the lock on ${path}'s directory.`, 'Another DevKit (a window, keep-fresh, a script) is writing it right now. Retry in a moment.');
    case 'no-flock':
      return make('no-flock', 'server', 'The server has no flock command.', 'DevKit locks the .env\'s directory with flock (util-linux or BusyBox) so that two pushes never interleave. Install util-linux on the server.');
    default:
      return make('not-regular-file', 'config', `${path} was refused by the server-side check (${reason}).`, `Check ${setting}.`);
  }
}

export async function writeFileAtomic(
  session: SshSession,
  p: Privilege,
  path: string,
  content: Buffer,
  expectedSha256: string,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  assertRemotePath(path);
  if (content.length === 0) throw fail('ssh', 'not-regular-file', { path, reason: 'refusing to write an empty file' });
  if (content.length > MAX_ENV_BYTES) throw refusal(`too-large ${content.length}`, path, session, p);
  if (!/^[0-9a-f]{64}$/.test(expectedSha256)) throw new RangeError('expectedSha256 must be 64 lower-case hex digits');
  const keep = Math.max(1, Math.min(100, Math.floor(opts.keepBackups ?? 5)));
  const limit = Math.max(5, Math.floor(opts.timeoutSec ?? 60));
  const newSha = sha256Hex(content);
  const cmd = `timeout -k 5 ${limit} sh -c ${shQuote(WRITE_SCRIPT)} devkit-write ${shQuote(path)} ${keep} ${MAX_ENV_BYTES}`;
  const stdin = Buffer.concat([Buffer.from(`devkit-sha256 ${expectedSha256} ${newSha}\n`), content]);

  const r = await runPrivileged(session, p, cmd, { stdin });
  const out = r.stdout.toString('utf8');
  if (r.code === 0) {
    const backup = /^OK (.+)$/m.exec(out)?.[1];
    return { backup, sha256: newSha, pruned: [...out.matchAll(/^PRUNED (.+)$/gm)].map((m) => m[1]) };
  }
  if (r.code === undefined || r.code === 124 || r.code === 137) {
    return afterUncertainEnd(session, p, path, expectedSha256, newSha, opts, r.code);
  }

  throw writeFailure(r, session, p, path, expectedSha256);
}

/** The decoded reason a write script ended without writing (sudo's refusal, a refusal, a conflict, …). */
export function writeFailure(r: ExecResult, session: SshSession, p: Privilege, path: string, expectedSha256: string): DevKitError {
  const out = r.stdout.toString('utf8');
  const refused = sudoFailure(r, session.username);
  if (refused) {
    forgetPrivilege(session);
    return refused;
  }
  switch (r.code) {
    case EXIT.refused:
      return refusal(refusedReason(r), path, session, p);
    case EXIT.notRegular:
      return refusal('special', path, session, p);
    case EXIT.conflict:
      return fail('ssh', 'conflict', { path, expected: expectedSha256.slice(0, 12), found: /^CONFLICT ([0-9a-f]+)/m.exec(out)?.[1]?.slice(0, 12) });
    case EXIT.lockTimeout:
      return refusal('locked', path, session, p);
    case EXIT.incomplete:
      return fail('ssh', 'connection-lost', { path, outcome: 'unchanged', reason: 'the new content arrived incomplete; nothing was replaced' });
    case EXIT.badHeader:
    case EXIT.empty:
      return fail('ssh', null, { path, outcome: 'unchanged', message: `the remote write refused its input (exit ${r.code}); nothing was replaced` });
    default:
      return fail('ssh', null, { path, outcome: 'unchanged', message: `the remote write failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}` });
  }
}

/**
 * The connection dropped (or the server-side time limit fired) before the script reported back: reconnect
 * once and re-read (the read waits for the lock, so a write still finishing on the server is seen finished),
 * then say which content is in place; 'outcome-unknown' only when that cannot be determined.
 */
export async function afterUncertainEnd(
  session: SshSession,
  p: Privilege,
  path: string,
  oldSha: string,
  newSha: string,
  opts: WriteOptions,
  code: number | undefined,
): Promise<WriteResult> {
  const why = code === undefined ? 'the connection dropped during the write' : `the write hit its server-side time limit (exit ${code})`;
  let s = session;
  let now: RemoteFile;
  try {
    if (s.closed) {
      if (!opts.reconnect) throw new Error('no way to reconnect');
      s = await opts.reconnect();
    }
    now = await readFile(s, p, path);
  } catch (e) {
    throw fail('ssh', 'outcome-unknown', { path, reason: `${why}, and reconnecting to check failed` }, e);
  }
  if (now.sha256 === newSha) {
    const backups = await listBackups(s, p, path).catch(() => []);
    return { backup: backups[0]?.path, sha256: newSha, pruned: [], recoveredAfterDrop: true };
  }
  if (now.sha256 === oldSha) {
    throw fail('ssh', 'connection-lost', { path, outcome: 'unchanged', reason: `${why}; a new connection shows the old content still in place (nothing was replaced)` });
  }
  throw fail('ssh', 'outcome-unknown', { path, reason: `${why}; the file now holds neither the old nor the new content (changed by someone else?)` });
}

const LIST_SCRIPT = `for x in "$1"${BACKUP_GLOB}; do if [ -L "$x" ]; then :; elif [ -f "$x" ]; then stat -c "%Y %s %n" -- "$x"; fi; done; exit 0`;

/** DevKit's backups of `path` (its exact name pattern only), newest first. */
export async function listBackups(session: SshSession, p: Privilege, path: string): Promise<Backup[]> {
  assertRemotePath(path);
  const r = await runPrivileged(session, p, `timeout -k 5 30 sh -c ${shQuote(LIST_SCRIPT)} devkit-list ${shQuote(path)}`);
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, path });
  if (r.code !== 0) throw sudoFailure(r, session.username) ?? fail('ssh', null, { path, message: `listing the backups failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}` });
  return r.stdout
    .toString('utf8')
    .split('\n')
    .map((l) => /^(\d+) (\d+) (.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && isBackupOf(path, m[3]))
    .map((m) => ({ path: m[3], mtime: new Date(Number(m[1]) * 1000), size: Number(m[2]) }))
    .sort((a, b) => (a.path < b.path ? 1 : a.path > b.path ? -1 : 0));
}

export function isBackupOf(path: string, candidate: string): boolean {
  return candidate.startsWith(`${path}.bak-`) && /^\d{14}$/.test(candidate.slice(path.length + 5));
}

/** Puts a backup's bytes back through the same safe write (so the current content is backed up too). */
export async function restoreBackup(
  session: SshSession,
  p: Privilege,
  path: string,
  backupPath: string,
  opts: WriteOptions = {},
): Promise<WriteResult & { restoredFrom: string }> {
  if (!isBackupOf(path, backupPath)) throw fail('ssh', 'not-regular-file', { path: backupPath, reason: `not a DevKit backup of ${path}` });
  const backup = await readFile(session, p, backupPath);
  const current = await readFile(session, p, path);
  const w = await writeFileAtomic(session, p, path, backup.content, current.sha256, opts);
  return { ...w, restoredFrom: backupPath };
}
