// Push Token to Server as a user does it: the palette, the modal with the masked diff, Write, and the result,
// against the private OpenSSH server of test/sshd (real sshd and sudo; needs root).
import * as assert from 'assert';
import * as fs from 'fs';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { type SshdFixture, startSshd } from '../sshd/fixture';
import { useSeededWorkbench } from './support/seededWorkbench';
import { shot } from './support/shots';
import { runCommand, toast, waitForStatus } from './support/ui';

describe('push with its diff confirmation (installed from the VSIX, real OpenSSH server)', function () {
  this.timeout(300_000);
  let fx: SshdFixture;
  let token: string;

  before(async () => {
    fx = await startSshd();
    fx.setSudoMode('nopasswd');
  });
  const ui = useSeededWorkbench({
    settings: () => {
      const remote = { host: fx.host, port: fx.port, user: fx.user, identityFile: fx.keys.plain, knownHostsFile: fx.knownHostsPath, envPath: fx.envPath, service: fx.service, sudo: 'nopasswd' };
      return Object.fromEntries(Object.entries(remote).map(([k, v]) => [`salesiq.remote.${k}`, v]));
    },
  });
  before(() => {
    token = JSON.parse(fs.readFileSync(ui.seedFile, 'utf8')).profiles[0].accessToken;
  });
  after(async () => {
    await fx?.stop();
  });

  it('shows the one-line diff with the tokens masked, and Write puts the token in the server’s .env', async () => {
    const page = ui.wb.page;
    await waitForStatus(page, /SalesIQ user \d+m/);
    const before = fx.readEnv();
    await runCommand(page, 'SalesIQ: Push Token to Server');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 60_000 });
    const text = await dialog.innerText();
    assert.match(text, /Write the new SALESIQ_ACCESS_TOKEN/, text);
    assert.match(text, /SALESIQ_ACCESS_TOKEN=1000\.\w{4}…\w{4}/, 'the diff shows the key with a masked token');
    assert.ok(!text.includes(token), 'the full token is never shown');
    assert.ok(fx.readEnv().equals(before), 'nothing written before the confirmation');
    await shot(page, 'push-confirm', { readme: true });
    await dialog.locator('.monaco-button', { hasText: /^Write$/ }).click();
    await toast(page, /pushed to/).waitFor({ timeout: 60_000 });
    assert.strictEqual(readEnvKey(fx.readEnv(), 'SALESIQ_ACCESS_TOKEN'), token);
    assert.strictEqual(fx.serviceState(), 'active');
  });
});
