import * as vscode from 'vscode';
import { BACKUPS_TO_KEEP_RANGE, REMOTE_DEFAULTS as D, SUDO_MODES } from '../../core/defaults';
import type { SudoMode } from '../../core/ssh/sudo';

/** The `salesiq.remote.*` settings (contributed in package.json) and `salesiq.autoPush`, typed. */
export interface RemoteSettings {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  hostFingerprint: string;
  envPath: string;
  service: string;
  sudo: SudoMode;
  backupsToKeep: number;
  confirmPush: boolean;
  restart: boolean;
  /** Set for an entry of `salesiq.remote.servers`: where its own settings (its host-key pin) live. */
  serverName?: string;
}

export function remoteSettings(): RemoteSettings {
  const c = vscode.workspace.getConfiguration('salesiq.remote');
  const sudo = c.get<string>('sudo') ?? D.sudo;
  return {
    host: (c.get<string>('host') ?? '').trim(),
    port: c.get<number>('port') ?? D.port,
    user: (c.get<string>('user') ?? '').trim(),
    identityFile: (c.get<string>('identityFile') ?? '').trim(),
    knownHostsFile: (c.get<string>('knownHostsFile') ?? '').trim() || D.knownHostsFile,
    hostFingerprint: (c.get<string>('hostFingerprint') ?? '').trim(),
    envPath: (c.get<string>('envPath') ?? '').trim() || D.envPath,
    service: (c.get<string>('service') ?? '').trim() || D.service,
    sudo: (SUDO_MODES as readonly string[]).includes(sudo) ? (sudo as SudoMode) : D.sudo,
    backupsToKeep: keepWithin(c.get<number>('backupsToKeep') ?? D.backupsToKeep),
    confirmPush: c.get<boolean>('confirmPush') ?? D.confirmPush,
    restart: c.get<boolean>('restart') ?? D.restart,
  };
}

const keepWithin = (n: number): number => Math.max(BACKUPS_TO_KEEP_RANGE.min, Math.min(BACKUPS_TO_KEEP_RANGE.max, Math.floor(n)));

export const autoPushEnabled = (): boolean => vscode.workspace.getConfiguration('salesiq').get<boolean>('autoPush') ?? false;

/**
 * "Trust and pin" stores the fingerprint for every workspace (the server is the user's, not the folder's): in
 * `salesiq.remote.hostFingerprint` for the single server, in its own entry of `salesiq.remote.servers` for a
 * named one (at the level that entry is defined), so one server's pin never lands on another.
 */
export async function pinFingerprint(fingerprint: string, serverName?: string): Promise<string> {
  const c = vscode.workspace.getConfiguration('salesiq.remote');
  if (!serverName) {
    await c.update('hostFingerprint', fingerprint, vscode.ConfigurationTarget.Global);
    return 'salesiq.remote.hostFingerprint';
  }
  const where = c.inspect<unknown[]>('servers');
  const levels = [
    [where?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder],
    [where?.workspaceValue, vscode.ConfigurationTarget.Workspace],
    [where?.globalValue, vscode.ConfigurationTarget.Global],
  ] as const;
  for (const [list, level] of levels) {
    if (!Array.isArray(list) || !list.some((e) => isEntry(e, serverName))) continue;
    await c.update('servers', list.map((e) => (isEntry(e, serverName) ? { ...(e as object), hostFingerprint: fingerprint } : e)), level);
    return `the hostFingerprint of server "${serverName}" in salesiq.remote.servers`;
  }
  throw new Error(`server "${serverName}" is no longer in salesiq.remote.servers`);
}

const isEntry = (e: unknown, name: string): boolean => !!e && typeof e === 'object' && (e as { name?: unknown }).name === name;
