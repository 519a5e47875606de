/**
 * `~/.ssh/config` resolved for one host as OpenSSH resolves it, for the parts DevKit uses (docs/ssh.md
 * § ~/.ssh/config): `Include` (globs, relative to ~/.ssh, depth 16), `Host` patterns with `*`/`?`/`!`,
 * `Match host|originalhost|user|localuser|all` (any other criterion, `exec` always, skips its block with a
 * warning: nothing is ever run), first obtained value wins, IdentityFile accumulates. The `ssh-config` package
 * parses each file; the evaluation is ours, because its own evaluates `Match exec` by running it.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'ssh-config';
import type { Line } from 'ssh-config';
import { localConfigFiles, MAX_CONFIG_FILE_BYTES, type SshConfigFiles } from './sshConfigFiles';
import { sshConfigProblem } from './sshConfigProblem';
import { expandTokens, hostPatternsMatch, patternListMatches, type SshConfigEnv } from './sshConfigTokens';

export type { SshConfigEnv } from './sshConfigTokens';

/** OpenSSH's READCONF_MAX_DEPTH: an Include nested deeper is an error (a loop, most likely). */
const MAX_INCLUDE_DEPTH = 16;
/** Bounds on what one resolution reads through Include, on top of each file's own size bound. */
const MAX_FILES = 256;
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;
/** OpenSSH's SSH_MAX_IDENTITY_FILES. */
const MAX_IDENTITY_FILES = 100;

/** A config file and everything it may Include, each file read and parsed once. */
export interface SshConfig {
  readonly file: string;
  readonly homeDir: string;
  lines(file: string): Line[] | undefined;
  /** The files an Include glob names, sorted. */
  glob(pattern: string): string[];
}

/** `~/.ssh/config` of `homeDir`, read on first use through `files` (bounded local reads by default). */
export function openSshConfig(homeDir: string, files: SshConfigFiles = localConfigFiles()): SshConfig {
  return cachedConfig(path.join(homeDir, '.ssh', 'config'), homeDir, files);
}

/** A config given as text (tests, or a caller that read it itself); an Include in it finds nothing. */
export function sshConfigFromText(text: string, homeDir: string): SshConfig {
  const file = path.join(homeDir, '.ssh', 'config');
  return cachedConfig(file, homeDir, { read: (f) => (f === file ? text : undefined), glob: () => [] });
}

function cachedConfig(file: string, homeDir: string, files: SshConfigFiles): SshConfig {
  const parsed = new Map<string, Line[] | undefined>();
  let bytes = 0;
  return {
    file,
    homeDir,
    lines(f) {
      if (parsed.has(f)) return parsed.get(f);
      if (parsed.size >= MAX_FILES) throw sshConfigProblem(`more than ${MAX_FILES} files through Include`, 'Include fewer files.');
      const text = files.read(f);
      bytes += text?.length ?? 0;
      if (bytes > MAX_TOTAL_BYTES) throw sshConfigProblem(`more than ${MAX_TOTAL_BYTES} bytes through Include`, 'Include fewer or smaller files.');
      const lines = text === undefined ? undefined : parseFile(f, text);
      parsed.set(f, lines);
      return lines;
    },
    glob: (pattern) => files.glob(pattern),
  };
}

function parseFile(file: string, text: string): Line[] {
  if (text.length > MAX_CONFIG_FILE_BYTES) throw sshConfigProblem(`${file} is larger than ${MAX_CONFIG_FILE_BYTES} bytes`, 'Check the path.');
  try {
    return [...parse(text)];
  } catch (e) {
    throw sshConfigProblem(`${file} cannot be parsed (${(e as Error).message})`, 'Correct the line ssh -G also rejects.');
  }
}

/** The values as OpenSSH obtains them, before `~` and `%` expansion of files (what `ssh -G` prints). */
export interface SshHostValues {
  /** HostName with `%h` expanded, else the alias; lower-cased as ssh does. */
  hostName: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identityAgent?: string;
  /** ProxyJump as written, absent for none. */
  proxyJump?: string;
  /** What the caller should show: blocks skipped, values ignored. */
  warnings: string[];
}

