import * as assert from 'assert';
import * as vscode from 'vscode';
import { isDevKitError } from '../../src/core/errors/devkitError';
import { saveProfile } from '../../src/vscode/profileSetup';
import { SecretStore } from '../../src/vscode/secretStore';

/** SecretStorage as VS Code behaves on a Linux desktop without a keyring (microsoft/vscode#187338). */
const brokenKeyring: vscode.SecretStorage = {
  get: () => Promise.reject(new Error('An OS keyring couldn\'t be identified for storing the encryption related data in your current desktop environment.')),
  store: () => Promise.reject(new Error('An OS keyring couldn\'t be identified for storing the encryption related data in your current desktop environment.')),
  delete: () => Promise.reject(new Error('keyring unavailable')),
  onDidChange: new vscode.EventEmitter<vscode.SecretStorageChangeEvent>().event,
};

describe('keyring unavailable', () => {
  it('says so plainly, names the fix, and leaves no half-made profile behind', async () => {
    const before = vscode.workspace.getConfiguration('salesiq').get('profiles');
    const secrets = new SecretStore(brokenKeyring);
    await assert.rejects(
      saveProfile(secrets, { name: 'nokeyring', dataCenter: 'in', envKey: 'SALESIQ_ACCESS_TOKEN', credentials: { clientId: '1000.X', clientSecret: 's', refreshToken: '1000.a.b' } }, Date.now()),
      (e: unknown) => isDevKitError(e) && e.finding.code === 'keyring' && /keyring/i.test(e.finding.explanation) && /Nothing was written/.test(e.finding.explanation),
    );
    assert.deepStrictEqual(vscode.workspace.getConfiguration('salesiq').get('profiles'), before, 'settings untouched');
  });
});
