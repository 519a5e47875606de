// Run Doctor as a user does it: the palette, the report with a failing check (the service is down), its
// Restart Service button restarting the real service, and Re-run showing the check passing.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type SshdFixture, startSshd } from '../sshd/fixture';
import { ZohoSandbox } from '../sandbox/zohoSandbox';
import { writeSeed } from './support/seed';
import { shot } from './support/shots';
import { poll, runCommand, waitForStatus } from './support/ui';
import { Workbench } from './support/workbench';

describe('doctor report (installed from the VSIX, real OpenSSH server)', function () {
  this.timeout(300_000);
  let sandbox: ZohoSandbox;
  let fx: SshdFixture;
  let wb: Workbench;
  let seedDir: string;

  before(async () => {
    fx = await startSshd();
    fx.setSudoMode('nopasswd');
    sandbox = new ZohoSandbox();
    await sandbox.start();
    seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-ui-seed-'));
    const seedFile = path.join(seedDir, 'seed.json');
    writeSeed(seedFile, sandbox);
    const remote = { host: fx.host, port: fx.port, user: fx.user, identityFile: fx.keys.plain, knownHostsFile: fx.knownHostsPath, envPath: fx.envPath, service: fx.service, sudo: 'nopasswd' };
    const settings = Object.fromEntries(Object.entries(remote).map(([k, v]) => [`salesiq.remote.${k}`, v]));
    wb = await Workbench.open({ seedFile, settings: { 'salesiq.autoRefresh': false, 'salesiq.screenName': 'devkit-sandbox', ...settings } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(`post-mortem: ${await wb?.saveFailure(this.currentTest.fullTitle())}`);
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
    await fx?.stop();
    if (seedDir) fs.rmSync(seedDir, { recursive: true, force: true });
  });

  it('shows the failing check with its evidence, and its Restart Service button fixes it', async () => {
    const page = wb.page;
    await waitForStatus(page, /SalesIQ user \d+m/);
    assert.notStrictEqual(fx.serviceState(), 'active', 'the fixture starts with the service down');
    await runCommand(page, 'SalesIQ: Run Doctor');
    const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const row = view.locator('tr[data-check="service-active"]');
    await row.waitFor({ timeout: 120_000 });
    assert.match(await row.getAttribute('class') ?? '', /fail/);
    assert.match(await row.innerText(), /is (inactive|failed)/);
    assert.match(await view.locator('tr[data-check="unit-reads-env"]').getAttribute('class') ?? '', /pass/);
    await row.scrollIntoViewIfNeeded();
    await shot(page, 'doctor-report', { readme: true });
    await row.locator('button', { hasText: 'Restart Service' }).click();
    await poll('the service restarted from the report', async () => fx.serviceState(), (s) => s === 'active', 60_000);
    await view.locator('button', { hasText: 'Re-run' }).click();
    await poll('the re-run report', async () => (await view.locator('tr[data-check="service-active"]').getAttribute('class').catch(() => '')) ?? '', (c) => /pass/.test(c), 120_000);
    assert.match(await view.locator('tr[data-check="service-token"]').getAttribute('class') ?? '', /pass|warn/);
  });
});
