/**
 * Where and how to connect, from the settings plus the local SSH files: a `~/.ssh/config` alias (HostName,
 * User, Port, IdentityFile, IdentityAgent, ProxyJump: docs/ssh.md § ~/.ssh/config), the identity file or the
 * agent, known_hosts and the pin (the pin is for the server; jump hosts are checked against known_hosts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { JumpHost } from '../../core/ssh/connectOptions';
import { envPathProblem, hostProblem, inputError, unitNameProblem, userProblem } from '../../core/ssh/targetRules';
import { notConfigured } from './findings';
import { loadSshConfig } from './lazySshConfig';
import type { RemoteSettings } from './remoteSettings';

export interface Target {
  host: string;
  port: number;
  user: string;
  /** Absolute path of the private key to offer, if any. */
  identityFile?: string;
  /** ssh-agent socket, if any. */
  agent?: string;
  knownHostsFile: string;
  knownHostsText: string;
  pin?: string;
  /** The `salesiq.remote.servers` entry this target comes from (where "Trust and pin" stores the pin). */
  serverName?: string;
  /** ProxyJump hops from ~/.ssh/config, in connection order. */
  jump?: JumpHost[];
  /** What ~/.ssh/config held that DevKit skipped (a Match exec block, a ProxyCommand…), for the log. */
  warnings: string[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function resolveTarget(s: RemoteSettings): Target {
  if (!s.host) throw notConfigured('no server', 'Set salesiq.remote.host to the server (a host name or a Host alias from ~/.ssh/config).');
  checkRemoteSettings(s);
  const home = os.homedir();
  const localUser = safeUserName();
  const { openSshConfig, localSshEnv, resolveSshHost, jumpHostsFor } = loadSshConfig();
  const sshConfig = openSshConfig(home);
  const env = localSshEnv(home);
  const alias = resolveSshHost(sshConfig, s.host, env);
  const agent = agentSocket(alias.identityAgent);
  const identityFile = s.identityFile ? expandHome(s.identityFile) : pickIdentity(alias.identityFiles, agent, home);
  if (s.identityFile && !fs.existsSync(identityFile!)) {
    throw notConfigured(`the identity file ${identityFile} does not exist`, 'Point salesiq.remote.identityFile at your private key (e.g. ~/.ssh/id_ed25519), or leave it empty to use the ssh-agent.');
  }
  if (!identityFile && !agent) {
    throw notConfigured('no SSH key', 'Set salesiq.remote.identityFile to your private key, or start an ssh-agent (SSH_AUTH_SOCK) holding it.');
  }
  const knownHostsFile = expandHome(s.knownHostsFile);
  const target: Target = {
    host: alias.hostName,
    // The setting wins unless left at the default 22, so an alias's Port applies.
    port: s.port !== 22 ? s.port : (alias.port ?? 22),
    user: s.user || alias.user || localUser,
    knownHostsFile,
    knownHostsText: readKnownHosts(knownHostsFile),
    warnings: [...alias.warnings],
  };
  if (identityFile) target.identityFile = identityFile;
  if (agent) target.agent = agent;
  if (s.hostFingerprint) target.pin = s.hostFingerprint;
  if (s.serverName) target.serverName = s.serverName;
  const creds = { knownHostsText: target.knownHostsText, defaultUser: localUser, ...(identityFile ? { identityFile } : {}) };
  const jump = jumpHostsFor(sshConfig, s.host, env, agent ? { ...creds, agent } : creds, target.warnings);
  if (jump.length) target.jump = jump;
  target.warnings = [...new Set(target.warnings)];
  return target;
}

/**
 * Settings are input like any flag: the same rules as the CLI, checked before anything connects, each refusal
 * naming the setting to correct.
 */
export function checkRemoteSettings(s: Pick<RemoteSettings, 'host' | 'user' | 'envPath' | 'service'>): void {
  const checks: [string, string | undefined, string?][] = [
    ['salesiq.remote.host', hostProblem(s.host)],
    ['salesiq.remote.user', s.user ? userProblem(s.user) : undefined],
    ['salesiq.remote.envPath', envPathProblem(s.envPath), 'Set salesiq.remote.envPath to the absolute path of the .env file on the server (named .env, NAME.env or .env.NAME, not under /etc, /usr or another system directory).'],
    ['salesiq.remote.service', unitNameProblem(s.service), 'Set salesiq.remote.service to the systemd unit name exactly as `systemctl list-units --type=service` shows it.'],
  ];
  for (const [setting, problem, fix] of checks) if (problem) throw inputError(setting, problem, fix ?? `Correct ${setting}.`);
}

export const targetLabel = (t: Pick<Target, 'user' | 'host' | 'port'>): string => `${t.user}@${t.host}${t.port === 22 ? '' : `:${t.port}`}`;

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : path.resolve(p);
}

function pickIdentity(fromAlias: string[], agent: string | undefined, home: string): string | undefined {
  const found = fromAlias.find((f) => fs.existsSync(f));
  if (found || agent) return found;
  return DEFAULT_KEYS.map((k) => path.join(home, '.ssh', k)).find((f) => fs.existsSync(f));
}

function agentSocket(identityAgent: string | undefined): string | undefined {
  if (identityAgent && /^none$/i.test(identityAgent)) return undefined;
  if (identityAgent && !/^SSH_AUTH_SOCK$/i.test(identityAgent)) return identityAgent;
  return process.env.SSH_AUTH_SOCK || undefined;
}

/** A missing known_hosts is empty (every host unknown); an unreadable one stops: failing open would trust anything. */
function readKnownHosts(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw notConfigured(`the known_hosts file ${file} cannot be read (${(e as NodeJS.ErrnoException).code})`, 'Fix its permissions or point salesiq.remote.knownHostsFile elsewhere; DevKit will not skip the host-key check.');
  }
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}
