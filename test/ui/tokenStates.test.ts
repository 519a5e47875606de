// The countdown a user watches, in each state, with the extension preloaded from a sandbox seed: text and
// background (fresh, warning, expired, refresh failed), the quick pick behind a click, and refreshes from the UI.
// The tests are one story, in order: each state is set by rewriting the seed and reloading the window.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findingFor } from '../../src/core/errors/catalogue';
import { ZohoSandbox } from '../sandbox/zohoSandbox';
import { USER, writeSeed } from './support/seed';
import { shot } from './support/shots';
import { closeQuickInput, paletteLabels, quickPick, quickPickRow, runCommand, statusItem, toast, toastButton, waitForStatus } from './support/ui';
import { Workbench } from './support/workbench';

describe('token states in the status bar (installed from the VSIX, seeded)', function () {
  this.timeout(300_000);
  const rt = USER.refreshTokens[0];
  let sandbox: ZohoSandbox;
  let wb: Workbench;
  let seedDir: string;
  let seedFile: string;
  const requests = () => sandbox.stats.tokenRequests[rt] ?? 0;

  /** Seeds a token with this much time left and reloads the window, as a user reopening VS Code would. */
  async function reopenWithToken(expiresInMs: number): Promise<void> {
    writeSeed(seedFile, sandbox, { expiresInMs });
    await wb.reload();
  }

  before(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
    seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-ui-seed-'));
    seedFile = path.join(seedDir, 'seed.json');
    writeSeed(seedFile, sandbox);
    // Auto-refresh off: each state must stay put while it is looked at.
    wb = await Workbench.open({ seedFile, settings: { 'salesiq.autoRefresh': false } });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(`post-mortem: ${await wb?.saveFailure(this.currentTest.fullTitle())}`);
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
    if (seedDir) fs.rmSync(seedDir, { recursive: true, force: true });
  });

  it('fresh: minutes left, no background', async () => {
    // The seed was minted before VS Code started, which can take a minute or two on a busy machine.
    const look = await waitForStatus(wb.page, /^SalesIQ user 5\dm$/);
    assert.strictEqual(look.background, 'none');
    assert.strictEqual(look.colour, look.themeColour);
    assert.match(look.ariaLabel, /^SalesIQ token, profile user: expires in /);
    await shot(wb.page, 'status-fresh', { statusBar: true, readme: true });
  });

  it('a click opens the token actions as a quick pick', async () => {
    await statusItem(wb.page).click();
    const qp = await quickPick(wb.page);
    await shot(wb.page, 'quick-pick', { readme: true });
    await closeQuickInput(wb.page);
    assert.strictEqual(qp.title, 'SalesIQ — profile user');
    for (const l of ['Refresh Access Token', 'Switch Profile…', 'Copy Access Token', 'Set Up Credentials…', 'Import Credentials from .env…', 'Show Log', 'Open Settings', 'Forget Credentials…']) {
      assert.ok(qp.labels.includes(l), `${l} in ${qp.labels.join(' | ')}`);
    }
  });

  it('the palette offers the token commands under SalesIQ, but never the click target', async () => {
    const labels = await paletteLabels(wb.page, 'SalesIQ:');
    await closeQuickInput(wb.page);
    for (const l of ['SalesIQ: Refresh Access Token', 'SalesIQ: Copy Access Token', 'SalesIQ: Switch Profile…', 'SalesIQ: Forget Credentials…']) assert.ok(labels.includes(l), `${l} in ${labels.join(' | ')}`);
    assert.ok(!labels.includes('SalesIQ: Show Token Actions'));
  });

  it('SalesIQ: Refresh Access Token from the palette mints a new token at Zoho', async () => {
    await reopenWithToken(30 * 60_000);
    await waitForStatus(wb.page, /^SalesIQ user 2\dm$/);
    const before = requests();
    await runCommand(wb.page, 'SalesIQ: Refresh Access Token');
    await waitForStatus(wb.page, /^SalesIQ user 59m$/);
    await wb.page.locator('.statusbar-item', { hasText: 'SalesIQ token refreshed' }).waitFor({ timeout: 30_000 });
    await shot(wb.page, 'refreshed', { statusBar: true });
    assert.strictEqual(requests(), before + 1);
  });

  it('warning: under five minutes, a seconds countdown on the warning background', async () => {
    await reopenWithToken(4 * 60_000);
    const look = await waitForStatus(wb.page, /^SalesIQ user [0-3]m \d\ds$/);
    assert.strictEqual(look.background, 'warning');
    assert.strictEqual(look.colour, look.themeColour, 'painted statusBarItem.warningBackground');
    assert.notStrictEqual(look.colour, 'rgba(0, 0, 0, 0)');
    await shot(wb.page, 'status-warning', { statusBar: true, readme: true });
  });

  it('expired: says so, on the error background', async () => {
    await reopenWithToken(-60_000);
    const look = await waitForStatus(wb.page, /^SalesIQ user expired$/);
    assert.strictEqual(look.background, 'error');
    assert.strictEqual(look.colour, look.themeColour, 'painted statusBarItem.errorBackground');
    assert.notStrictEqual(look.colour, 'rgba(0, 0, 0, 0)');
    assert.match(look.ariaLabel, /expired/);
    await shot(wb.page, 'status-expired', { statusBar: true, readme: true });
  });

  it('refresh failed: the countdown stays, on the error background, and a toast explains the fix', async () => {
    await reopenWithToken(40 * 60_000);
    await waitForStatus(wb.page, /^SalesIQ user 3\dm$/);
    sandbox.revoke(rt);
    await statusItem(wb.page).click();
    await quickPick(wb.page);
    await quickPickRow(wb.page, 'Refresh Access Token').click();
    const failure = toast(wb.page, findingFor('oauth', 'invalid_code').title);
    await failure.waitFor({ timeout: 30_000 });
    const look = await waitForStatus(wb.page, /^SalesIQ user 3\dm$/);
    assert.strictEqual(look.background, 'error');
    assert.strictEqual(look.colour, look.themeColour);
    assert.match(look.ariaLabel, /last refresh failed/);
    for (const b of ['Authorize with Zoho…', 'Decode', 'Show Log']) assert.ok(await toastButton(failure, b).isVisible(), `toast button ${b}`);
    await shot(wb.page, 'status-failed', { statusBar: true, readme: true });
    await shot(wb.page, 'refresh-failed', { readme: true });
  });
});
