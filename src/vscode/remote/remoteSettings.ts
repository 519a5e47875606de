import * as vscode from 'vscode';
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
}

const SUDO_MODES: readonly SudoMode[] = ['auto', 'nopasswd', 'password', 'none'];

export function remoteSettings(): RemoteSettings {
  const c = vscode.workspace.getConfiguration('salesiq.remote');
  const sudo = c.get<string>('sudo') ?? 'auto';
  return {
    host: (c.get<string>('host') ?? '').trim(),
    port: c.get<number>('port') ?? 22,
    user: (c.get<string>('user') ?? '').trim(),
    identityFile: (c.get<string>('identityFile') ?? '').trim(),
    knownHostsFile: (c.get<string>('knownHostsFile') ?? '').trim() || '~/.ssh/known_hosts',
    hostFingerprint: (c.get<string>('hostFingerprint') ?? '').trim(),
    envPath: (c.get<string>('envPath') ?? '').trim() || '/opt/llm-chatbot/.env',
    service: (c.get<string>('service') ?? '').trim() || 'llm-chatbot',
    sudo: (SUDO_MODES as readonly string[]).includes(sudo) ? (sudo as SudoMode) : 'auto',
    backupsToKeep: Math.max(1, Math.min(50, Math.floor(c.get<number>('backupsToKeep') ?? 5))),
    confirmPush: c.get<boolean>('confirmPush') ?? true,
    restart: c.get<boolean>('restart') ?? true,
  };
}

export const autoPushEnabled = (): boolean => vscode.workspace.getConfiguration('salesiq').get<boolean>('autoPush') ?? false;

/** "Trust and pin" stores the fingerprint for every workspace (the server is the user's, not the folder's). */
export async function pinFingerprint(fingerprint: string): Promise<void> {
  await vscode.workspace.getConfiguration('salesiq.remote').update('hostFingerprint', fingerprint, vscode.ConfigurationTarget.Global);
}
