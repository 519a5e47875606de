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
