/**
 * Reading and atomically replacing a root-owned file over SSH (reference ssh-remote.md §4.1).
 * The secret travels only on stdin; the command line is constant apart from the quoted path, so neither the
 * sudo log, the sshd log nor /proc/<pid>/cmdline ever shows it.
 */
import { createHash } from 'node:crypto';
import type { SshSession } from './connection';
import { fail } from './fail';
import { assertRemotePath, type Privilege, runPrivileged, shQuote, sudoFailure } from './sudo';

export interface RemoteFile {
  content: Buffer;
  /** sha256 (hex) of the exact bytes read. */
  sha256: string;
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
  pruned: string[];
  /** The connection dropped, and re-reading showed the new content in place. */
  recoveredAfterDrop?: boolean;
}

export interface Backup {
  path: string;
  mtime: Date;
  size: number;
}

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export async function readFile(session: SshSession, p: Privilege, path: string): Promise<RemoteFile> {
  assertRemotePath(path);
  const r = await runPrivileged(session, p, `cat ${shQuote(path)}`);
  if (r.code === 0) return { content: r.stdout, sha256: sha256Hex(r.stdout) };
  throw readFailure(r.code, r.stderr, session, path);
}

/** Exit codes of the write script: distinct from sudo's 1, sh's 2/126/127 and timeout's 124/137. */
const EXIT = { notRegular: 91, badHeader: 92, conflict: 93, empty: 94, io: 95, incomplete: 96 } as const;

/**
 * One line, no single quotes, backslashes or `!` (tcsh history), so every login shell passes it through unchanged.
 * $1 = target, $2 = backups to keep. stdin = `devkit-sha256 <current> <new>` then the new content.
 * Checks the precondition before and after reading stdin; the remaining race is between that check and `mv`.
 */
const WRITE_SCRIPT = [
  'export LC_ALL=C',
  'umask 077',
  'f=$1; k=$2; t=',
  'c() { if [ -n "$t" ]; then rm -f "$t"; fi; }',
  'trap c EXIT',
  'trap "exit 143" HUP INT TERM',
  `if [ -L "$f" ]; then exit ${EXIT.notRegular}; fi`,
  `[ -f "$f" ] || exit ${EXIT.notRegular}`,
  `read -r m h n || exit ${EXIT.badHeader}`,
  `[ "$m" = devkit-sha256 ] || exit ${EXIT.badHeader}`,
  `[ -z "$(printf %s "$h$n" | tr -d 0123456789abcdef)" ] || exit ${EXIT.badHeader}`,
  `[ \${#h} -eq 64 ] && [ \${#n} -eq 64 ] || exit ${EXIT.badHeader}`,
  `s=$(sha256sum < "$f") || exit ${EXIT.io}`,
  `[ "\${s%% *}" = "$h" ] || { echo "CONFLICT \${s%% *}"; exit ${EXIT.conflict}; }`,
  `t=$(mktemp "$f.devkit-XXXXXX") || exit ${EXIT.io}`,
  `cat > "$t" || exit ${EXIT.io}`,
  `[ -s "$t" ] || exit ${EXIT.empty}`,
  `s=$(sha256sum < "$t") || exit ${EXIT.io}`,
  `[ "\${s%% *}" = "$n" ] || exit ${EXIT.incomplete}`,
  // One backup per second, so names sort by age and pruning never hits the newest: wait out a taken second.
  'b=$f.bak-$(date +%Y%m%d%H%M%S)',
  'while [ -e "$b" ]; do sleep 1; b=$f.bak-$(date +%Y%m%d%H%M%S); done',
  `s=$(sha256sum < "$f") || exit ${EXIT.io}`,
  `[ "\${s%% *}" = "$h" ] || { echo "CONFLICT \${s%% *}"; exit ${EXIT.conflict}; }`,
  `chown "$(stat -c %u:%g "$f")" "$t" && chmod "$(stat -c %a "$f")" "$t" || exit ${EXIT.io}`,
  `cp -p "$f" "$b" || exit ${EXIT.io}`,
  'sync',
  `mv -f "$t" "$f" || exit ${EXIT.io}`,
  't=',
  'echo "OK $b"',
  'ls -1d "$f".bak-[0-9]* 2>/dev/null | sort -r | tail -n +$((k+1)) | while read -r x; do rm -f "$x" && echo "PRUNED $x"; done',
  'exit 0',
].join('; ');

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
  if (!/^[0-9a-f]{64}$/.test(expectedSha256)) throw new RangeError('expectedSha256 must be 64 lower-case hex digits');
  const keep = Math.max(1, Math.min(100, Math.floor(opts.keepBackups ?? 5)));
  const limit = Math.max(5, Math.floor(opts.timeoutSec ?? 60));
  const newSha = sha256Hex(content);
  const cmd = `timeout -k 5 ${limit} sh -c ${shQuote(WRITE_SCRIPT)} devkit-write ${shQuote(path)} ${keep}`;
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

  const refused = sudoFailure(r, session.username);
  if (refused) throw refused;
  switch (r.code) {
    case EXIT.notRegular:
      throw fail('ssh', 'not-regular-file', { path });
    case EXIT.conflict:
      throw fail('ssh', 'conflict', { path, expected: expectedSha256.slice(0, 12), found: /^CONFLICT ([0-9a-f]+)/m.exec(out)?.[1]?.slice(0, 12) });
    case EXIT.incomplete:
      throw fail('ssh', 'connection-lost', { path, outcome: 'unchanged', reason: 'the new content arrived incomplete; nothing was replaced' });
    case EXIT.badHeader:
    case EXIT.empty:
      throw fail('ssh', null, { path, outcome: 'unchanged', message: `the remote write refused its input (exit ${r.code}); nothing was replaced` });
    default:
      throw fail('ssh', null, { path, outcome: 'unchanged', message: `the remote write failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}` });
  }
}

