/**
 * Restarting the service and proving it stayed up (reference ssh-remote.md §3 "stopping a remote command",
 * §4.4): the time limit lives on the server (`timeout -k 5 N`), because a signal from the client cannot stop a
 * command under sudo; "restart exited 0" is not "running", so the state is polled until it holds steady.
 */
import { type Clock, sleep, systemClock } from '../clock';
import { redact } from '../redact';
import type { SshSession } from './connection';
import { fail } from './fail';
import { type Privilege, privileged, privilegedStdin, runPrivileged, shQuote, sudoFailure } from './sudo';
import { inputError, unitNameProblem } from './targetRules';

/** A bad name never reaches the server; `--` before it in every systemctl call keeps it an operand regardless. */
export function assertUnitName(unit: string): void {
  const problem = unitNameProblem(unit);
  if (problem) throw inputError('The service', problem);
}

export interface RestartOptions {
  /** Server-side limit for `systemctl restart`; default 60 s. */
  timeoutSec?: number;
  /** How long the unit must stay active before it counts as up; default 1500 ms. */
  settleMs?: number;
  /** Give up waiting for 'active' after this long; default 15 s. */
  maxWaitMs?: number;
  pollMs?: number;
  journalLines?: number;
  clock?: Clock;
  /** Extra strings to mask in journal lines (the token just written). */
  secrets?: string[];
  /** Told when the restart is done and the state polling starts, and when the journal is read. */
  onPhase?: (phase: 'verify' | 'journal') => void;
}

export interface RestartResult {
  state: string;
  journal: string[];
}

export async function restartService(session: SshSession, p: Privilege, unit: string, opts: RestartOptions = {}): Promise<RestartResult> {
  assertUnitName(unit);
  const limit = Math.max(1, Math.floor(opts.timeoutSec ?? 60));
  const r = await runPrivileged(session, p, `timeout -k 5 ${limit} systemctl restart -- ${shQuote(unit)}`);
  const lines = async (): Promise<string[]> => {
    opts.onPhase?.('journal');
    return journal(session, p, unit, opts.journalLines ?? 20, opts.secrets).catch(() => []);
  };
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host, step: 'restart' });
  if (r.code !== 0) {
    const refused = sudoFailure(r, session.username);
    if (refused) throw refused;
    if (r.code === 124 || r.code === 137) throw fail('systemd', 'timeout', { unit, seconds: limit });
    const e = r.stderr;
    if (/Interactive authentication required/i.test(e)) throw fail('systemd', 'interactive-auth', { unit });
    if (/not found|could not be found|not loaded/i.test(e)) throw fail('systemd', 'unit-not-found', { unit });
    throw fail('systemd', 'job-failed', { unit, evidence: e.split('\n')[0]?.trim(), journal: (await lines()).join('\n') });
  }
  opts.onPhase?.('verify');
  const { state, wasActive } = await waitActive(session, unit, opts);
  if (state === 'active') return { state, journal: await lines() };
  const journalText = (await lines()).join('\n');
  // Restart said yes, then the unit failed or fell out of 'active': it crashed after starting.
  if (state === 'failed' || wasActive) throw fail('systemd', 'crash-after-restart', { unit, state, journal: journalText });
  throw fail('systemd', 'inactive', { unit, state, journal: journalText });
}

/** `systemctl is-active` output: active, activating, failed, inactive, … (needs no sudo). */
export async function unitState(session: SshSession, unit: string): Promise<string> {
  assertUnitName(unit);
  const r = await session.exec(`env LC_ALL=C systemctl is-active -- ${shQuote(unit)}`);
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host });
  return r.stdout.toString('utf8').trim().split('\n').pop() || 'unknown';
}

/**
 * Polls until the unit has been active for `settleMs` (state 'active'); stops at once on 'failed', or with the
 * last state when `maxWaitMs` runs out.
 */
async function waitActive(session: SshSession, unit: string, opts: RestartOptions): Promise<{ state: string; wasActive: boolean }> {
  const clock = opts.clock ?? systemClock;
  const settle = opts.settleMs ?? 1500;
  const poll = Math.max(50, opts.pollMs ?? 250);
  const deadline = clock.now() + Math.max(settle, opts.maxWaitMs ?? 15_000);
  let activeSince: number | undefined;
  let wasActive = false;
  for (;;) {
    const state = await unitState(session, unit);
    const now = clock.now();
    if (state === 'failed') return { state, wasActive };
    if (state === 'active') {
      wasActive = true;
      activeSince ??= now;
      if (now - activeSince >= settle) return { state, wasActive };
    } else {
      activeSince = undefined;
    }
    if (now >= deadline) return { state, wasActive };
    await sleep(clock, poll);
  }
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
