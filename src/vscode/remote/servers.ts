/**
 * The servers DevKit knows in VS Code: the named entries of `salesiq.remote.servers` (each field falls back to
 * the matching `salesiq.remote.*` setting) and, when `salesiq.remote.host` is set, that single unnamed server.
 * Each server's sudo password and key passphrase live under their own SecretStorage key (per user@host and
 * per key file), so two servers never share or overwrite each other's secrets.
 */
import * as vscode from 'vscode';
import type { SudoMode } from '../../core/ssh/sudo';
import { inputError } from '../../core/ssh/targetRules';
import { pickOne } from '../input';
import { remoteSettings, type RemoteSettings } from './remoteSettings';

export interface NamedServer {
  /** The entry's name; for the unnamed server, its host. */
  name: string;
  settings: RemoteSettings;
  autoPush: boolean;
  /** True for `salesiq.remote.host` (no entry in the list). */
  unnamed: boolean;
}

export const serverSecretKeys = {
  sudoPassword: (user: string, host: string) => `salesiq.sudoPassword/${user}@${host}`,
  passphrase: (identityFile: string) => `salesiq.passphrase/${identityFile}`,
};

const SUDO_MODES: readonly SudoMode[] = ['auto', 'nopasswd', 'password', 'none'];

export function configuredServers(): NamedServer[] {
  const base = remoteSettings();
  const raw = vscode.workspace.getConfiguration('salesiq.remote').get<unknown[]>('servers') ?? [];
  const out: NamedServer[] = [];
  const seen = new Set<string>();
  for (const item of Array.isArray(raw) ? raw : []) {
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const name = str(o.name);
    const host = str(o.host);
    if (!name || !host || seen.has(name)) continue;
    seen.add(name);
    const port = Number(o.port);
    const sudo = str(o.sudo);
    out.push({
      name,
      unnamed: false,
      autoPush: o.autoPush === true,
      settings: {
        ...base,
        host,
        port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 22,
        user: str(o.user) ?? base.user,
        identityFile: str(o.identityFile) ?? base.identityFile,
        knownHostsFile: str(o.knownHostsFile) ?? base.knownHostsFile,
        hostFingerprint: str(o.hostFingerprint) ?? '',
        envPath: str(o.envPath) ?? base.envPath,
        service: str(o.service) ?? base.service,
        sudo: sudo && (SUDO_MODES as readonly string[]).includes(sudo) ? (sudo as SudoMode) : base.sudo,
        serverName: name,
      },
    });
  }
  if (base.host) out.unshift({ name: base.host, settings: base, autoPush: vscode.workspace.getConfiguration('salesiq').get<boolean>('autoPush') ?? false, unnamed: true });
  return out;
}

/** How a command asks which server: its title, whether "All servers" is offered, and why not when it is not. */
export interface ServerQuestion {
  purpose: string;
  /** false: one server at a time; `placeHolder` then says why. */
  allowAll: boolean;
  placeHolder?: string;
}

/** The item id of "All servers" in the pick (tests select it by id). */
export const ALL_SERVERS = '$all';

/**
 * Which server(s) a command works on. `named` (from a command argument) selects without asking; one configured
 * server (or none) is used without asking, as before several were possible; otherwise a pick, with "All
 * servers" first where the command can do them all. undefined when the user cancels the pick.
 */
export async function chooseServers(q: ServerQuestion, named?: string | string[]): Promise<NamedServer[] | undefined> {
  const all = configuredServers();
  if (named !== undefined) return byName(all, Array.isArray(named) ? named : [named]);
  if (all.length <= 1) return all;
  return pick(all, q);
}

/** For a command that handles one server: the chosen one's settings, or the single `salesiq.remote.*` set. */
export function settingsOf(servers: NamedServer[]): RemoteSettings {
  return servers[0]?.settings ?? remoteSettings();
}

function byName(all: NamedServer[], names: string[]): NamedServer[] {
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    const known = all.map((s) => s.name).join(', ') || 'none';
    throw inputError(`Server ${unknown.join(', ')}`, 'not in salesiq.remote.servers', `Use one of the configured servers (${known}).`);
  }
  return all.filter((s) => names.includes(s.name));
}

async function pick(all: NamedServer[], q: ServerQuestion): Promise<NamedServer[] | undefined> {
  type Item = vscode.QuickPickItem & { id: string; servers: NamedServer[] };
  const items: Item[] = [
    ...(q.allowAll ? [{ id: ALL_SERVERS, label: '$(server-environment) All servers', description: all.map((s) => s.name).join(', '), servers: all }] : []),
    ...all.map((s) => ({ id: s.name, label: s.name, description: where(s), servers: [s] })),
  ];
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `SalesIQ: ${q.purpose}`;
  qp.placeholder = q.placeHolder ?? 'Which server?';
  qp.items = items;
  return (await pickOne(qp))?.servers;
}

function where(s: NamedServer): string {
  const t = s.settings;
  return `${t.user ? `${t.user}@` : ''}${t.host}${t.port === 22 ? '' : `:${t.port}`} ${t.envPath}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
