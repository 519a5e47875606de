import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DevKitApi } from '../../src/extension';
import { runCli } from '../cli/run';
import { RedisFixture } from '../hub/redisFixture';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { devkit, setSetting, startSandbox, waitFor } from './helpers';

const USER = SANDBOX_DEFAULTS.user;
/** A refresh token of its own, so the hub test neither spends nor sees the budget of the other suites. */
const HUB_RT = '1000.0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e.0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f';

describe('team hub in a real VS Code', function () {
  let sandbox: ZohoSandbox;
  let redis: RedisFixture;
  let api: DevKitApi;
  let previousProfile: string;

  before(async function () {
    this.timeout(60_000);
    redis = new RedisFixture();
    await redis.start();
    sandbox = await startSandbox({ clients: [{ ...USER, refreshTokens: [...USER.refreshTokens, HUB_RT] }] });
    api = await devkit();
    previousProfile = api.controller.profile.name;
  });

  after(async function () {
    this.timeout(30_000);
    await setSetting('hub.url', undefined);
    await vscode.commands.executeCommand('salesiq.switchProfile', previousProfile).then(undefined, () => undefined);
    await sandbox.stop();
    await redis.dispose();
  });

  it('adopts the token a CLI instance on another "machine" minted, at once, and the tooltip says where it came from', async function () {
    this.timeout(90_000);
    const creds = { profile: 'team', dataCenter: 'in', clientId: USER.clientId, clientSecret: USER.clientSecret, refreshToken: HUB_RT };
    assert.strictEqual(await vscode.commands.executeCommand('salesiq.setupCredentials', creds), true);
    await setSetting('hub.url', redis.url);
    await vscode.commands.executeCommand('salesiq.setHubPassword', redis.userPassword);
    await waitFor('the hub row in the tooltip', () => /Team hub \| connected to redis:\/\/devkit@127\.0\.0\.1/.test(api.statusBar.current.tooltip), 20_000);

    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-cli-machine-'));
    const cli = await runCli(
      ['refresh', '--json', '--print-token', '--dc', 'in', '--accounts-url', sandbox.accountsUrlTemplate, '--state-dir', stateDir, '--hub', redis.url],
      {
        SALESIQ_CLIENT_ID: USER.clientId,
        SALESIQ_CLIENT_SECRET: USER.clientSecret,
        SALESIQ_REFRESH_TOKEN: HUB_RT,
        SALESIQ_HUB_PASSWORD: redis.userPassword,
        XDG_CONFIG_HOME: stateDir,
      },
    );
    assert.strictEqual(cli.code, 0, cli.stderr);
    assert.strictEqual(cli.json.source, 'minted');

    await waitFor('the window to hold the CLI\'s token', () => api.controller.token?.accessToken === cli.json.accessToken, 20_000);
    // The item redraws on the controller's change event, which follows the token after two setContext round trips.
    await waitFor('the tooltip to say where the token came from', () => /Token source \| adopted from the team hub, minted by host \S+/.test(api.statusBar.current.tooltip), 20_000);
    assert.strictEqual(sandbox.stats.tokenRequests[HUB_RT], 1, 'the window adopted instead of minting a second token');

    // A manual refresh in the window adopts the team's still-fresh token too: no second mint.
    const t = await api.controller.refresh();
    assert.strictEqual(t.accessToken, cli.json.accessToken);
    assert.strictEqual(sandbox.stats.tokenRequests[HUB_RT], 1);
  });
});
