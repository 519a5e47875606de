/**
 * What the doctor needs to know about a server, read without changing anything in ONE run under sudo: the
 * script asks systemd about the unit, hashes the key's value in the running process's environment on the
 * server (docs/systemd.md: the raw environment never crosses the wire), stats and reads the `.env` and reads
 * the journal. Two more scripts run without sudo: systemd's view alone (when sudo refuses), and what a sudoers
 * rule that lists only specific commands still lets this user read. Each script is one line with no `!`,
 * single quote or backslash, so any login shell passes it through; every argument is validated before it is
 * quoted. Every fork is a process start on the server, so the scripts parse with shell builtins.
 */
import { validateEnvKey } from '../dotenv/setKey';
import type { ExecResult, SshSession } from './session';
import { fail } from '../errors/fail';
import { assertUnitName } from './service';
import { assertRemotePath, type Privilege, privileged, privilegedStdin, shQuote } from './sudo';

/** systemctl show properties the doctor reads; systemd prints them in its own order, so they are parsed by name. */
export const SHOW_PROPERTIES = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'ExecMainStartTimestamp', 'EnvironmentFiles', 'WorkingDirectory', 'FragmentPath'] as const;

/** The largest .env the doctor reads (the same bound as a push). */
export const MAX_ENV_BYTES = 1024 * 1024;

const MARK = '@@devkit';

/**
 * systemd's view of the unit, then `rest` with `$p` (the main PID) set: needs no privileges ($u = the unit).
 * One `systemctl show` piped into a loop of shell builtins that prints each property and keeps the two it
 * needs, and one `date` for the server clock and the start time: each fork is a process start on the server.
 */
const withUnit = (rest: string[]): string[] => [
  `systemctl show -p ${SHOW_PROPERTIES.join(',')} -- "$u" 2>/dev/null | { p=; t=`,
  `while IFS= read -r l; do printf "${MARK} show %s" "$l"; echo; case $l in MainPID=*) p=\${l#MainPID=};; ExecMainStartTimestamp=*) t=\${l#*=};; esac; done`,
  // An empty timestamp would make `date` answer today's midnight: only a real one is converted.
  `set -- $({ echo now; if [ -n "$t" ]; then echo "$t"; fi; } | date -f - +%s 2>/dev/null)`,
  `echo "${MARK} now $1"`,
  `if [ -n "$2" ]; then echo "${MARK} started $2"; fi`,
  ...rest,
  '}',
];

const UNIT_SCRIPT = ['export LC_ALL=C', `echo ${MARK} begin`, 'u=$1', ...withUnit([]), 'exit 0'].join('; ');

/**
 * The hash of the key's value in the main process's environment (NUL-separated: each variable stays whole).
 * sed keeps the key's last assignment and prints its value with a final NUL, which head drops; without the
 * key it prints two NULs instead, so what is hashed is one NUL byte, which no environment value can hold
 * (ABSENT_SHA256): one pipeline answers both "which value" and "is it there".
 */
const ENVIRON_PART = [
  `echo "${MARK} pid $p"`,
  `if [ "$p" -gt 0 ] 2>/dev/null; then if [ -r "/proc/$p/environ" ]; then h=$(sed -zn "/^$k=/h; $ {x; s/^$k=//p; t; p; p}" "/proc/$p/environ" | head -c -1 | sha256sum); echo "${MARK} environ \${h%% *}"; else echo "${MARK} environ unreadable"; fi; fi`,
];

/** sha256 of a single NUL byte: the environ hash when the process has no such variable. */
const ABSENT_SHA256 = '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d';

/** Under sudo, the file's side: stat and read the .env. */
const FILE_PART = [
  `if [ -L "$f" ]; then echo "${MARK} file symlink"; elif [ -f "$f" ]; then s=$(stat -c "%s %Z" "$f"); echo "${MARK} file ok $s"; if [ -r "$f" ] && [ "\${s%% *}" -le "$m" ] 2>/dev/null; then echo "${MARK} content $(base64 -w0 < "$f")"; fi; elif [ -e "$f" ]; then echo "${MARK} file not-regular"; else echo "${MARK} file missing"; fi`,
];