/**
 * The connection dropped (or the server-side timeout fired) before the script reported back: re-read the file
 * and say which content is in place; 'outcome-unknown' only when that cannot be determined.
 */
async function afterUncertainEnd(
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
    throw fail('ssh', 'outcome-unknown', { path, reason: why }, e);
  }
  if (now.sha256 === newSha) {
    const backups = await listBackups(s, p, path).catch(() => []);
    return { backup: backups[0]?.path, sha256: newSha, pruned: [], recoveredAfterDrop: true };
  }
  if (now.sha256 === oldSha) throw fail('ssh', 'connection-lost', { path, outcome: 'unchanged', reason: `${why}; the old content is still in place` });
  throw fail('ssh', 'outcome-unknown', { path, reason: `${why}; the file now holds neither the old nor the new content (changed by someone else?)` });
}

const LIST_SCRIPT = 'for x in "$1".bak-[0-9]*; do if [ -f "$x" ]; then stat -c "%Y %s %n" "$x"; fi; done; exit 0';

/** Backups of `path`, newest first. */
export async function listBackups(session: SshSession, p: Privilege, path: string): Promise<Backup[]> {
  assertRemotePath(path);
  const r = await runPrivileged(session, p, `sh -c ${shQuote(LIST_SCRIPT)} devkit-list ${shQuote(path)}`);
  if (r.code !== 0) throw readFailure(r.code, r.stderr, session, path);
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

function readFailure(code: number | null | undefined, stderr: string, session: SshSession, path: string) {
  if (code === undefined) return fail('ssh', 'connection-lost', { host: session.host, path });
  const refused = sudoFailure({ code, stderr, stdout: Buffer.alloc(0) }, session.username);
  if (refused) return refused;
  if (/No such file or directory/i.test(stderr)) return fail('ssh', 'not-regular-file', { path, reason: 'the file does not exist' });
  if (/Is a directory/i.test(stderr)) return fail('ssh', 'not-regular-file', { path, reason: 'it is a directory' });
  if (/Permission denied/i.test(stderr)) return fail('sudo', 'not-allowed', { user: session.username, path, reason: 'permission denied (is the sudo mode right?)' });
  return fail('ssh', null, { path, message: `reading the file failed (exit ${code}): ${stderr.trim().slice(0, 200)}` });
}
