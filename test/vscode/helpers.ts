import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DevKitApi } from '../../src/extension';
import { ZohoSandbox, type ZohoSandboxOptions } from '../sandbox/zohoSandbox';

export const EXTENSION_ID = 'salesiq-devkit.salesiq-devkit';

export async function devkit(): Promise<DevKitApi> {
  const ext = vscode.extensions.getExtension<DevKitApi | undefined>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  assert.ok(api, 'the test API is exported outside production mode');
  return api;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('salesiq').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Polls until `check` returns a truthy value; bounded so a broken feature fails instead of hanging. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

/** A Zoho sandbox on loopback with the extension pointed at it and auto-refresh off (tests turn it on). */
export async function startSandbox(opts: ZohoSandboxOptions = {}): Promise<ZohoSandbox> {
  const sandbox = new ZohoSandbox(opts);
  await sandbox.start();
  await setSetting('accountsUrl', sandbox.accountsUrlTemplate);
  await setSetting('salesiqUrl', sandbox.salesiqUrlTemplate);
  await setSetting('autoRefresh', false);
  return sandbox;
}
