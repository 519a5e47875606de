/**
 * The servers DevKit knows in VS Code: the named entries of `salesiq.remote.servers` (each field falls back to
 * the matching `salesiq.remote.*` setting) and, when `salesiq.remote.host` is set, that single unnamed server.
 * Each server's sudo password and key passphrase live under their own SecretStorage key (per user@host and
 * per key file), so two servers never share or overwrite each other's secrets.
 */
import * as vscode from 'vscode';
import type { SudoMode } from '../../core/ssh/sudo';
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
      },
    });
  }
  if (base.host) out.unshift({ name: base.host, settings: base, autoPush: vscode.workspace.getConfiguration('salesiq').get<boolean>('autoPush') ?? false, unnamed: true });
  return out;
}

/**
 * Which server(s) a command works on: the only one without asking, else a pick with "All servers" first.
 * undefined when the user cancels; [] when none is configured.
 */
export async function pickServers(purpose: string, allowAll = true): Promise<NamedServer[] | undefined> {
  const all = configuredServers();
  if (all.length <= 1) return all;
  type Item = vscode.QuickPickItem & { servers: NamedServer[] };
  const items: Item[] = [
    ...(allowAll ? [{ label: '$(server-environment) All servers', description: all.map((s) => s.name).join(', '), servers: all }] : []),
    ...all.map((s) => ({ label: s.name, description: `${s.settings.user ? `${s.settings.user}@` : ''}${s.settings.host}${s.settings.port === 22 ? '' : `:${s.settings.port}`} ${s.settings.envPath}`, servers: [s] })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `SalesIQ: ${purpose}`, placeHolder: 'Which server?' });
  return picked?.servers;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
