/**
 * Restart the service and prove it runs on the new token, in ONE remote script under the chosen privilege, with
 * its time limit on the server (`timeout -k 5 N`, docs/systemd.md): read MainPID → `systemctl restart` → wait
 * (bounded, on the server) for a new MainPID in state active → hash the key's value from /proc/<MainPID>/environ
 * on the server and compare it with the hash sent on stdin → journal tail. Then `watchService` watches the same
 * MainPID for the settle window (again one script, looping on the server), so a crash shortly after the start is
 * still reported without a round trip per poll.
 *
 * Nothing secret crosses the wire or a command line: the expected SHA-256 arrives on stdin, the value read from
 * environ is hashed on the server (printf and [ are shell builtins), and only "match"/"differs"/… comes back.
 */
import { createHash } from 'node:crypto';
import { redact } from '../redact';
import type { ExecResult, SshSession } from './session';
import { fail } from '../errors/fail';
import { assertUnitName } from './service';
import { type Privilege, privileged, privilegedStdin, shQuote, sudoFailure } from './sudo';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How "the new token is live" was proven. */
export type LiveProofKind = 'environ' | 'pid';

export interface LiveResult {
  unit: string;
  /** ActiveState after the restart (always 'active' when returned). */
  state: string;
  previousPid: number;
  mainPid: number;
  /** ExecMainStartTimestamp of the new process, as systemd prints it. */
  startedAt?: string;
  proof: LiveProofKind;
  /** One sentence: what was compared, or why only the PID could be. */
  proofNote: string;
  /** The unit's EnvironmentFile= paths (empty: the app reads its .env itself). */
  environmentFiles: string[];
  workingDirectory?: string;
  /** The unit loads another file than the one written (still live by PID, but worth saying). */
  warning?: string;
  /** The service's own journal line "…[MainPID]: … sha256:<prefix>" is in the tail. */
  logLine: boolean;
  journal: string[];
  /** Server-side milliseconds: the `systemctl restart` call, and the wait + proof after it. */
  restartMs?: number;
  proofMs?: number;
  /** Server-side milliseconds before the restart (reading the old MainPID) and for the journal tail after the proof. */
  beforeMs?: number;
  journalMs?: number;
}

export interface LiveOptions {
  /** The .env key that holds the token, and the token itself (only its hash is sent); without them only the PID proves. */
  key?: string;
  value?: string;
  /** The file that was written: compared with the unit's EnvironmentFile=. */
  envPath?: string;
  /** Server-side limit for the whole script; default 60 s. */
  timeoutSec?: number;
  journalLines?: number;
  /** Further strings to mask in journal lines (the token is always masked). */
  secrets?: string[];
}

// One line (shQuote refuses control characters), no single quote and no `!` (tcsh would expand it).
// Parsing is done with the shell's own parameter expansion (no sed/grep/tail per value): on a busy server every
// fork is a few ms on the path to "live". `val NAME` takes a property out of $s by name, anchored at a line start.
// The pieces expect u (unit), k (key or -), n (journal lines), tries (of 50 ms for the new process to show the
// new token) and want (the sha256) to be set, and `m NAME` to print a time mark; the combined script
// (fixExec.ts) runs the same pieces after its write.
export const LIVE_DEFS = [
  'nl=$(printf "\\nx"); nl=${nl%x}',
  'show() { s=$(systemctl show -p MainPID,ActiveState,ExecMainStartTimestamp,EnvironmentFiles,WorkingDirectory -- "$u" 2>/dev/null); }',
  'val() { v=; case "$nl$s$nl" in *"$nl$1="*) v=$nl$s$nl; v=${v#*"$nl$1="}; v=${v%%"$nl"*};; esac; }',
];
export const LIVE_OLD_PID = 'old=$(systemctl show -p MainPID --value -- "$u" 2>/dev/null)';
export const LIVE_RESTART = [
  'm t0',
  'err=$(systemctl restart -- "$u" 2>&1 >/dev/null); rc=$?',
  'm t1; echo "@rc $rc"; echo "@old $old"; [ -z "$err" ] || printf "%s\\n" "$err" | sed -n "s/^./@err &/p"',
  'if [ "$rc" = 0 ]; then i=0; while :; do show; val MainPID; pid=$v; val ActiveState; st=$v; h=none;' +
    ' if [ "$st" = active ] && [ "${pid:-0}" -gt 0 ] 2>/dev/null && [ "$pid" -ne "${old:-0}" ] 2>/dev/null; then' +
    ' if [ "$k" = - ]; then h=skipped; elif e=$(tr "\\0" "\\n" < "/proc/$pid/environ" 2>/dev/null); then' +
    ' case "$nl$e" in *"$nl$k="*) l=$nl$e$nl; l=${l##*"$nl$k="}; l=${l%%"$nl"*};' +
    ' h=$(printf %s "$l" | sha256sum 2>/dev/null); h=${h%% *};' +
    ' if [ -z "$h" ]; then h=unreadable; elif [ "$h" = "$want" ]; then h=match; else h=differs; fi ;; *) h=absent ;; esac;' +
    ' else h=unreadable; fi;' +
    // A process that died meanwhile reads as empty: not a proof; the next round sees the unit failed.
    // (/proc/<pid>/stat: "pid (comm) STATE …"; a failed read is a plain command's error, which never ends sh.)
    ' ps=; read -r ps 2>/dev/null < "/proc/$pid/stat"; ps=${ps##*") "};' +
    ' case "${ps%% *}" in ""|Z|X|x) h=gone ;; esac;' +
    ' [ "$h" = differs ] || [ "$h" = gone ] || break; fi;' +
    ' case "$st" in failed|inactive) break ;; esac;' +
    ' i=$((i+1)); [ "$i" -ge "$tries" ] && break; sleep 0.05 2>/dev/null || { sleep 1; i=$((i+19)); }; done;' +
    ' m t2; printf "%s\\n" "$s"; echo "@env $h"; fi',
];
// The end of the journal is timed too: it comes after "@journal", so the mark goes to stderr.
export const LIVE_JOURNAL = 'echo "@journal"; journalctl -u "$u" -n "$n" --no-pager 2>&1; m t3 >&2';

