/**
 * Several servers from the config file's `servers` list (docs/cli-contract.md § Several servers): `--server NAME`
 * (repeatable) or `--all-servers` selects them; each entry is resolved exactly as the single `server` section
 * is (command-line SSH flags still override each field), by handing sshFlags a context whose `server` section
 * is that entry and whose secrets come from the entry's own environment variables.
 */
import type { FlagSpec } from './args';
import { UsageError } from './args';
import type { CliContext } from './context';
import { hasServer, serverSettings, type ServerSettings } from './sshFlags';

export const SERVER_FLAGS: FlagSpec = { values: ['--server'], switches: ['--all-servers'] };

/** The contract's names for an entry's fields, mapped to the setting-style names the `server` section uses. */
const ALIASES: Record<string, string> = { identity: 'identityFile', knownHosts: 'knownHostsFile', fingerprint: 'hostFingerprint', envFile: 'envPath' };
const FIELDS = new Set(['name', 'host', 'port', 'user', 'identityFile', 'knownHostsFile', 'hostFingerprint', 'envPath', 'key', 'service', 'sudo', 'autoPush', 'sudoPasswordEnv', 'passphraseEnv', 'restart', 'backupsToKeep']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ServerEntry {
  name: string;
  fields: Record<string, string | number | boolean>;
  autoPush: boolean;
  sudoPasswordEnv: string;
  passphraseEnv: string;
}

export interface ServerTarget {
  name: string;
  settings: ServerSettings;
  autoPush: boolean;
}

/** The config file's `servers`, checked: names unique and simple, fields known, values strings/numbers/booleans. */
export function serverEntries(ctx: CliContext): ServerEntry[] {
  const raw = (ctx.config as { servers?: unknown }).servers;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new UsageError('the config file\'s "servers" must be a list of objects');
  const seen = new Set<string>();
  return raw.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new UsageError(`servers[${i}] in the config file is not an object`);
    const o = item as Record<string, unknown>;
    const name = o.name;
    if (typeof name !== 'string' || !NAME.test(name)) throw new UsageError(`servers[${i}] needs a "name" of letters, digits, dot, dash or underscore (got ${JSON.stringify(name)})`);
    if (seen.has(name)) throw new UsageError(`the server name "${name}" appears twice in the config file`);
    seen.add(name);
    const fields: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(o)) {
      const key = ALIASES[k] ?? k;
      if (!FIELDS.has(key)) throw new UsageError(`servers[${i}] ("${name}") has an unknown field "${k}"`);
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new UsageError(`servers[${i}] ("${name}"): "${k}" must be a string, number or boolean`);
      fields[key] = v;
    }
    const envName = (k: 'sudoPasswordEnv' | 'passphraseEnv', dflt: string) => {
      const v = fields[k] ?? dflt;
      if (typeof v !== 'string' || !ENV_NAME.test(v)) throw new UsageError(`servers[${i}] ("${name}"): "${k}" must name an environment variable`);
      return v;
    };
    return { name, fields, autoPush: fields.autoPush === true, sudoPasswordEnv: envName('sudoPasswordEnv', 'SALESIQ_SUDO_PASSWORD'), passphraseEnv: envName('passphraseEnv', 'SALESIQ_SSH_PASSPHRASE') };
  });
}

/** True when `--server` or `--all-servers` asks for the fleet form of a command. */
export function fleetRequested(ctx: CliContext): boolean {
  return Boolean(ctx.parsed.repeated?.['--server']?.length) || ctx.parsed.switches.has('--all-servers');
}

/**
 * The servers a command works on. Without `--server`/`--all-servers`: the single server of the flags or the
 * `server` section (none when neither names a host). With them: the named entries, in the order given (all of
 * them, plus the `server` section as an unnamed one, for `--all-servers`).
 */
export function serverTargets(ctx: CliContext): { fleet: boolean; servers: ServerTarget[] } {
  if (!fleetRequested(ctx)) {
    if (!hasServer(ctx)) return { fleet: false, servers: [] };
    const settings = serverSettings(ctx);
    return { fleet: false, servers: [{ name: `${settings.user}@${settings.alias}`, settings, autoPush: ctx.config.server?.autoPush === true }] };
  }
  const entries = serverEntries(ctx);
  const wanted = ctx.parsed.repeated?.['--server'] ?? [];
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const n of wanted) if (!byName.has(n)) throw new UsageError(`unknown server "${n}" (the config file's servers: ${entries.map((e) => e.name).join(', ') || 'none'})`);
  const chosen = ctx.parsed.switches.has('--all-servers') ? entries : [...new Set(wanted)].map((n) => byName.get(n)!);
  const targets = chosen.map((e) => ({ name: e.name, settings: serverSettings(entryContext(ctx, e)), autoPush: e.autoPush }));
  if (ctx.parsed.switches.has('--all-servers') && ctx.config.server?.host) {
    const settings = serverSettings(ctx);
    targets.push({ name: `${settings.user}@${settings.alias}`, settings, autoPush: ctx.config.server.autoPush === true });
  }
  if (!targets.length) throw new UsageError('--all-servers: the config file lists no servers');
  return { fleet: true, servers: targets };
}

/** A view of the context in which the entry is the `server` section and its secrets are the standard ones. */
function entryContext(ctx: CliContext, e: ServerEntry): CliContext {
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    SALESIQ_SUDO_PASSWORD: ctx.env[e.sudoPasswordEnv],
    SALESIQ_SSH_PASSPHRASE: ctx.env[e.passphraseEnv],
  };
  for (const s of [env.SALESIQ_SUDO_PASSWORD, env.SALESIQ_SSH_PASSPHRASE]) if (s) ctx.io.secrets.add(s);
  return Object.create(ctx, { config: { value: { ...ctx.config, server: e.fields } }, env: { value: env } }) as CliContext;
}