/**
 * Everything in one run under sudo: one sudo, one channel, one password prompt's worth of stdin. Two chains
 * run side by side: the `.env` and then the journal (often the slowest read on a real server), which need
 * nothing from systemd, write into a pipe (fd 3); systemd, the clock and the process's environment print
 * directly, then the pipe is copied out. The journal comes last (everything after its marker is journal).
 */
const PRIVILEGED_SCRIPT = [
  'export LC_ALL=C',
  `echo ${MARK} begin`,
  'f=$1; k=$2; u=$3; n=$4; m=$5',
  `{ ${FILE_PART.join('; ')}; echo ${MARK} journal; journalctl -u "$u" -n "$n" --no-pager -o short-iso 2>/dev/null; } | { exec 3<&0 0</dev/null`,
  ...withUnit([...ENVIRON_PART, 'cat <&3']),
  '}',
  'exit 0',
].join('; ');

/**
 * The same facts as the privileged script, run WITHOUT sudo for a server whose sudoers rule lists only specific
 * commands: each privileged read is asked of `sudo -n -l CMD` first (it says whether the rule allows exactly
 * that command line, without running it) and run under sudo only then, else tried plainly. The process's
 * environment needs root, so it is reported unreadable unless this user runs the service.
 */
const NARROW_SCRIPT = [
  'export LC_ALL=C',
  `echo ${MARK} begin`,
  'f=$1; k=$2; u=$3; n=$4; m=$5',
  ...withUnit([
    // Without sudo a file in a directory this user cannot search looks missing: that is "hidden", not "missing".
    'd=$(dirname -- "$f")',
    `if [ -x "$d" ]; then if [ -L "$f" ]; then echo "${MARK} file symlink"; elif [ -f "$f" ]; then echo "${MARK} file ok $(stat -c "%s %Z" "$f")"; elif [ -e "$f" ]; then echo "${MARK} file not-regular"; else echo "${MARK} file missing"; fi; else echo "${MARK} file hidden"; fi`,
    // Read through the rule when it lists `cat PATH` (at most m+1 bytes, so a larger file shows as too large), else
    // plainly when readable. A symbolic link is never read (no `!` in the script: tcsh would expand it).
    `if [ -L "$f" ]; then :; elif sudo -n -l cat "$f" >/dev/null 2>&1; then if sudo -n cat "$f" >/dev/null 2>&1; then echo "${MARK} via content sudo"; echo "${MARK} content $(sudo -n cat "$f" | head -c $((m+1)) | base64 -w0)"; fi; elif [ -f "$f" ] && [ -r "$f" ] && [ "$(stat -c %s "$f")" -le "$m" ]; then echo "${MARK} via content plain"; echo "${MARK} content $(base64 -w0 < "$f")"; fi`,
    ...ENVIRON_PART,
    `if sudo -n -l journalctl -u "$u" -n "$n" --no-pager -o short-iso >/dev/null 2>&1; then echo "${MARK} via journal sudo"; echo ${MARK} journal; sudo -n journalctl -u "$u" -n "$n" --no-pager -o short-iso 2>/dev/null; else echo "${MARK} via journal plain"; echo ${MARK} journal; journalctl -u "$u" -n "$n" --no-pager -o short-iso 2>/dev/null; fi`,
  ]),
  'exit 0',
].join('; ');

export interface UnitFacts {
  /** Text the login shell printed before the script ran (a noisy .bashrc breaks pushes). */
  noise: string;
  /** The server's clock, seconds since the epoch. */
  now?: number;
  /** `systemctl show` by property name. */
  show: Record<string, string>;
  /** ExecMainStartTimestamp as seconds since the epoch, converted on the server (its time zone). */
  startedAt?: number;
}

export type EnvironState = { state: 'hash'; sha256: string } | { state: 'absent' } | { state: 'unreadable' } | { state: 'no-process' };