// $1 unit, $2 key, $3 journal lines, $4 tries; stdin: sha256. Marks carry the server's clock (nanoseconds).
const LIVE_SCRIPT = [
  'u=$1; k=$2; n=$3; tries=$4; IFS= read -r want',
  'm() { echo "@$1 $(date +%s%N 2>/dev/null)"; }; m ts',
  ...LIVE_DEFS,
  LIVE_OLD_PID,
  ...LIVE_RESTART,
  LIVE_JOURNAL,
  'exit 0',
].join('; ');

// $1 unit, $2 the MainPID proven live, $3 journal lines, $4 the window in ms. Bounded by the server's clock
// (nanoseconds where `date` has them, else by counting 100 ms sleeps), so slow checks do not stretch it; at
// least one check even for a zero window.
const WATCH_SCRIPT = [
  'u=$1; pid=$2; n=$3; ms=$4; res=steady; i=0; ticks=$((ms / 100))',
  'now() { t=$(date +%s%N 2>/dev/null); [ "$t" -eq "$t" ] 2>/dev/null && echo "$t"; }',
  't0=$(now); end=; [ -n "$t0" ] && end=$((t0 + ms * 1000000))',
  'while :; do s=$(systemctl show -p MainPID,ActiveState -- "$u" 2>/dev/null);' +
    ' p=$(printf "%s\\n" "$s" | sed -n "s/^MainPID=//p"); st=$(printf "%s\\n" "$s" | sed -n "s/^ActiveState=//p");' +
    ' if [ "$p" = "$pid" ] && [ "$st" = active ]; then :; else res=died; break; fi;' +
    ' if [ -n "$end" ]; then [ "$(now)" -ge "$end" ] && break; else [ "$i" -ge "$ticks" ] && break; fi;' +
    ' sleep 0.1 2>/dev/null || { sleep 1; i=$((i+9)); }; i=$((i+1)); done',
  'echo "@watch $res ${st:-unknown} ${p:-0}"',
  'if [ "$res" = died ]; then echo "@journal"; journalctl -u "$u" -n "$n" --no-pager 2>&1; fi; exit 0',
].join('; ');

/** Tries (50 ms apart, on the server) for a just-started process to show the new value: covers Type=simple's exec. */
const PROOF_TRIES = 10;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Restarts `unit` and returns once the new process is proven to hold `value` (or, where its environment cannot
 * tell, once a new MainPID is active). Throws the decoded failure otherwise: job-failed, crash-after-restart,
 * token-not-live, timeout, interactive-auth, unit-not-found, sudo's refusals, connection-lost.
 */
