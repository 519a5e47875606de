/**
 * The SSH flags shared by push-env, logs, fix and keep-fresh (shared/contracts/cli.md). Each setting comes from
 * the flag, else the config file's `server` section (same names as the extension's `salesiq.remote.*`
 * settings), else `~/.ssh/config` for the alias given as the host, else a default. Secrets (sudo password, key
 * passphrase) come only from the environment.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REMOTE_DEFAULTS, SSH_PASSPHRASE_VAR, SUDO_MODES, SUDO_PASSWORD_VAR } from '../core/defaults';
import { DevKitError } from '../core/errors/devkitError';
import type { ConnectOptions } from '../core/ssh/connectOptions';
import { type JumpSpec, resolveJumps } from '../core/ssh/jumpHosts';
import { normalisePin } from '../core/ssh/knownHosts';
import { localSshEnv, openSshConfig, resolveSshHost, type SshHostConfig } from '../core/ssh/sshConfig';
import type { SudoMode } from '../core/ssh/sudo';
import { envKeyProblem, envPathProblem, hostProblem, unitNameProblem, userProblem } from '../core/ssh/targetRules';
import { type FlagSpec, UsageError } from './args';
import { BoundedReadError, readBoundedFile } from './boundedRead';
import { configProblem } from './config';
import { jumpHostsFor } from './jump';
import type { CliContext } from './context';

export const SSH_FLAGS: FlagSpec = {
  values: ['--host', '--port', '--user', '--identity', '--known-hosts', '--fingerprint', '--env-path', '--key', '--service', '--sudo'],
  switches: ['--no-restart', '--value-stdin', '--allow-any-name'],
};

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface ServerSettings {
  /** As given (may be a ~/.ssh/config alias); `host` is what is connected to. */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFile?: string;
  agent?: string;
  knownHostsFile?: string;
  fingerprint?: string;
  envPath: string;
  key: string;
  service: string;
  sudo: SudoMode;
  sudoPassword?: string;
  passphrase?: string;
  restart: boolean;
  backupsToKeep?: number;
  allowAnyName: boolean;
  /** ProxyJump hops from ~/.ssh/config, resolved with the rest (a bad ProxyJump fails before connecting). */
  jumps?: JumpSpec[];
}

/** True when a server to push to is configured (by flag or config file). */
export function hasServer(ctx: CliContext): boolean {
  return Boolean(ctx.parsed.values['--host'] ?? ctx.config.server?.host);
}