export interface PrivilegedFacts {
  noise: string;
  /** systemd's view, read in the same run. */
  unit: UnitFacts;
  /** `hidden`: without sudo, its directory cannot be searched (only the narrow probe says so). */
  file: { state: 'ok'; size: number; ctime: number } | { state: 'symlink' | 'not-regular' | 'missing' | 'hidden' } | { state: 'unknown' };
  /** The file's bytes (absent when too large or unreadable). */
  content?: Buffer;
  pid: number;
  environ: EnvironState;
  journal: string[];
  /** With a narrow sudoers rule: how the .env and the journal were read (sudo where the rule allows it, else plainly). */
  via?: { content?: 'sudo' | 'plain'; journal?: 'sudo' | 'plain' };
}

export interface ProbeTarget {
  envPath: string;
  key: string;
  service: string;
  journalLines: number;
}

/** A unit name systemd accepts and no tool can take for an option. */
function assertUnit(service: string): void {
  assertUnitName(service);
  if (service.startsWith('-')) throw fail('systemd', 'unit-not-found', { unit: service, reason: 'a unit name cannot start with "-"' });
}

export function assertProbeTarget(t: ProbeTarget): void {
  assertRemotePath(t.envPath);
  assertUnit(t.service);
  const bad = validateEnvKey(t.key);
  if (bad) throw fail('unknown', 'invalid-env-value', { key: t.key, message: `Refusing to look up ${t.key}: ${bad}.` });
}

/** `systemctl show`, the server clock and the start time as seconds: needs no privileges. */
export async function probeUnit(session: SshSession, service: string, limitSec: number): Promise<UnitFacts> {
  assertUnit(service);
  const cmd = `timeout -k 2 ${seconds(limitSec)} sh -c ${shQuote(UNIT_SCRIPT)} devkit-doctor ${shQuote(service)}`;
  const r = await session.exec(privileged({ mode: 'none' }, cmd), { timeoutMs: (seconds(limitSec) + 3) * 1000 });
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, step: 'doctor' });
  const { noise, lines } = split(r);
  if (!lines.length && r.code !== 0) throw fail('ssh', null, { host: session.host, message: `the probe failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}` });
  return unitFacts(noise, lines);
}

function unitFacts(noise: string, lines: string[]): UnitFacts {
  const facts: UnitFacts = { noise, show: {} };
  for (const l of lines) {
    const [word, rest] = field(l);
    if (word === 'now') facts.now = int(rest);
    else if (word === 'started') facts.startedAt = int(rest);
    else if (word === 'show') {
      const eq = rest.indexOf('=');
      // Array properties (EnvironmentFiles=) come as one line per entry.
      const name = rest.slice(0, eq);
      if (eq > 0) facts.show[name] = facts.show[name] ? `${facts.show[name]}\n${rest.slice(eq + 1)}` : rest.slice(eq + 1);
    }
  }
  return facts;
}

/** The privileged run; the result's `code` tells a refusal by sudo from the script's own answer. */
export async function probePrivileged(
  session: SshSession,
  p: Privilege,
  t: ProbeTarget,
  limitSec: number,
): Promise<{ result: ExecResult; facts?: PrivilegedFacts }> {
  assertProbeTarget(t);
  const n = Math.max(1, Math.min(10_000, Math.floor(t.journalLines)));
  const cmd = `timeout -k 2 ${seconds(limitSec)} sh -c ${shQuote(PRIVILEGED_SCRIPT)} devkit-doctor ${shQuote(t.envPath)} ${shQuote(t.key)} ${shQuote(t.service)} ${n} ${MAX_ENV_BYTES}`;
  const r = await session.exec(privileged(p, cmd), { stdin: privilegedStdin(p), timeoutMs: (seconds(limitSec) + 3) * 1000 });
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, step: 'doctor' });
  return r.stdout.toString('utf8').includes(`${MARK} begin`) ? { result: r, facts: parsePrivileged(r) } : { result: r };
}

