/**
 * How privileged commands run on the server (reference ssh-remote.md §4, §4.2, §4.3): every command behind
 * `env LC_ALL=C` so messages are matchable in any login shell; sudo either `-n` (no password) or
 * `-S -k -p ''` with the password as the first stdin line — validated alone first, because a wrong password
 * makes sudo read the following stdin lines (the secret payload) as more password attempts.
 */
import type { DevKitError } from '../errors/devkitError';
import { maskToken } from '../redact';
import type { ExecOptions, ExecResult, SshSession } from './session';
import { fail } from '../errors/fail';
import { inputError } from './targetRules';

export type SudoMode = 'auto' | 'nopasswd' | 'password' | 'none';

/** The way commands are actually run, decided by `preflight`. */
export interface Privilege {
  mode: 'nopasswd' | 'password' | 'none';
  /** Only for mode 'password'. */
  password?: string;
}

export interface PreflightOptions {
  mode: SudoMode;
  sudoPassword?: string;
}

/** Single-quotes an argument for any login shell (sh, bash, zsh, fish, tcsh); refuses what cannot be quoted safely. */
export function shQuote(arg: string): string {
  // tcsh expands `!` even inside single quotes; a quote or control character would need escapes some shells lack.
  if (/['!\p{Cc}]/u.test(arg)) throw new RangeError(`Refusing to pass ${JSON.stringify(arg)} to the remote shell.`);
  return `'${arg}'`;
}

const SAFE_PATH = /^\/[A-Za-z0-9._@%+=:,/ ~-]*$/;

/**
 * Absolute paths made of ordinary characters only, so quoting can never be broken. The stricter rules for a
 * push target (name, system directories) are in targetRules.ts; this one also admits the backups beside it.
 */
export function assertRemotePath(path: string): void {
  if (!SAFE_PATH.test(path) || /(^|\/)\.\.(\/|$)/.test(path)) {
    throw inputError('The path', `${JSON.stringify(path.slice(0, 80))} must be absolute and use only letters, digits, spaces and . _ @ % + = : , / ~ -`);
  }
}

/**
 * How privileged commands run, once decided for a session: sudo is validated once per connection (the read
 * phase or preflight does it) and every later step reuses the answer instead of asking the server again.
 */
const decided = new WeakMap<SshSession, { mode: SudoMode; password: string | undefined; privilege: Privilege }[]>();

export function knownPrivilege(session: SshSession, opts: PreflightOptions): Privilege | undefined {
  return decided.get(session)?.find((d) => d.mode === opts.mode && d.password === (opts.sudoPassword || undefined))?.privilege;
}

export function rememberPrivilege(session: SshSession, opts: PreflightOptions, privilege: Privilege): void {
  const list = decided.get(session) ?? [];
  decided.set(session, [
    ...list.filter((d) => !(d.mode === opts.mode && d.password === (opts.sudoPassword || undefined))),
    { mode: opts.mode, password: opts.sudoPassword || undefined, privilege },
  ]);
}

/** Forgets the session's privilege (sudo refused a command that was allowed before: the rules changed). */
export function forgetPrivilege(session: SshSession): void {
  decided.delete(session);
}

/**
 * A sudo password never shows up in text DevKit prints, not even masked to its first and last characters the
 * way redact() shows a token (a `password=…` field is masked that way before this runs).
 */
export function hidePassword(text: string, password: string | undefined): string {
  if (!password) return text;
  const hidden = text.split(password).join('[sudo password]');
  return password.length > 12 ? hidden.split(maskToken(password)).join('[sudo password]') : hidden;
}

/** The full command line for `cmd` (already quoted) under the given privilege. */
export function privileged(p: Privilege, cmd: string): string {
  switch (p.mode) {
    case 'none':
      return `env LC_ALL=C ${cmd}`;
    case 'nopasswd':
      return `env LC_ALL=C sudo -n ${cmd}`;
    case 'password':
      // -k: ignore cached credentials so sudo always consumes exactly one line; -p '': no prompt on stderr.
      return `env LC_ALL=C sudo -S -k -p '' ${cmd}`;
  }
}

/** stdin for a privileged command: the password line (password mode) followed by the payload. */
export function privilegedStdin(p: Privilege, payload?: Buffer | string): Buffer {
  const body = payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return p.mode === 'password' ? Buffer.concat([Buffer.from(`${p.password ?? ''}\n`), body]) : body;
}

export function runPrivileged(session: SshSession, p: Privilege, cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return session.exec(privileged(p, cmd), { ...opts, stdin: privilegedStdin(p, opts.stdin) });
}

/** sudo's own refusal (as opposed to the command's failure), or undefined. */
export function sudoFailure(r: ExecResult, user: string): DevKitError | undefined {
  if (r.code === 0 || r.code === undefined) return undefined;
  const e = r.stderr;
  const evidence = firstSudoLine(e);
  if (/must have a tty/i.test(e)) {
    return fail('sudo', 'tty-required', { user, evidence, fix: `Defaults:${user} !requiretty` });
  }
  if (/incorrect password attempt|Sorry, try again/i.test(e)) return fail('sudo', 'password-wrong', { user });
  if (/is not allowed to execute|is not in the sudoers file|may not run sudo/i.test(e)) return fail('sudo', 'not-allowed', { user, evidence });
  if (/a password is required|a terminal is required/i.test(e)) return fail('sudo', 'password-required', { user });
  if (r.code === 127 && /\bsudo\b/.test(e)) return fail('sudo', 'not-allowed', { user, reason: 'sudo is not installed on the server' });
  return undefined;
}

/**
 * The privilege a first privileged script is tried with on a fresh session: `sudo -n` (or none), so that the
 * script's own round trip also proves sudo and the quiet shell; a password is never sent before sudo asks.
 */
export function firstTry(opts: PreflightOptions): Privilege {
  return opts.mode === 'none' ? { mode: 'none' } : { mode: 'nopasswd' };
}

/**
 * After that first try was refused by sudo itself (`r`): the password, when one is given and sudo asks for it,
 * else preflight's precise reason. The answer is remembered for the session.
 */
export async function privilegeAfterRefusal(session: SshSession, opts: PreflightOptions, r: ExecResult): Promise<Privilege> {
  const p =
    opts.mode !== 'nopasswd' && opts.sudoPassword && sudoFailure(r, session.username)?.finding.code === 'password-required'
      ? await passwordPrivilege(session, opts, r)
      : await preflight(session, opts);
  rememberPrivilege(session, opts, p);
  return p;
}

/**
 * Checks the connection is usable before anything is read or written: a silent login shell, and a sudo that
 * works in the chosen mode. Returns how to run privileged commands from now on.
 */
export async function preflight(session: SshSession, opts: PreflightOptions): Promise<Privilege> {
  const known = knownPrivilege(session, opts);
  if (known) return known;
  const p = await decidePrivilege(session, opts);
  rememberPrivilege(session, opts, p);
  return p;
}

/**
 * One round trip in the usual case: `sudo -n true` both proves sudo works without a password and, printing
 * nothing itself, that the login shell is quiet. The other branches run only when that fails.
 */
async function decidePrivilege(session: SshSession, opts: PreflightOptions): Promise<Privilege> {
  if (opts.mode === 'none') {
    quietShell(session, await session.exec('true'));
    return { mode: 'none' };
  }
  const n = await session.exec('env LC_ALL=C sudo -n true');
  quietShell(session, n);
  // Works without a password: never send one (it would reach the command as its first stdin line).
  if (n.code === 0) return { mode: 'nopasswd' };
  if (n.code === 127 && opts.mode === 'auto' && (await session.exec('id -u')).stdout.toString().trim() === '0') return { mode: 'none' };
  return passwordPrivilege(session, opts, n);
}

/** After `sudo -n` failed: a password if one is given and needed, else the precise reason. */
export async function passwordPrivilege(session: SshSession, opts: PreflightOptions, n: ExecResult): Promise<Privilege> {
  const user = session.username;
  const refused = sudoFailure(n, user);
  if (!refused) throw fail('sudo', 'not-allowed', { user, evidence: firstSudoLine(n.stderr) || `sudo -n exited ${n.code}` });
  if (refused.finding.code !== 'password-required') throw refused;

  if (opts.mode === 'nopasswd' || !opts.sudoPassword) {
    // `sudo -n` says "password required" even for commands a narrow NOPASSWD-only sudoers does not allow at all.
    const list = await session.exec('env LC_ALL=C sudo -n -l');
    if (list.code === 0) throw fail('sudo', 'not-allowed', { user, evidence: 'sudo allows only specific commands (a narrow sudoers rule)' });
    throw refused;
  }
  if (/[\r\n]/.test(opts.sudoPassword)) throw fail('sudo', 'password-wrong', { user, reason: 'the password contains a line break' });
  const v = await session.exec(`env LC_ALL=C sudo -S -k -p '' true`, { stdin: `${opts.sudoPassword}\n` });
  if (v.code === 0) return { mode: 'password', password: opts.sudoPassword };
  if (v.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host });
  throw sudoFailure(v, user) ?? fail('sudo', 'not-allowed', { user, evidence: firstSudoLine(v.stderr) });
}

/** A login shell that prints before the command's own output would corrupt everything read back. */
export function quietShell(session: SshSession, r: ExecResult): void {
  if (r.code === undefined) throw fail('ssh', 'connection-lost', { host: session.host });
  if (r.stdout.length > 0) {
    throw fail('ssh', 'noisy-shell', { host: session.host, user: session.username, printed: r.stdout.toString('utf8').slice(0, 120).trim() });
  }
}

export function firstSudoLine(stderr: string): string {
  return stderr.split('\n').find((l) => l.startsWith('sudo:'))?.trim() ?? '';
}
