import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DevKitApi } from '../../src/extension';
import type { DecodeResult } from '../../src/vscode/decode';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { freePort } from '../support/freePort';
import { devkit, setSetting, startSandbox, waitFor } from './helpers';
import { QuickInputDriver } from './quickInput';

const SERVER = SANDBOX_DEFAULTS.server;
const PROFILE = 'signin';

/** The browser's part: GET the sandbox consent page, submit Accept, follow the redirect to the extension's listener. */
async function acceptConsent(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  const id = /name="consent_id" value="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
  const action = new URL(/action="([^"]+)"/.exec(html)?.[1] ?? '', url);
  const answer = await fetch(action, { method: 'POST', body: new URLSearchParams({ consent_id: id, decision: 'accept' }), redirect: 'manual' });
  return (await fetch(answer.headers.get('location') ?? '')).text();
}

describe('Authorize with Zoho in a real VS Code', function () {
  let sandbox: ZohoSandbox;
  let api: DevKitApi;
  let driver: QuickInputDriver;
  const opened: string[] = [];
  const saved: Record<string, unknown> = {};
  const originalOpen = vscode.env.openExternal;
  const credentials = () => api.credentialsOf(PROFILE);

  before(async () => {
    api = await devkit();
    const cfg = vscode.workspace.getConfiguration('salesiq');
    for (const key of ['profiles', 'activeProfile', 'accountsUrl', 'salesiqUrl', 'autoRefresh', 'authorize.redirectPort']) saved[key] = cfg.inspect(key)?.globalValue;
    sandbox = await startSandbox();
    await setSetting('authorize.redirectPort', await freePort());
    // The browser is played by the test: capture what DevKit opens instead of opening it.
    (vscode.env as { openExternal: unknown }).openExternal = async (uri: vscode.Uri) => {
      opened.push(uri.toString(true));
      return true;
    };
    driver = new QuickInputDriver();
  });

  after(async () => {
    driver.dispose();
    (vscode.env as { openExternal: unknown }).openExternal = originalOpen;
    await vscode.commands.executeCommand('salesiq.switchProfile', PROFILE).then(undefined, () => undefined);
    await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false });
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value);
    await sandbox.stop();
  });

  it('a new profile through the browser sign-in: pick, client, consent, and the countdown runs on the corrected DC', async () => {
    const done = vscode.commands.executeCommand<boolean>('salesiq.authorize');
    await driver.pick(/Which profile/, '$new');
    await driver.input(/New profile name/, PROFILE);
    await driver.pick(/Data centre/, 'com');
    await driver.pick(/Which kind of Zoho client/, 'server');
    const scopes = await driver.input(/Scopes for a user token/);
    assert.match(scopes.value, /SalesIQ\.portals\.READ/);
    await driver.input(/Client ID/, ` ${SERVER.clientId} `);
    const secret = await driver.input(/Client secret/, SERVER.clientSecret);
    assert.strictEqual(secret.password, true, 'the secret is masked');
    const url = (await waitFor('the authorize URL', () => opened.find((u) => u.includes('/oauth/v2/auth?')))) as string;
    assert.match(url, /\/accounts\/com\/oauth\/v2\/auth\?/);
    assert.match(await acceptConsent(url), /You can close this tab/);
    assert.strictEqual(await done, true);

    assert.strictEqual(api.controller.profile.name, PROFILE);
    assert.strictEqual(api.controller.profile.dataCenter, 'in', 'the redirect corrected the data centre');
    const creds = await credentials();
    assert.strictEqual(creds?.clientId, SERVER.clientId);
    assert.match(creds?.refreshToken ?? '', /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    await waitFor('a fresh countdown', () => api.statusBar.current.state === 'fresh' && /^\$\(key\) SalesIQ signin (59|60)m$/.test(api.statusBar.current.text));
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('salesiq'));
    assert.ok(!settingsText.includes(SERVER.clientSecret) && !settingsText.includes(creds!.refreshToken), 'no secret in settings');
  });

  it('re-authorize after a revoke keeps the profile and client and replaces only the refresh token (Self Client code box)', async () => {
    const before = await credentials();
    const profileBefore = vscode.workspace.getConfiguration('salesiq').get<unknown[]>('profiles')?.find((p) => (p as { name: string }).name === PROFILE);
    sandbox.revoke(before!.refreshToken);
    const decoded = await vscode.commands.executeCommand<DecodeResult>('salesiq.decodeError', { text: '{"error":"invalid_code"}' });
    assert.deepStrictEqual(decoded?.fixes[0]?.map((b) => b.command).slice(0, 1), ['salesiq.authorize'], 'the decode view offers Authorize');

    const done = vscode.commands.executeCommand<boolean>('salesiq.authorize', { profile: PROFILE, clientType: 'self' });
    await driver.input(/Scopes/);
    const box = await driver.next();
    assert.ok(!('items' in box) && /grant code \(\d:\d\d left\)/.test(box.title ?? ''), `the code box counts down: ${box.title}`);
    assert.match((box as vscode.InputBox).prompt ?? '', /Self Client → Generate Code with the scopes SalesIQ\.portals\.READ/);
    (box as vscode.InputBox).value = `  http://127.0.0.1:1/callback?code=${sandbox.issueGrantCode(SERVER.clientId)}&location=in  `;
    driver.accept(box);
    assert.strictEqual(await done, true);

    const after = await credentials();
    assert.strictEqual(after?.clientId, before?.clientId);
    assert.strictEqual(after?.clientSecret, before?.clientSecret);
    assert.notStrictEqual(after?.refreshToken, before?.refreshToken);
    const profileAfter = vscode.workspace.getConfiguration('salesiq').get<unknown[]>('profiles')?.find((p) => (p as { name: string }).name === PROFILE);
    assert.deepStrictEqual(profileAfter, profileBefore, 'the profile settings are unchanged');
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.refreshToken'), true, 'the new refresh token works');
  });

  it('an expired code changes nothing: the previous credentials stay', async () => {
    const before = await credentials();
    const code = sandbox.issueGrantCode(SERVER.clientId);
    sandbox.expireGrantCodes();
    const done = vscode.commands.executeCommand<boolean>('salesiq.authorize', { profile: PROFILE, clientType: 'self' });
    await driver.input(/Scopes/);
    const box = await driver.next();
    (box as vscode.InputBox).value = code;
    driver.accept(box);
    assert.strictEqual(await done, false);
    assert.deepStrictEqual(await credentials(), before);
  });
});