export function serverSettings(ctx: CliContext): ServerSettings {
  const flag = (name: string) => ctx.parsed.values[name];
  const file = (name: string) => {
    const v = ctx.config.server?.[name];
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const alias = flag('--host') ?? file('host');
  if (alias) refuse(alias, hostProblem, flag('--host') !== undefined ? '--host' : 'server.host (config file)');
  if (!alias) throw new DevKitError(configProblem('No server to connect to.', 'Pass --host HOST (an alias from ~/.ssh/config works), or set server.host in the config file.', 'no-server'));
  const home = ctx.env.HOME || os.homedir();
  const { sshCfg, jumps } = readSshConfig(ctx, home, alias);

  const sudo = flag('--sudo') ?? file('sudo') ?? REMOTE_DEFAULTS.sudo;
  if (!(SUDO_MODES as readonly string[]).includes(sudo)) throw new UsageError(`--sudo must be one of ${SUDO_MODES.join(', ')}`);
  const sudoPassword = ctx.env[SUDO_PASSWORD_VAR] || undefined;
  if (sudo === 'password' && !sudoPassword) throw new DevKitError(configProblem('The sudo password is missing.', `With --sudo password, set ${SUDO_PASSWORD_VAR} in the environment (never as a flag).`, 'no-sudo-password'));

  const identityFile = flag('--identity') ?? file('identityFile') ?? firstExisting(sshCfg.identityFiles);
  const agent = identityFile ? undefined : agentSocket(sshCfg, ctx.env);
  const s: ServerSettings = {
    alias,
    host: sshCfg.hostName,
    port: port(flag('--port'), file('port'), sshCfg.port),
    user: flag('--user') ?? file('user') ?? sshCfg.user ?? ctx.env.USER ?? os.userInfo().username,
    envPath: flag('--env-path') ?? file('envPath') ?? file('envFile') ?? REMOTE_DEFAULTS.envPath,
    key: flag('--key') ?? file('key') ?? ctx.profile.envKey,
    service: flag('--service') ?? file('service') ?? REMOTE_DEFAULTS.service,
    sudo: sudo as SudoMode,
    restart: !ctx.parsed.switches.has('--no-restart') && ctx.config.server?.restart !== false,
    allowAnyName: ctx.parsed.switches.has('--allow-any-name') || ctx.config.server?.allowAnyName === true,
  };
  checkTarget(s, (name) => flag(name) !== undefined);
  const fallbackKey = !identityFile && !agent ? firstExisting(DEFAULT_KEYS.map((k) => path.join(home, '.ssh', k))) : undefined;
  if (identityFile ?? fallbackKey) s.identityFile = identityFile ?? fallbackKey;
  if (agent) s.agent = agent;
  const knownHosts = flag('--known-hosts') ?? file('knownHostsFile') ?? firstExisting([path.join(home, '.ssh', 'known_hosts')]);
  if (knownHosts) s.knownHostsFile = knownHosts;
  const pin = flag('--fingerprint') ?? file('hostFingerprint');
  if (pin) s.fingerprint = fingerprint(pin);
  if (sudoPassword) s.sudoPassword = sudoPassword;
  const passphrase = ctx.env[SSH_PASSPHRASE_VAR];
  if (passphrase) s.passphrase = passphrase;
  const keep = Number(file('backupsToKeep'));
  if (Number.isInteger(keep) && keep > 0) s.backupsToKeep = keep;
  if (jumps.length) s.jumps = jumps;
  return s;
}

/**
 * Every string that reaches the server is checked here, before any connection: a bad one is a usage error
 * (exit 2) naming the flag, or the config file key it came from.
 */
function checkTarget(s: ServerSettings, fromFlag: (name: string) => boolean): void {
  const src = (f: string, key: string) => (fromFlag(f) ? f : `server.${key} (config file)`);
  refuse(s.user, userProblem, src('--user', 'user'));
  refuse(s.envPath, (p) => envPathProblem(p, { allowAnyName: s.allowAnyName }), src('--env-path', 'envPath'));
  refuse(s.key, envKeyProblem, src('--key', 'key'));
  refuse(s.service, unitNameProblem, src('--service', 'service'));
}

function refuse(value: string, problem: (v: string) => string | undefined, what: string): void {
  const why = problem(value);
  if (!why) return;
  const hint = what.startsWith('--env-path') && /not a \.env file name/.test(why) ? ' (or add --allow-any-name)' : '';
  throw new UsageError(`${what}: ${why}${hint}`);
}

/** What `connect` needs; reads the key and known_hosts files now, so a wrong path fails before any network. */
export function connectOptions(s: ServerSettings): ConnectOptions {
  const o: ConnectOptions = { host: s.host, port: s.port, username: s.user, readyTimeoutMs: 20_000 };
  if (s.identityFile) o.privateKey = readSetting(s.identityFile, '--identity', 64 * 1024);
  if (s.passphrase) o.passphrase = s.passphrase;
  if (s.agent) o.agent = s.agent;
  if (s.knownHostsFile) o.knownHostsText = readSetting(s.knownHostsFile, '--known-hosts', 16 * 1024 * 1024).toString('utf8');
  if (s.fingerprint) o.pinnedFingerprint = s.fingerprint;
  const jump = jumpHostsFor(s, o.knownHostsText ?? '');
  if (jump.length) o.jump = jump;
  return o;
}

/** "deploy@host:/opt/app/.env", for human output. */
export function where(s: ServerSettings, file = s.envPath): string {
  return `${s.user}@${s.alias}${s.port === REMOTE_DEFAULTS.port ? '' : `:${s.port}`}:${file}`;
}

/** The alias and its ProxyJump hops from ~/.ssh/config (absent: the host as given); its warnings on stderr. */
function readSshConfig(ctx: CliContext, home: string, alias: string): { sshCfg: SshHostConfig; jumps: JumpSpec[] } {
  const cfg = openSshConfig(home);
  const env = localSshEnv(home, ctx.env);
  const sshCfg = resolveSshHost(cfg, alias, env);
  const warnings = [...sshCfg.warnings];
  const jumps = resolveJumps(cfg, alias, env, warnings);
  for (const w of new Set(warnings)) ctx.io.stderr(`warning: ${w}`);
  return { sshCfg, jumps };
}

function agentSocket(cfg: SshHostConfig, env: NodeJS.ProcessEnv): string | undefined {
  const a = cfg.identityAgent;
  if (a && /^none$/i.test(a)) return undefined;
  if (a && !/^SSH_AUTH_SOCK$/i.test(a)) return a;
  return env.SSH_AUTH_SOCK || undefined;
}

function port(...candidates: (string | number | undefined)[]): number {
  const given = candidates.find((c) => c !== undefined);
  if (given === undefined) return REMOTE_DEFAULTS.port;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port must be a number from 1 to 65535 (got "${given}")`);
  return n;
}

function fingerprint(pin: string): string {
  const p = normalisePin(pin);
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(p)) throw new UsageError(`--fingerprint must look like SHA256:<43 base64 characters> (as ssh-keygen -lf prints it)`);
  return p;
}

function firstExisting(files: string[]): string | undefined {
  return files.find((f) => fs.existsSync(f));
}

/** A local file named by a flag (a key, known_hosts), read only if it is a regular file of sane size. */
function readSetting(file: string, flag: string, maxBytes: number): Buffer {
  try {
    return readBoundedFile(file, maxBytes);
  } catch (e) {
    if (!(e instanceof BoundedReadError)) throw e;
    if (e.refusal === 'unreadable') throw new DevKitError(configProblem(`Cannot read ${file} (${flag}).`, `Check the path: ${e.code}.`, 'unreadable-file'));
    throw new UsageError(`${flag}: ${e.message}${e.refusal === 'too-large' ? '; it is not a key or known_hosts file' : ''}`);
  }
}
