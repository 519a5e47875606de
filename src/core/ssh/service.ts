/**
 * Restarting the service and proving it runs (reference ssh-remote.md §3 "stopping a remote command", §4.4;
 * docs/systemd.md): the time limit lives on the server (`timeout -k 5 N`), because a signal from the client
 * cannot stop a command under sudo. "restart exited 0" is not "running": liveProof.ts restarts, waits for a new
 * main process and proves which token it holds in one remote script, then watches it for the settle window.
 */
import { redact } from '../redact';
import type { SshSession } from './session';
import { fail } from '../errors/fail';
import { type LiveResult, restartLive, watchService } from './liveProof';
import { type Privilege, privileged, privilegedStdin, runPrivileged, shQuote, sudoFailure } from './sudo';
import { inputError, unitNameProblem } from './targetRules';

/** A bad name never reaches the server; `--` before it in every systemctl call keeps it an operand regardless. */
export function assertUnitName(unit: string): void {
  const problem = unitNameProblem(unit);
  if (problem) throw inputError('The service', problem);
}

export interface RestartOptions {
  /** Server-side limit for `systemctl restart` and the proof; default 60 s. */
  timeoutSec?: number;
  /** How long the new process must stay up (watched on the server) before it counts as up; default 1500 ms, 0 skips. */
  settleMs?: number;
  journalLines?: number;
  /** Extra strings to mask in journal lines (the token just written). */
  secrets?: string[];
  /** The key and value written: the proof compares the running process's copy with them (hash on the server). */
  key?: string;
  value?: string;
  envPath?: string;
  /** Accepted for older callers; the watch now polls on the server, every 100 ms, in one remote script. */
  pollMs?: number;
  /** Told when the new token is live (before the settle window), and when the watch starts. */
  onPhase?: (phase: 'live' | 'watch', live: LiveResult) => void;
}

export interface RestartResult {
  state: string;
  journal: string[];
  live: LiveResult;
}

/** Restart → live proof → watch for the settle window: two remote scripts in all. */
export async function restartService(session: SshSession, p: Privilege, unit: string, opts: RestartOptions = {}): Promise<RestartResult> {
  assertUnitName(unit);
  const live = await restartLive(session, p, unit, {
    key: opts.key,
    value: opts.value,
    envPath: opts.envPath,
    timeoutSec: opts.timeoutSec,
    journalLines: opts.journalLines,
    secrets: opts.secrets,
  });
  opts.onPhase?.('live', live);
  const settleMs = opts.settleMs ?? 1500;
  if (settleMs > 0) {
    opts.onPhase?.('watch', live);
    await watchService(session, p, live, {
      settleMs,
      journalLines: opts.journalLines,
      secrets: [...(opts.value ? [opts.value] : []), ...(opts.secrets ?? [])],
    });
  }
  return { state: live.state, journal: live.journal, live };
}

/** `systemctl is-active` output: active, activating, failed, inactive, … (needs no sudo). */
export async function unitState(session: SshSession, unit: string): Promise<string> {
  assertUnitName(unit);
  const r = await session.exec(`env LC_ALL=C systemctl is-active -- ${shQuote(unit)}`);
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host });
  return r.stdout.toString('utf8').trim().split('\n').pop() || 'unknown';
}

/** The last `n` journal lines of the unit, with tokens masked; [] when there are none. */
export async function journal(session: SshSession, p: Privilege, unit: string, n = 20, secrets: string[] = []): Promise<string[]> {
  assertUnitName(unit);
  const count = Math.max(1, Math.min(10_000, Math.floor(n)));
  const r = await runPrivileged(session, p, `journalctl -u ${shQuote(unit)} -n ${count} --no-pager`);
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host });
  const refused = sudoFailure(r, session.username);
  if (refused) throw refused;
  return journalLines(r.stdout.toString('utf8'), secrets);
}

export interface FollowOptions {
  lines?: number;
  onLine: (line: string) => void;
  signal: AbortSignal;
  secrets?: string[];
}

/**
 * Streams new journal lines until `signal` aborts. Ending our stdin is the stop signal: a watcher in the remote
 * wrapper (root under sudo, so it may) kills journalctl when its `read` sees EOF — also when the connection
 * drops, since sshd closes the pipe then. A signal from the client could not stop a command under sudo.
 */
export async function followJournal(session: SshSession, p: Privilege, unit: string, opts: FollowOptions): Promise<'stopped' | 'ended' | 'connection-lost'> {
  assertUnitName(unit);
  const count = Math.max(0, Math.min(10_000, Math.floor(opts.lines ?? 10)));
  // journalctl replaces the shell (exec), so the watcher's $$ is journalctl itself; the watcher reads a saved
  // copy of stdin (fd 3) because a background job's own stdin is /dev/null. No `$!`: tcsh could expand it.
  const script = 'exec 3<&0; (read x <&3; kill $$) >/dev/null 2>&1 & exec journalctl -u "$1" -n "$2" -f --no-pager 3<&-';
  let partial = '';
  const r = await session.stream(privileged(p, `sh -c ${shQuote(script)} devkit-follow ${shQuote(unit)} ${count}`), {
    stdin: p.mode === 'password' ? privilegedStdin(p) : undefined,
    signal: opts.signal,
    onStdout: (chunk) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const l of journalLines(parts.join('\n'), opts.secrets ?? [])) opts.onLine(l);
    },
  });
  if (partial) for (const l of journalLines(partial, opts.secrets ?? [])) opts.onLine(l);
  if (r.code === undefined && !opts.signal.aborted) return 'connection-lost';
  if (!opts.signal.aborted) {
    const refused = sudoFailure({ ...r, stdout: Buffer.alloc(0) }, session.username);
    if (refused) throw refused;
    return 'ended';
  }
  return 'stopped';
}

function journalLines(text: string, secrets: string[]): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0 && !/^-- (No entries|Logs begin|Journal begins)/.test(l))
    .map((l) => redact(l, secrets));
}
