/**
 * Just enough of ssh_config(5) to let a `~/.ssh/config` alias work as `--host`: Host blocks with `*`/`?`/`!`
 * patterns, first value wins (IdentityFile accumulates, as in OpenSSH), `~` and `%d %h %r %u %%` expanded.
 * ProxyJump is read (first value wins; `none` means none). Not supported (ignored): Match blocks, Include and
 * every other keyword.
 */

export interface SshHostConfig {
  /** What to connect to: HostName, or the alias itself. */
  hostName: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** A socket path, or 'none'; `SSH_AUTH_SOCK` means "use the environment's agent". */
  identityAgent?: string;
  /** ProxyJump as written: comma-separated `[user@]host[:port]` hops (each may be an alias). */
  proxyJump?: string;
}

export interface SshConfigEnv {
  homeDir: string;
  /** The local user name, for `%u`. */
  localUser?: string;
}

export function resolveSshHost(configText: string, alias: string, env: SshConfigEnv): SshHostConfig {
  const found: { hostname?: string; user?: string; port?: string; identityagent?: string; proxyjump?: string } = {};
  const identityFiles: string[] = [];
  let active = true; // lines before the first Host apply to every host

  for (const raw of configText.split(/\r?\n/)) {
    const kv = keywordValue(raw);
    if (!kv) continue;
    const [keyword, args] = kv;
    if (keyword === 'host') {
      active = hostMatches(args, alias);
      continue;
    }
    if (keyword === 'match') {
      active = false; // Match criteria are not evaluated; skip the block rather than guess
      continue;
    }
    if (!active) continue;
    const value = args[0];
    if (value === undefined) continue;
    if (keyword === 'identityfile') identityFiles.push(value);
    else if ((keyword === 'hostname' || keyword === 'user' || keyword === 'port' || keyword === 'identityagent' || keyword === 'proxyjump') && found[keyword] === undefined) {
      found[keyword] = value;
    }
  }

  const hostName = found.hostname ? expand(found.hostname, { ...env, host: alias, remoteUser: found.user ?? '' }) : alias;
  const user = found.user;
  const tokens = { ...env, host: hostName, remoteUser: user ?? env.localUser ?? '' };
  const result: SshHostConfig = { hostName, identityFiles: identityFiles.map((f) => expand(f, tokens)) };
  if (user) result.user = user;
  const port = Number(found.port);
  if (found.port && Number.isInteger(port) && port > 0 && port < 65536) result.port = port;
  if (found.proxyjump && !/^none$/i.test(found.proxyjump)) result.proxyJump = found.proxyjump;
  if (found.identityagent) result.identityAgent = /^(none|SSH_AUTH_SOCK)$/i.test(found.identityagent) ? found.identityagent : expand(found.identityagent, tokens);
  return result;
}

/** `Keyword value…` or `Keyword=value`, with comments dropped and double quotes grouping words. */
function keywordValue(line: string): [string, string[]] | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/.exec(t);
  if (!m) return undefined;
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let a: RegExpExecArray | null;
  while ((a = re.exec(m[2]))) {
    if (a[2]?.startsWith('#')) break;
    args.push(a[1] ?? a[2]);
  }
  return [m[1].toLowerCase(), args];
}

/** A Host line matches if any pattern matches and no negated pattern does. */
function hostMatches(patterns: string[], alias: string): boolean {
  let hit = false;
  for (const p of patterns.flatMap((x) => x.split(','))) {
    const neg = p.startsWith('!');
    if (!glob(neg ? p.slice(1) : p, alias)) continue;
    if (neg) return false;
    hit = true;
  }
  return hit;
}

function glob(pattern: string, s: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(s);
}

function expand(value: string, t: SshConfigEnv & { host: string; remoteUser: string }): string {
  let v = value.replace(/%([%dhru])/g, (_m, c: string) => {
    switch (c) {
      case 'd': return t.homeDir;
      case 'h': return t.host;
      case 'r': return t.remoteUser;
      case 'u': return t.localUser ?? '';
      default: return '%';
    }
  });
  if (v === '~' || v.startsWith('~/')) v = t.homeDir + v.slice(1);
  return v;
}

export interface JumpSpec {
  host: string;
  port?: number;
  user?: string;
  identityFiles: string[];
}

/**
 * The hops of a host's ProxyJump, in order: each `[user@]host[:port]` (or `[host]:port`) with its own Host
 * block applied (an alias's HostName, User, Port, IdentityFile), as OpenSSH does. A `ssh://` URI form is read
 * too. The jump hosts' own ProxyJump is not followed.
 */
export function resolveJumps(configText: string, alias: string, env: SshConfigEnv): JumpSpec[] {
  const spec = resolveSshHost(configText, alias, env).proxyJump;
  if (!spec) return [];
  return spec.split(',').map((raw) => {
    const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(raw.trim());
    if (!m) throw new RangeError(`ProxyJump hop "${raw}" is not [user@]host[:port]`);
    const name = m[2].replace(/^\[|\]$/g, '');
    const own = resolveSshHost(configText, name, env);
    const hop: JumpSpec = { host: own.hostName, identityFiles: own.identityFiles };
    const user = m[1] ?? own.user;
    if (user) hop.user = user;
    const port = m[3] ? Number(m[3]) : own.port;
    if (port && port > 0 && port < 65536) hop.port = port;
    return hop;
  });
}
