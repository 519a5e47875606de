import * as vscode from 'vscode';
import { DevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';

/**
 * SecretStorage with every call guarded: when the OS keyring is unavailable VS Code throws, and we say so
 * plainly instead of failing obscurely. There is deliberately no fallback to plain files.
 */
export const KEYRING_UNAVAILABLE: Finding = {
  source: 'unknown',
  code: 'keyring',
  httpStatus: null,
  category: 'config',
  action: 'fix-config',
  retryable: false,
  title: 'VS Code cannot reach the OS keyring, so DevKit cannot store secrets.',
  explanation:
    'SalesIQ DevKit keeps credentials only in VS Code SecretStorage, which needs an OS keyring (gnome-keyring, KWallet, macOS Keychain, Windows Credential Manager). ' +
    'Nothing was written to disk. Fix the keyring (see https://code.visualstudio.com/docs/editor/settings-sync#_troubleshooting-keychain-issues) and try again.',
};

export class SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  readonly onDidChange = (listener: (key: string) => void): vscode.Disposable =>
    this.secrets.onDidChange((e) => listener(e.key));

  async getJson<T>(key: string): Promise<T | undefined> {
    const raw = await this.guard(() => this.secrets.get(key));
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  }

  async setJson(key: string, value: unknown): Promise<void> {
    await this.guard(() => this.secrets.store(key, JSON.stringify(value)));
  }

  async delete(key: string): Promise<void> {
    await this.guard(() => this.secrets.delete(key));
  }

  private async guard<T>(fn: () => Thenable<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new DevKitError(KEYRING_UNAVAILABLE, { cause: e });
    }
  }
}
