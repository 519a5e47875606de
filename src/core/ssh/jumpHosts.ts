/**
 * The jump hosts of a server from `~/.ssh/config` ProxyJump, as OpenSSH reaches them (docs/ssh.md § Servers
 * behind a bastion): each hop `[user@]host[:port]` with its own Host block applied (HostName, User, Port,
 * IdentityFile), the first hop's own ProxyJump followed before it, each checked against known_hosts only
 * (the pin is for the final server). Used by the CLI (src/cli/jump.ts) and VS Code (src/vscode/remote/target.ts).
 */
import type { JumpHost } from './connectOptions';
import { resolveSshHost, type SshConfig, type SshConfigEnv } from './sshConfig';
import { readRegularFile } from './sshConfigFiles';
import { sshConfigProblem } from './sshConfigProblem';

/** A longer chain is a loop in the config (a hop whose own ProxyJump leads back), not a network. */
const MAX_HOPS = 8;
const MAX_KEY_BYTES = 64 * 1024;

export interface JumpSpec {
  /** As written in ProxyJump (an alias or a host name). */
  name: string;
  host: string;
  port?: number;
  user?: string;
  identityFiles: string[];
}

/**
 * The hops in connection order. OpenSSH runs `ssh -W` to the last hop with the others as `-J`, down to the
 * first hop, which it reaches with that hop's own ProxyJump; the other hops' own ProxyJump is overridden.
 */
export function resolveJumps(cfg: SshConfig, alias: string, env: SshConfigEnv, warnings: string[] = []): JumpSpec[] {
  return hopsOf(cfg, alias, env, warnings, 0);
}

function hopsOf(cfg: SshConfig, alias: string, env: SshConfigEnv, warnings: string[], depth: number): JumpSpec[] {
  const spec = resolveSshHost(cfg, alias, env).proxyJump;
  if (!spec) return [];
  const hops = spec.split(',').map((raw) => hop(cfg, raw, env, warnings));
  if (depth + hops.length > MAX_HOPS) {
    throw sshConfigProblem(`the ProxyJump chain of ${alias} is longer than ${MAX_HOPS} hops`, 'A jump host\'s own ProxyJump probably leads back: correct the loop.', 'bad-proxyjump');
  }
  return [...hopsOf(cfg, hops[0].name, env, warnings, depth + hops.length), ...hops];
}

function hop(cfg: SshConfig, raw: string, env: SshConfigEnv, warnings: string[]): JumpSpec {
  const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:\s/]+)(?::(\d+))?\/?$/.exec(raw.trim());
  if (!m) throw sshConfigProblem(`ProxyJump hop "${raw}" is not [user@]host[:port]`, 'Write ProxyJump as [user@]host[:port], several separated by commas.', 'bad-proxyjump');
  const name = m[2].replace(/^\[|\]$/g, '');
  const own = resolveSshHost(cfg, name, env);
  warnings.push(...own.warnings);
  const spec: JumpSpec = { name, host: own.hostName, identityFiles: own.identityFiles };
  const user = m[1] ?? own.user;
  if (user) spec.user = user;
  const port = m[3] ? Number(m[3]) : own.port;
  if (port && port > 0 && port < 65536) spec.port = port;
  return spec;
}

export interface JumpCredentials {
  /** The server's key, offered to a hop whose own IdentityFile names no existing file. */
  identityFile?: string;
  /** Used only with `identityFile`. */
  passphrase?: string;
  agent?: string;
  knownHostsText: string;
  /** For a hop with no User: the local user, as ssh does. */
  defaultUser: string;
}

/** The hops of `alias` as `connect` takes them (resolveJumps, then jumpHosts). */
export function jumpHostsFor(cfg: SshConfig, alias: string, env: SshConfigEnv, creds: JumpCredentials, warnings?: string[]): JumpHost[] {
  return jumpHosts(resolveJumps(cfg, alias, env, warnings), creds);
}

/** Resolved hops as `connect` takes them; each key file read bounded (a regular file of at most 64 KiB). */
export function jumpHosts(specs: JumpSpec[], creds: JumpCredentials): JumpHost[] {
  return specs.map((h) => {
    const hop: JumpHost = { host: h.host, username: h.user ?? creds.defaultUser, knownHostsText: creds.knownHostsText };
    if (h.port) hop.port = h.port;
    const own = firstKey(h.identityFiles);
    const key = own ?? (creds.identityFile ? { file: creds.identityFile, buf: readKey(creds.identityFile) } : undefined);
    if (key?.buf) hop.privateKey = key.buf;
    if (key && key.file === creds.identityFile && creds.passphrase) hop.passphrase = creds.passphrase;
    if (creds.agent) hop.agent = creds.agent;
    return hop;
  });
}

function firstKey(files: string[]): { file: string; buf: Buffer } | undefined {
  for (const file of files) {
    const buf = readKey(file);
    if (buf) return { file, buf };
  }
  return undefined;
}

function readKey(file: string): Buffer | undefined {
  return readRegularFile(file, MAX_KEY_BYTES, 'identity file');
}
