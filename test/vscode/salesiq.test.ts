import * as assert from 'assert';
import * as vscode from 'vscode';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox } from './helpers';

const { user: USER, org: ORG, portal: PORTAL } = SANDBOX_DEFAULTS;

interface ValidateOutcome {
  validity: string;
  profile: string;
  finding?: { code: unknown; action: string };
}

describe('validate token in a real VS Code', function () {
  let sandbox: ZohoSandbox;

  before(async () => {
    sandbox = await startSandbox();
    await setSetting('screenName', PORTAL.screenName);
    await setSetting('appId', PORTAL.appId);
    await devkit();
  });

  after(() => sandbox.stop());

  const setup = (profile: string, client: typeof USER, accessToken: string) =>
    vscode.commands.executeCommand('salesiq.setupCredentials', { profile, dataCenter: 'in', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: client.refreshTokens[0], accessToken });

  it('a freshly minted user token is valid', async () => {
    await setup('v-user', USER, sandbox.mint(USER.refreshTokens[0]).accessToken);
    const r = await vscode.commands.executeCommand<ValidateOutcome>('salesiq.validateToken');
    assert.deepStrictEqual([r.validity, r.profile], ['valid', 'v-user']);
  });

  it('an expired token reads as expired, with refresh as the fix', async () => {
    sandbox.expireAll();
    const r = await vscode.commands.executeCommand<ValidateOutcome>('salesiq.validateToken');
    assert.strictEqual(r.validity, 'expired');
    assert.deepStrictEqual([r.finding?.code, r.finding?.action], [1001, 'refresh']);
  });

  it('a wrong screen name reads as the wrong portal', async () => {
    await setup('v-user', USER, sandbox.mint(USER.refreshTokens[0]).accessToken);
    await setSetting('screenName', 'no-such-portal');
    try {
      const r = await vscode.commands.executeCommand<ValidateOutcome>('salesiq.validateToken');
      assert.strictEqual(r.validity, 'wrong-portal');
    } finally {
      await setSetting('screenName', PORTAL.screenName);
    }
  });

  it('an org token is checked against its brand app', async () => {
    await setup('v-org', ORG, sandbox.mint(ORG.refreshTokens[0]).accessToken);
    const r = await vscode.commands.executeCommand<ValidateOutcome>('salesiq.validateToken');
    assert.strictEqual(r.validity, 'valid');
  });
});

interface TransferOutcome {
  status: number;
  conversationId: string | null;
  refreshed: boolean;
  profile: string;
}

describe('send test transfer in a real VS Code', function () {
  let sandbox: ZohoSandbox;
  const setup = (profile: string, client: typeof USER, accessToken: string) =>
    vscode.commands.executeCommand('salesiq.setupCredentials', { profile, dataCenter: 'in', clientId: client.clientId, clientSecret: client.clientSecret, refreshToken: client.refreshTokens[0], accessToken });

  before(async () => {
    sandbox = await startSandbox();
    await setSetting('screenName', PORTAL.screenName);
    await setSetting('appId', PORTAL.appId);
    await setSetting('departmentId', PORTAL.departmentId);
    await setSetting('transferProfile', 't-org');
  });

  after(() => sandbox.stop());

  it('opens a labelled conversation with the org token and reports 201 and its id', async () => {
    await setup('t-org', ORG, sandbox.mint(ORG.refreshTokens[0]).accessToken);
    const r = await vscode.commands.executeCommand<TransferOutcome>('salesiq.sendTestTransfer', { confirm: false });
    assert.deepStrictEqual([r.status, r.profile, r.refreshed], [201, 't-org', false]);
    assert.ok(r.conversationId, 'a conversation id');
    assert.strictEqual(sandbox.stats.conversationsCreated >= 1, true);
  });

  it('an expired org token is refreshed once and the transfer retried once', async () => {
    const before = sandbox.stats.conversationsCreated;
    sandbox.expireAll();
    const r = await vscode.commands.executeCommand<TransferOutcome>('salesiq.sendTestTransfer', { confirm: false });
    assert.strictEqual(r.status, 201);
    assert.strictEqual(r.refreshed, true);
    assert.strictEqual(sandbox.stats.conversationsCreated, before + 1);
  });

  it('a user token on the visitor API fails with 1009 and creates nothing', async () => {
    await setup('t-org', USER, sandbox.mint(USER.refreshTokens[0]).accessToken);
    const before = sandbox.stats.conversationsCreated;
    const r = await vscode.commands.executeCommand<{ finding: { code: unknown; category: string } }>('salesiq.sendTestTransfer', { confirm: false });
    assert.deepStrictEqual([r.finding.code, r.finding.category], [1009, 'scope']);
    assert.strictEqual(sandbox.stats.conversationsCreated, before);
  });

  it('names every missing setting instead of sending', async () => {
    await setSetting('appId', '');
    try {
      const r = await vscode.commands.executeCommand<{ finding: { action: string; explanation: string } }>('salesiq.sendTestTransfer', { confirm: false });
      assert.strictEqual(r.finding.action, 'fix-config');
      assert.match(r.finding.explanation, /salesiq\.appId/);
    } finally {
      await setSetting('appId', PORTAL.appId);
    }
  });
});