export async function restartLive(session: SshSession, p: Privilege, unit: string, o: LiveOptions): Promise<LiveResult> {
  assertUnitName(unit);
  const key = liveKey(o);
  const limit = Math.max(1, Math.floor(o.timeoutSec ?? 60));
  const lines = clampLines(o.journalLines ?? 20);
  const cmd = `timeout -k 5 ${limit} sh -c ${shQuote(LIVE_SCRIPT)} devkit-live ${shQuote(unit)} ${key} ${lines} ${PROOF_TRIES}`;
  const r = await session.exec(privileged(p, cmd), { stdin: privilegedStdin(p, `${wantedHash(o.value)}\n`) });
  checkExec(r, session, unit, limit, 'restart');
  const result = liveFrom(r.stdout.toString('utf8'), unit, o);
  const marks = parseSections(r.stdout.toString('utf8')).marks;
  const t3 = /^@t3 (\d+)$/m.exec(r.stderr)?.[1];
  if (t3) marks.set('t3', t3);
  const ms = (x: string, y: string) => {
    const from = marks.get(x);
    const to = marks.get(y);
    return from && to && /^\d+$/.test(from) && /^\d+$/.test(to) ? Number((BigInt(to) - BigInt(from)) / 1_000_000n) : undefined;
  };
  const timed = { beforeMs: ms('ts', 't0'), restartMs: ms('t0', 't1'), proofMs: ms('t1', 't2'), journalMs: ms('t2', 't3') };
  for (const [name, v] of Object.entries(timed)) if (v !== undefined) result[name as keyof typeof timed] = v;
  return result;
}

/** The token's sha256 as the scripts compare it ('-': no value, only the PID can prove). */
export const wantedHash = (value: string | undefined): string => (value === undefined ? '-' : sha256(value));

/** The key as the scripts take it: '-' when there is no value to compare. */
export function liveKey(o: Pick<LiveOptions, 'key' | 'value'>): string {
  if (o.key !== undefined && !KEY.test(o.key)) throw new RangeError(`not an environment variable name: ${o.key}`);
  return o.key !== undefined && o.value !== undefined ? o.key : '-';
}

/**
 * What the restart part of a script printed (its stdout from `@rc` on, the journal included or not), as the
 * proven LiveResult or the decoded failure: job-failed, crash-after-restart, token-not-live, inactive,
 * interactive-auth, unit-not-found. The time marks are left to the caller.
 */
export function liveFrom(text: string, unit: string, o: LiveOptions): LiveResult {
  const key = liveKey(o);
  const secrets = [...(o.value ? [o.value] : []), ...(o.secrets ?? [])];
  const out = parseSections(text);
  const journal = journalLines(out.journal, secrets);
  const rc = Number(out.marks.get('rc') ?? NaN);
  if (rc !== 0) {
    const e = out.err.join('\n');
    if (/Interactive authentication required/i.test(e)) throw fail('systemd', 'interactive-auth', { unit });
    if (/not found|could not be found|not loaded/i.test(e)) throw fail('systemd', 'unit-not-found', { unit });
    throw fail('systemd', 'job-failed', { unit, evidence: out.err[0]?.trim(), journal: journal.join('\n') }, undefined, secrets);
  }
  const props = out.props;
  const state = props.get('ActiveState') ?? 'unknown';
  const previousPid = Number(out.marks.get('old')) || 0;
  const mainPid = Number(props.get('MainPID')) || 0;
  const env = out.marks.get('env') ?? 'none';
  const journalText = journal.join('\n');
  if (state !== 'active') throw fail('systemd', state === 'failed' ? 'crash-after-restart' : 'inactive', { unit, state, journal: journalText });
  if (mainPid === 0 || mainPid === previousPid) throw fail('systemd', 'inactive', { unit, state, reason: `the main PID did not change (${mainPid})`, journal: journalText });
  const environmentFiles = parseEnvironmentFiles(props.get('EnvironmentFiles') ?? '');
  const workingDirectory = props.get('WorkingDirectory') || undefined;
  if (env === 'differs') {
    throw fail('systemd', 'token-not-live', {
      unit,
      pid: mainPid,
      key,
      environmentFiles: environmentFiles.join(', ') || '(none)',
      journal: journalText,
    });
  }
  const prefix = o.value === undefined ? undefined : sha256(o.value).slice(0, 12);
  const result: LiveResult = {
    unit,
    state,
    previousPid,
    mainPid,
    proof: env === 'match' ? 'environ' : 'pid',
    proofNote: proofNote(env, o.key ?? 'the token', mainPid, previousPid, environmentFiles, workingDirectory),
    environmentFiles,
    logLine: prefix !== undefined && journal.some((l) => l.includes(`[${mainPid}]`) && l.includes(`sha256:${prefix}`)),
    journal,
  };
  const startedAt = props.get('ExecMainStartTimestamp');
  if (startedAt) result.startedAt = startedAt;
  if (workingDirectory) result.workingDirectory = workingDirectory;
  if (o.envPath && environmentFiles.length > 0 && !environmentFiles.includes(o.envPath)) {
    result.warning = `${unit} loads ${environmentFiles.join(', ')} (EnvironmentFile=), not ${o.envPath}.`;
  }
  return result;
}

export interface WatchOptions {
  /** How long the process must stay up (from now), in ms; 0: one check. */
  settleMs: number;
  journalLines?: number;
  secrets?: string[];
}

