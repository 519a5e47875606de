/**
 * The countdown memo (src/vscode/expiryMemo.ts): the non-secret facts in globalState that the bootstrap draws the
 * countdown from at the next start, before SecretStorage answers. What a user depends on: it follows the token
 * SecretStorage holds (refresh, profile switch, a stale entry), it never holds anything secret, and a forgotten
 * profile leaves nothing behind for the next start to draw.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { DevKitApi } from '../../src/extension';
import type { StoredToken } from '../../src/core/token/tokenManager';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox, waitFor } from './helpers';

const USER = SANDBOX_DEFAULTS.user;
/** A refresh token of its own: DevKit's request history is per refresh token and shared by the whole run. */
const MEMO_RT = '1000.3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c.4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d';
const PROFILE = 'memo';
const OTHER = 'memo-other';
const MIN = 60_000;
const memoKey = (profile: string) => `salesiq.countdown/${profile}`;

describe('the countdown memo in globalState', function () {
  const saved: Record<string, unknown> = {};
  let sandbox: ZohoSandbox;
  let api: DevKitApi;
  const memo = (profile = PROFILE) => api.globalState.get(memoKey(profile));
  const expected = (t: StoredToken) => ({
    v: 1,
    obtainedAt: t.obtainedAt,
    expiresAt: t.expiresAt,
    ...(t.lastRefresh ? { lastRefresh: { at: t.lastRefresh.at, ok: t.lastRefresh.ok, automatic: t.lastRefresh.automatic } } : {}),
  });
  const setup = (profile: string, extra: Record<string, unknown> = {}) =>
    vscode.commands.executeCommand('salesiq.setupCredentials', {
      profile, dataCenter: 'in', clientId: USER.clientId, clientSecret: USER.clientSecret, refreshToken: MEMO_RT, ...extra,
    });

  before(async () => {
    const cfg = vscode.workspace.getConfiguration('salesiq');
    for (const key of ['profiles', 'activeProfile', 'accountsUrl', 'salesiqUrl', 'autoRefresh']) saved[key] = cfg.inspect(key)?.globalValue;
    sandbox = await startSandbox({ clients: [{ ...USER, refreshTokens: [MEMO_RT] }] });
    api = await devkit();
    assert.strictEqual(await setup(PROFILE), true);
    await waitFor(`profile ${PROFILE} active`, () => api.controller.profile.name === PROFILE);
  });

  after(async () => {
    for (const p of [OTHER, PROFILE]) {
      if (!(await api.credentialsOf(p))) continue;
      await vscode.commands.executeCommand('salesiq.switchProfile', p);
      await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false });
    }
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value);
    await sandbox.stop();
  });

  it('after a refresh it holds the new expiry and nothing of the token or the credentials', async () => {
    await vscode.commands.executeCommand('salesiq.refreshToken');
    const t = await api.controller.store.readToken();
    assert.ok(t?.accessToken, 'a token was minted');
    await waitFor('the memo of the new token', () => JSON.stringify(memo()) === JSON.stringify(expected(t)));
    assert.strictEqual(t.lastRefresh?.ok, true);
    assert.match(api.statusBar.current.text, /^\$\(key\) SalesIQ memo (59|60)m$/);
    const everything = JSON.stringify(api.globalState.keys().map((k) => [k, api.globalState.get(k)]));
    const token = t.accessToken;
    const parts = [token, ...token.split('.').filter((p) => p.length >= 8), token.slice(5, 21), token.slice(-16)];
    const digests = ['sha256', 'sha1', 'md5'].flatMap((h) => [crypto.createHash(h).update(token).digest('hex'), crypto.createHash(h).update(token).digest('base64')]);
    const b64 = Buffer.from(token).toString('base64');
    for (const s of [...parts, ...digests, b64, MEMO_RT, USER.clientSecret]) assert.ok(!everything.includes(s), `globalState holds ${s}`);
  });

  it('a stale or garbled memo is replaced by what SecretStorage holds', async () => {
    const t = (await api.controller.store.readToken())!;
    await api.globalState.update(memoKey(PROFILE), { v: 1, obtainedAt: t.obtainedAt - 40 * MIN, expiresAt: t.expiresAt - 40 * MIN });
    // Showing the profile reads its secret again, as the bootstrap does at every start.
    await vscode.commands.executeCommand('salesiq.switchProfile', PROFILE);
    await waitFor('the stale memo corrected', () => JSON.stringify(memo()) === JSON.stringify(expected(t)));
    await api.globalState.update(memoKey(PROFILE), { v: 1, obtainedAt: 'soon', expiresAt: Number.MAX_SAFE_INTEGER, accessToken: 'x' });
    await vscode.commands.executeCommand('salesiq.switchProfile', PROFILE);
    await waitFor('the garbled memo replaced', () => JSON.stringify(memo()) === JSON.stringify(expected(t)));
  });

  it('each profile keeps its own: switching shows and stores the other one, leaving the first as it was', async () => {
    const first = (await api.controller.store.readToken())!;
    assert.strictEqual(await setup(OTHER, { accessToken: '1000.aaaa1111bbbb2222.cccc3333dddd4444', issuedMinutesAgo: 20 }), true);
    await waitFor(`profile ${OTHER} active`, () => api.controller.profile.name === OTHER);
    const other = (await api.controller.store.readToken())!;
    await waitFor('the memo of the other profile', () => JSON.stringify(memo(OTHER)) === JSON.stringify(expected(other)));
    assert.match(api.statusBar.current.text, /^\$\(key\) SalesIQ memo-other (39|40)m$/);
    assert.deepStrictEqual(memo(PROFILE), expected(first));
    assert.ok(!JSON.stringify(memo(OTHER)).includes('aaaa1111'), 'no part of the token');
  });

  it('Forget Credentials removes the memo, and the item no longer shows that token', async () => {
    await vscode.commands.executeCommand('salesiq.switchProfile', PROFILE);
    await waitFor(`profile ${PROFILE} active`, () => api.controller.profile.name === PROFILE);
    assert.ok(memo(), 'a memo before');
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.forgetCredentials', { confirm: false }), true);
    assert.strictEqual(memo(), undefined);
    assert.ok(!api.globalState.keys().includes(memoKey(PROFILE)), api.globalState.keys().join());
    await waitFor('the item off the forgotten token', () => !/SalesIQ memo \d/.test(api.statusBar.current.text));
    // The profile shown next has its own memo, equal to its secret.
    const shown = await api.controller.store.readToken();
    assert.strictEqual(JSON.stringify(memo(api.controller.profile.name)), shown ? JSON.stringify(expected(shown)) : undefined);
  });
});