/** The same fields, with IdentityFile and IdentityAgent expanded. */
export type SshHostConfig = SshHostValues;

export function sshHostValues(cfg: SshConfig, alias: string, env: SshConfigEnv): SshHostValues {
  const ev = new Evaluation(cfg, alias, env);
  ev.file(cfg.file, 0);
  return ev.result();
}

/** The host's values with IdentityFile and IdentityAgent expanded (`~`, `%` tokens: sshConfigTokens.ts). */
export function resolveSshHost(cfg: SshConfig, alias: string, env: SshConfigEnv): SshHostConfig {
  const v = sshHostValues(cfg, alias, env);
  const tokens = { host: v.hostName, originalHost: alias, port: v.port ?? 22, remoteUser: v.user ?? env.localUser ?? '' };
  const warnings = [...v.warnings];
  const expand = (what: string, value: string) => {
    const r = expandTokens(value, env, tokens);
    if (r.unsupported) warnings.push(`${what} ${value}: ${r.unsupported} is not expanded by DevKit; that entry is skipped`);
    return r.unsupported ? undefined : r.value;
  };
  const result: SshHostConfig = { ...v, identityFiles: v.identityFiles.map((f) => expand('IdentityFile', f)).filter((f): f is string => f !== undefined), warnings };
  if (v.identityAgent !== undefined) {
    const a = v.identityAgent;
    const agent = /^(none|SSH_AUTH_SOCK)$/i.test(a) ? a : a.startsWith('$') ? env.vars?.[a.slice(1)] : expand('IdentityAgent', a);
    if (agent) result.identityAgent = agent;
    else delete result.identityAgent;
  }
  return result;
}

type Proxy = { kind: 'proxyjump' | 'proxycommand'; value: string };

/** One walk over the config for one host: the state OpenSSH's readconf keeps while it reads. */
class Evaluation {
  private readonly first = new Map<string, string>();
  private proxy: Proxy | undefined;
  private readonly identityFiles: string[] = [];
  private readonly warnings: string[] = [];

  constructor(
    private readonly cfg: SshConfig,
    private readonly alias: string,
    private readonly env: SshConfigEnv,
  ) {}

  file(file: string, depth: number): void {
    if (depth > MAX_INCLUDE_DEPTH) throw sshConfigProblem(`Include nested more than ${MAX_INCLUDE_DEPTH} deep at ${file}`, 'Remove the Include loop.');
    const lines = this.cfg.lines(file);
    if (lines) this.walk(lines, file, depth);
  }

  result(): SshHostValues {
    const r: SshHostValues = { hostName: this.hostSoFar().toLowerCase(), identityFiles: this.identityFiles, warnings: this.warnings };
    const user = this.first.get('user');
    if (user !== undefined) r.user = user;
    const port = this.first.get('port');
    if (port !== undefined) {
      const n = Number(port);
      if (/^\d+$/.test(port) && n > 0 && n < 65536) r.port = n;
      else this.warnings.push(`Port ${port} is not a port number; ignored`);
    }
    const agent = this.first.get('identityagent');
    if (agent !== undefined) r.identityAgent = agent;
    if (this.proxy?.kind === 'proxyjump' && !/^none$/i.test(this.proxy.value)) r.proxyJump = this.proxy.value;
    if (this.proxy?.kind === 'proxycommand' && !/^none$/i.test(this.proxy.value)) {
      this.warnings.push(`ProxyCommand is not run by DevKit (it never runs commands from ssh_config); connecting without it. Use ProxyJump instead.`);
    }
    return r;
  }

  private walk(lines: Line[], file: string, depth: number): void {
    for (const line of lines) {
      if (!('param' in line) || typeof line.param !== 'string') continue;
      const keyword = line.param.toLowerCase();
      const args = argsOf(line.value);
      if (keyword === 'host' || keyword === 'match') {
        const body = 'config' in line ? [...line.config] : [];
        if (keyword === 'host' ? hostPatternsMatch(args, this.alias) : this.matches(args, file)) this.walk(body, file, depth);
      } else if (keyword === 'include') {
        this.include(args, depth);
      } else {
        this.set(keyword, args);
      }
    }
  }