export interface WatchResult {
  steady: boolean;
  state: string;
  mainPid: number;
  /** The journal tail when the process died (masked). */
  journal: string[];
}

/** Watches the live process for the settle window; throws crash-after-restart with the journal if it dies. */
export async function watchService(session: SshSession, p: Privilege, live: Pick<LiveResult, 'unit' | 'mainPid'>, o: WatchOptions): Promise<WatchResult> {
  const r = await watchOnce(session, p, live, o);
  if (!r.steady) {
    throw fail('systemd', 'crash-after-restart', { unit: live.unit, state: r.state, pid: live.mainPid, journal: r.journal.join('\n') });
  }
  return r;
}

async function watchOnce(session: SshSession, p: Privilege, live: Pick<LiveResult, 'unit' | 'mainPid'>, o: WatchOptions): Promise<WatchResult> {
  assertUnitName(live.unit);
  const ms = Math.max(0, Math.min(600_000, Math.ceil(o.settleMs)));
  const limit = Math.ceil(ms / 1000) + 30;
  const cmd = `timeout -k 5 ${limit} sh -c ${shQuote(WATCH_SCRIPT)} devkit-watch ${shQuote(live.unit)} ${Math.floor(live.mainPid)} ${clampLines(o.journalLines ?? 20)} ${ms}`;
  const r = await session.exec(privileged(p, cmd), { stdin: privilegedStdin(p) });
  checkExec(r, session, live.unit, limit, 'watch');
  const out = parseSections(r.stdout.toString('utf8'));
  const [res, state = 'unknown', pid = '0'] = (out.marks.get('watch') ?? 'died unknown 0').split(' ');
  return { steady: res === 'steady', state, mainPid: Number(pid) || 0, journal: journalLines(out.journal, o.secrets ?? []) };
}

/** The exec itself: the connection, sudo's refusal, the server-side time limit. */
export function checkExec(r: ExecResult, session: SshSession, unit: string, limit: number, step: string): void {
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, step });
  if (r.code === 0) return;
  const refused = sudoFailure(r, session.username);
  if (refused) throw refused;
  if (r.code === 124 || r.code === 137) throw fail('systemd', 'timeout', { unit, seconds: limit });
  throw fail('systemd', 'job-failed', { unit, evidence: r.stderr.split('\n')[0]?.trim() || `the remote script exited ${r.code}` });
}

export interface Sections {
  marks: Map<string, string>;
  props: Map<string, string>;
  err: string[];
  journal: string;
}

/** `@name value` marks, `Name=value` properties (by name: systemd prints them in its own order), the journal. */
export function parseSections(text: string): Sections {
  const marks = new Map<string, string>();
  const props = new Map<string, string>();
  const err: string[] = [];
  const at = text.indexOf('@journal\n');
  const head = at >= 0 ? text.slice(0, at) : text;
  for (const line of head.split('\n')) {
    const m = /^@(\w+) ?(.*)$/.exec(line);
    if (m?.[1] === 'err') err.push(m[2]);
    else if (m) marks.set(m[1], m[2]);
    else if (/^[A-Za-z]+=/.test(line)) props.set(line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1));
  }
  return { marks, props, err, journal: at >= 0 ? text.slice(at + '@journal\n'.length) : '' };
}

/** `EnvironmentFiles=/opt/app/.env (ignore_errors=no)` (several separated by spaces in one value). */
export function parseEnvironmentFiles(value: string): string[] {
  return [...value.matchAll(/(\S+) \(ignore_errors=(?:yes|no)\)/g)].map((m) => m[1]);
}

function proofNote(env: string, key: string, pid: number, old: number, files: string[], wd: string | undefined): string {
  const started = `a new main PID ${pid}${old ? ` (was ${old})` : ''} became active after the write`;
  switch (env) {
    case 'match':
      return `the SHA-256 of ${key} in /proc/${pid}/environ (read on the server) equals the new token's`;
    case 'skipped':
      return started;
    case 'unreadable':
      return `${started}; its environment cannot be read with this privilege, so the PID is the proof`;
    default:
      return files.length === 0
        ? `${started}; the unit has no EnvironmentFile= (the app reads its .env itself${wd && wd !== '/' ? ` in ${wd}` : ''}), so the PID is the proof`
        : `${started}; ${key} is not in its environment, so the PID is the proof`;
  }
}

export function clampLines(n: number): number {
  return Math.max(1, Math.min(10_000, Math.floor(n)));
}

function journalLines(text: string, secrets: string[]): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0 && !/^-- (No entries|Logs begin|Journal begins)/.test(l) && !/^Hint: |^ {6}/.test(l))
    .map((l) => redact(l, secrets));
}
