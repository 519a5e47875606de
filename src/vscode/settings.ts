import * as vscode from 'vscode';
import { DataCenter, isDataCenter } from '../core/zoho/datacenters';
import { DEFAULT_ENV_KEY } from '../core/defaults';

/** Typed access to the non-secret `salesiq.*` settings (secrets never live here). */
export interface ProfileSetting {
  name: string;
  dataCenter: DataCenter;
  envKey: string;
}

export const DEFAULT_PROFILE: ProfileSetting = { name: 'default', dataCenter: 'com', envKey: DEFAULT_ENV_KEY };

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('salesiq');
}

export const settings = {
  profiles(): ProfileSetting[] {
    const raw = cfg().get<unknown[]>('profiles') ?? [];
    const list = raw.map(toProfile).filter((p): p is ProfileSetting => !!p);
    return list.length ? list : [DEFAULT_PROFILE];
  },
  /** True when the user has written salesiq.profiles (not only the built-in default). */
  hasExplicitProfiles(): boolean {
    return (cfg().get<unknown[]>('profiles') ?? []).length > 0;
  },
  activeProfileName(): string {
    return cfg().get<string>('activeProfile') || 'default';
  },
  accountsUrl: () => cfg().get<string>('accountsUrl') || undefined,
  salesiqUrl: () => cfg().get<string>('salesiqUrl') || undefined,
  warnMs: () => Math.max(0, cfg().get<number>('warnBeforeExpiryMinutes') ?? 5) * 60_000,
  autoRefresh: () => cfg().get<boolean>('autoRefresh') ?? true,
  autoRefreshMarginMin: () => Math.max(1, cfg().get<number>('autoRefreshMarginMinutes') ?? 5),
  screenName: () => cfg().get<string>('screenName')?.trim() || undefined,
  appId: () => cfg().get<string>('appId')?.trim() || undefined,
  departmentId: () => cfg().get<string>('departmentId')?.trim() || undefined,
  transferProfile: () => cfg().get<string>('transferProfile')?.trim() || 'org',
  confirmTestTransfer: () => cfg().get<boolean>('confirmTestTransfer') ?? true,
  remoteRestart: () => cfg().get<boolean>('remote.restart') ?? true,
  /** VS Code's own proxy settings, honoured because a bundled undici bypasses VS Code's proxy patching. */
  httpOptions(): { proxy?: string; noProxy?: string; strictSSL: boolean } {
    const http = vscode.workspace.getConfiguration('http');
    return { proxy: http.get<string>('proxy') || undefined, noProxy: (http.get<string[]>('noProxy') ?? []).join(',') || undefined, strictSSL: http.get<boolean>('proxyStrictSSL') ?? true };
  },

  async saveProfiles(list: ProfileSetting[]): Promise<void> {
    await cfg().update('profiles', list, vscode.ConfigurationTarget.Global);
  },
  async setActiveProfile(name: string): Promise<void> {
    await cfg().update('activeProfile', name, vscode.ConfigurationTarget.Global);
  },
  async setEndpoints(accountsUrl: string, salesiqUrl: string): Promise<void> {
    await cfg().update('accountsUrl', accountsUrl, vscode.ConfigurationTarget.Global);
    await cfg().update('salesiqUrl', salesiqUrl, vscode.ConfigurationTarget.Global);
  },
};

function toProfile(v: unknown): ProfileSetting | undefined {
  const o = v as Partial<ProfileSetting> | null;
  if (!o || typeof o.name !== 'string' || !o.name.trim()) return undefined;
  return {
    name: o.name.trim(),
    dataCenter: isDataCenter(o.dataCenter) ? o.dataCenter : 'com',
    envKey: typeof o.envKey === 'string' && o.envKey ? o.envKey : DEFAULT_ENV_KEY,
  };
}