  private set(keyword: string, args: string[]): void {
    if (!args.length) return;
    if (keyword === 'identityfile') {
      if (!this.identityFiles.includes(args[0]) && this.identityFiles.length < MAX_IDENTITY_FILES) this.identityFiles.push(args[0]);
    } else if (keyword === 'proxyjump' || keyword === 'proxycommand') {
      // One of the two, whichever comes first, as in OpenSSH.
      this.proxy ??= { kind: keyword, value: args.join(' ') };
    } else if (['hostname', 'user', 'port', 'identityagent'].includes(keyword) && !this.first.has(keyword)) {
      this.first.set(keyword, args[0]);
    }
  }

  /** Relative paths are under ~/.ssh; each glob's matches are read in order, one level deeper. */
  private include(args: string[], depth: number): void {
    const home = this.cfg.homeDir;
    for (const arg of args) {
      let pattern: string;
      if (arg === '~' || arg.startsWith('~/')) pattern = path.join(home, arg.slice(1));
      else if (arg.startsWith('~')) {
        this.warnings.push(`Include ${arg}: another user's ~ is not followed`);
        continue;
      } else pattern = path.isAbsolute(arg) ? arg : path.join(home, '.ssh', arg);
      const files = /[*?[]/.test(pattern) ? this.cfg.glob(pattern) : [pattern];
      for (const f of files) this.file(f, depth + 1);
    }
  }

  /** HostName obtained so far with %h expanded, else the alias: what `Match host` compares. */
  private hostSoFar(): string {
    const h = this.first.get('hostname');
    return h === undefined ? this.alias : h.replace(/%([%h])/g, (_m, c: string) => (c === 'h' ? this.alias : '%'));
  }

  /** A Match line: every criterion must hold; one DevKit cannot evaluate makes the block not apply. */
  private matches(args: string[], file: string): boolean {
    const skipped: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const neg = args[i].startsWith('!');
      const name = args[i].replace(/^!/, '').toLowerCase();
      if (name === 'all') continue;
      if (name === 'canonical' || name === 'final') {
        skipped.push(args[i]);
        continue;
      }
      const arg = args[++i];
      if (arg === undefined) {
        skipped.push(args[i - 1]);
        continue;
      }
      const hit = this.criterion(name, arg);
      if (hit === undefined) skipped.push(`${args[i - 1]} ${arg}`);
      else if (hit === neg) return false;
    }
    if (!skipped.length) return true;
    const why = skipped.some((s) => /^!?exec\b/i.test(s)) ? 'DevKit never runs commands from ssh_config' : 'DevKit does not evaluate this criterion';
    this.warnings.push(`${file}: "Match ${args.join(' ')}" skipped (${skipped.join(', ')}: ${why})`);
    return false;
  }

  private criterion(name: string, arg: string): boolean | undefined {
    switch (name) {
      case 'host':
        return patternListMatches(this.hostSoFar().toLowerCase(), arg.toLowerCase());
      case 'originalhost':
        return patternListMatches(this.alias.toLowerCase(), arg.toLowerCase());
      case 'user':
        return patternListMatches(this.first.get('user') ?? this.env.localUser ?? '', arg);
      case 'localuser':
        return patternListMatches(this.env.localUser ?? '', arg);
      default:
        return undefined;
    }
  }
}

function argsOf(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.map((v: { val: string }) => v.val);
  return [];
}

/** The environment of the local user, for `%` tokens and `Match user`/`localuser`. */
export function localSshEnv(homeDir: string, vars: NodeJS.ProcessEnv = process.env): SshConfigEnv {
  let localUser = vars.USER ?? vars.USERNAME;
  try {
    localUser = os.userInfo().username;
  } catch {
    /* no passwd entry: the environment's name */
  }
  const env: SshConfigEnv = { homeDir, localHost: os.hostname(), vars };
  if (localUser) env.localUser = localUser;
  if (typeof process.getuid === 'function') env.uid = process.getuid();
  return env;
}
