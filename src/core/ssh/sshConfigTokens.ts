/**
 * The pattern and token rules of ssh_config(5) that DevKit applies (docs/ssh.md § ~/.ssh/config): `Host`
 * patterns (case-sensitive, `*` and `?`, `!` negates), `Match` pattern lists (comma-separated), and `~` plus
 * the `%` tokens of IdentityFile and IdentityAgent.
 */

export interface SshConfigEnv {
  homeDir: string;
  /** The local user name, for `%u` and `Match user`/`localuser`. */
  localUser?: string;
  /** This machine's host name, for `%l` and `%L`. */
  localHost?: string;
  /** The local user id, for `%i`. */
  uid?: number;
  /** The environment, for `IdentityAgent $VAR`. */
  vars?: NodeJS.ProcessEnv;
}

/** OpenSSH's match_pattern: the whole string, `*` any run, `?` one character. */
export function wildcardMatch(pattern: string, s: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(s);
}

/** A Host line: some pattern matches and no negated one does. Each word is one pattern (commas are literal). */
export function hostPatternsMatch(patterns: string[], alias: string): boolean {
  let hit = false;
  for (const p of patterns) {
    const neg = p.startsWith('!');
    if (!wildcardMatch(neg ? p.slice(1) : p, alias)) continue;
    if (neg) return false;
    hit = true;
  }
  return hit;
}

/** OpenSSH's match_pattern_list: comma-separated, true when one matches and no negated one does. */
export function patternListMatches(s: string, list: string): boolean {
  return hostPatternsMatch(list.split(','), s);
}

export interface TokenValues {
  /** The final host name (`%h`). */
  host: string;
  /** The alias as given (`%n`). */
  originalHost: string;
  port: number;
  /** `%r`. */
  remoteUser: string;
}

/**
 * `~`/`~/` and the `%` tokens `%% %d %h %i %L %l %n %p %r %u`; any other token (`%C`, `%j`, `%k`…) is reported as
 * `unsupported`, so the caller skips the entry rather than use a wrong path.
 */
export function expandTokens(value: string, env: SshConfigEnv, t: TokenValues): { value: string; unsupported?: string } {
  let unsupported: string | undefined;
  const local = env.localHost ?? '';
  const table: Record<string, string | undefined> = {
    '%': '%',
    d: env.homeDir,
    h: t.host,
    i: env.uid === undefined ? undefined : String(env.uid),
    L: local.split('.')[0],
    l: local,
    n: t.originalHost,
    p: String(t.port),
    r: t.remoteUser,
    u: env.localUser,
  };
  let v = value.replace(/%(.)/gs, (m, c: string) => {
    const x = table[c];
    if (x === undefined) unsupported ??= m;
    return x ?? m;
  });
  if (v === '~' || v.startsWith('~/')) v = env.homeDir + v.slice(1);
  return unsupported ? { value: v, unsupported } : { value: v };
}
