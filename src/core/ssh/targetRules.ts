/**
 * What a push may touch, checked before any connection is made (docs/ssh.md "What a target may be"): the
 * same rules for CLI flags, the CLI config file and the VS Code settings. Each check returns why a value is
 * refused (a sentence), or undefined; the front ends name their own flag or setting in front of it.
 */
import { validateEnvKey, validateEnvValue } from '../dotenv/setKey';
import { DevKitError } from '../errors/devkitError';
import type { Finding } from '../errors/finding';

/** The largest `.env` DevKit reads or writes: a real one is a few KiB; a device or a log is not a target. */
export const MAX_ENV_BYTES = 1024 * 1024;

/** Trees that hold the system itself: a token never belongs there, whatever sudo would allow. */
export const SYSTEM_DIRS = ['/etc', '/proc', '/sys', '/dev', '/boot', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** Characters that survive single quotes in every login shell (sh, bash, zsh, fish, tcsh) unchanged. */
const PATH_CHARS = /^[A-Za-z0-9._@%+=:,/ ~-]*$/;
const UNIT = /^[A-Za-z0-9@._:-]+$/;
const HOST = /^[A-Za-z0-9._%:[\]-]+$/;
const USER = /^[A-Za-z0-9._@-]+\$?$/;

/** DevKit's own files beside the target: its backups (14 digits), temp files. Never a target themselves. */
export const BACKUP_SUFFIX = /\.bak-\d{14}$/;
const OWN_FILE = /(\.bak-\d{14}|\.devkit-[A-Za-z0-9]{6})$/;

export interface PathRuleOptions {
  /** Lift the name rule (`.env`, `*.env`, `.env.*`); the other rules stay. */
  allowAnyName?: boolean;
}

export function envPathProblem(path: string, opts: PathRuleOptions = {}): string | undefined {
  if (typeof path !== 'string' || path === '') return 'the path is empty';
  if (path.length > 4096) return 'the path is longer than 4096 characters';
  if (!path.startsWith('/')) return `"${printable(path)}" is not an absolute path (it must start with /)`;
  if (!PATH_CHARS.test(path)) {
    const bad = [...path].find((c) => !PATH_CHARS.test(c)) ?? '?';
    return `the path contains ${describeChar(bad)}; only letters, digits, spaces and . _ @ % + = : , / ~ - are accepted`;
  }
  if (path.endsWith('/')) return `"${path}" names a directory (it ends with /); give the file itself`;
  if (/(^|\/)\.\.?(\/|$)/.test(path) || path.includes('//')) return `"${path}" contains . or .. segments or a double slash; give the plain absolute path`;
  const dir = SYSTEM_DIRS.find((d) => path === d || path.startsWith(`${d}/`));
  if (dir) return `"${path}" is under ${dir}, a system directory: DevKit never writes there`;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (OWN_FILE.test(name)) return `"${name}" is one of DevKit's own backup or temporary files, not a target`;
  if (!opts.allowAnyName && !isEnvName(name)) return `"${name}" is not a .env file name (.env, NAME.env or .env.NAME)`;
  return undefined;
}

export function isEnvName(name: string): boolean {
  return name === '.env' || (name.endsWith('.env') && name.length > 4) || (name.startsWith('.env.') && name.length > 5);
}

/** A key the shell and every dotenv dialect read the same way. */
export const envKeyProblem = validateEnvKey;
/** A value that no shell or dotenv parser reads specially (token characters only, one line, ≤ 4096). */
export const envValueProblem = validateEnvValue;

/** A systemd unit name that no tool can take for an option. */
export function unitNameProblem(unit: string): string | undefined {
  if (typeof unit !== 'string' || unit === '') return 'the service name is empty';
  if (unit.length > 256) return 'the service name is longer than 256 characters';
  if (unit.startsWith('-')) return `"${printable(unit)}" starts with "-", so systemctl would read it as an option`;
  if (!UNIT.test(unit)) return `"${printable(unit)}" is not a systemd unit name (letters, digits and @ . _ : -)`;
  return undefined;
}

export function hostProblem(host: string): string | undefined {
  if (typeof host !== 'string' || host === '') return 'the host is empty';
  if (host.length > 255) return 'the host is longer than 255 characters';
  if (host.startsWith('-')) return `"${printable(host)}" starts with "-"`;
  if (!HOST.test(host)) return `"${printable(host)}" is not a host name, address or ~/.ssh/config alias`;
  return undefined;
}

export function userProblem(user: string): string | undefined {
  if (typeof user !== 'string' || user === '') return 'the user is empty';
  if (user.length > 64) return 'the user name is longer than 64 characters';
  if (user.startsWith('-')) return `"${printable(user)}" starts with "-"`;
  if (!USER.test(user)) return `"${printable(user)}" is not a user name (letters, digits and . _ @ -)`;
  return undefined;
}

/** A refused input, worded for what it is: `what` names the flag or setting, `problem` says why. */
export function inputError(what: string, problem: string, fix?: string): DevKitError {
  const f: Finding = {
    source: 'unknown',
    code: 'invalid-input',
    httpStatus: null,
    category: 'config',
    action: 'fix-config',
    retryable: false,
    title: `${what}: ${problem}.`,
    explanation: `${fix ?? `Correct ${what}.`} Nothing was sent to the server.`,
    details: { input: what },
  };
  return new DevKitError(f);
}

/** Shows control characters and the like by name, so a message never carries them raw. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.slice(0, 80).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (c === "'") return 'a single quote';
  if (code < 0x20 || code === 0x7f) return `a control character (0x${code.toString(16).padStart(2, '0')})`;
  return `the character ${JSON.stringify(c)}`;
}