/** The privileged facts as far as a narrow sudoers rule (or none) lets this user read them; never fails for sudo. */
export async function probeNarrow(session: SshSession, t: ProbeTarget, limitSec: number): Promise<PrivilegedFacts> {
  assertProbeTarget(t);
  const n = Math.max(1, Math.min(10_000, Math.floor(t.journalLines)));
  const cmd = `timeout -k 2 ${seconds(limitSec)} sh -c ${shQuote(NARROW_SCRIPT)} devkit-doctor ${shQuote(t.envPath)} ${shQuote(t.key)} ${shQuote(t.service)} ${n} ${MAX_ENV_BYTES}`;
  const r = await session.exec(privileged({ mode: 'none' }, cmd), { timeoutMs: (seconds(limitSec) + 3) * 1000 });
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, step: 'doctor' });
  if (!r.stdout.toString('utf8').includes(`${MARK} begin`)) throw fail('ssh', null, { host: session.host, message: `the probe failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}` });
  return parsePrivileged(r);
}

function parsePrivileged(r: ExecResult): PrivilegedFacts {
  const { noise, lines, rest } = split(r, `${MARK} journal`);
  const facts: PrivilegedFacts = { noise, unit: unitFacts(noise, lines), file: { state: 'unknown' }, pid: 0, environ: { state: 'no-process' }, journal: rest };
  for (const l of lines) {
    const [word, value] = field(l);
    if (word === 'file') {
      const [state, size, ctime] = value.split(' ');
      const known = state === 'symlink' || state === 'not-regular' || state === 'missing' || state === 'hidden';
      facts.file = state === 'ok' ? { state, size: Number(size), ctime: Number(ctime) } : known ? { state } : { state: 'unknown' };
    } else if (word === 'content') {
      facts.content = Buffer.from(value, 'base64');
    } else if (word === 'pid') {
      facts.pid = int(value) ?? 0;
    } else if (word === 'via') {
      const [what, how] = value.split(' ');
      if ((what === 'content' || what === 'journal') && (how === 'sudo' || how === 'plain')) facts.via = { ...facts.via, [what]: how };
    } else if (word === 'environ') {
      facts.environ = value === ABSENT_SHA256 ? { state: 'absent' } : /^[0-9a-f]{64}$/.test(value) ? { state: 'hash', sha256: value } : { state: 'unreadable' };
    }
  }
  return facts;
}

/**
 * The marker lines after `begin` (anything before it came from the login shell), and with `until` the raw
 * lines after that marker (the journal, kept as it is).
 */
function split(r: ExecResult, until?: string): { noise: string; lines: string[]; rest: string[] } {
  const all = r.stdout.toString('utf8').split('\n');
  const begin = all.indexOf(`${MARK} begin`);
  const noise = begin > 0 ? all.slice(0, begin).join('\n').trim() : '';
  const body = begin >= 0 ? all.slice(begin + 1) : [];
  const stop = until ? body.indexOf(until) : -1;
  const lines = (stop >= 0 ? body.slice(0, stop) : body).filter((l) => l.startsWith(`${MARK} `)).map((l) => l.slice(MARK.length + 1));
  const rest = stop >= 0 ? body.slice(stop + 1).map((l) => l.replace(/\r$/, '')).filter(Boolean) : [];
  return { noise, lines, rest };
}

function field(line: string): [string, string] {
  const sp = line.indexOf(' ');
  return sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1)];
}

function int(s: string): number | undefined {
  const n = Number(s.trim());
  return s.trim() !== '' && Number.isInteger(n) ? n : undefined;
}

function seconds(limitSec: number): number {
  return Math.max(1, Math.ceil(limitSec));
}

/** `EnvironmentFiles=` as systemd prints it: one `PATH (ignore_errors=no|yes)` line per file. */
export function environmentFiles(value: string | undefined): { path: string; optional: boolean }[] {
  const out: { path: string; optional: boolean }[] = [];
  for (const line of (value ?? '').split('\n')) {
    const m = /^(.+?) \(ignore_errors=(yes|no)\)\s*$/.exec(line.trim());
    if (m) out.push({ path: m[1], optional: m[2] === 'yes' });
  }
  return out;
}
