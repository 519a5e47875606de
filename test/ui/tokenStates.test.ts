// The countdown a user watches, in each state, with the extension preloaded from a sandbox seed: text and
// background (fresh, warning, expired, refresh failed), the quick pick behind a click, and refreshes from the UI.
// The tests are one story, in order: each state is set by rewriting the seed and reloading the window.
import * as assert from 'assert';
import { findingFor } from '../../src/core/errors/catalogue';
import { USER } from './support/seed';
import { useSeededWorkbench } from './support/seededWorkbench';
import { shot } from './support/shots';
import { closeQuickInput, paletteLabels, quickPick, quickPickRow, runCommand, statusItem, toast, toastButton, waitForStatus } from './support/ui';

describe('token states in the status bar (installed from the VSIX, seeded)', function () {
  this.timeout(300_000);
  const rt = USER.refreshTokens[0];
  const ui = useSeededWorkbench();
  const requests = () => ui.sandbox.stats.tokenRequests[rt] ?? 0;
  const reopenWithToken = (expiresInMs: number) => ui.reopenWithToken(expiresInMs);

  it('fresh: minutes left, no background', async () => {
    // The seed was minted before VS Code started, which can take a minute or two on a busy machine.
    const look = await waitForStatus(ui.wb.page, /^SalesIQ user 5\dm$/);
    assert.strictEqual(look.background, 'none');
    assert.strictEqual(look.colour, look.themeColour);
    assert.match(look.ariaLabel, /^SalesIQ token, profile user: expires in /);
    await shot(ui.wb.page, 'status-fresh', { statusBar: true, readme: true });
  });

  it('a click opens the token actions as a quick pick', async () => {
    await statusItem(ui.wb.page).click();
    const qp = await quickPick(ui.wb.page);
    await shot(ui.wb.page, 'quick-pick', { readme: true });
    await closeQuickInput(ui.wb.page);
    assert.strictEqual(qp.title, 'SalesIQ — profile user');
    for (const l of ['Refresh Access Token', 'Switch Profile…', 'Copy Access Token', 'Set Up Credentials…', 'Import Credentials from .env…', 'Show Log', 'Open Settings', 'Forget Credentials…']) {
      assert.ok(qp.labels.includes(l), `${l} in ${qp.labels.join(' | ')}`);
    }
  });

  it('the palette offers the token commands under SalesIQ, but never the click target', async () => {
    const labels = await paletteLabels(ui.wb.page, 'SalesIQ:');
    await closeQuickInput(ui.wb.page);
    for (const l of ['SalesIQ: Refresh Access Token', 'SalesIQ: Copy Access Token', 'SalesIQ: Switch Profile…', 'SalesIQ: Forget Credentials…']) assert.ok(labels.includes(l), `${l} in ${labels.join(' | ')}`);
    assert.ok(!labels.includes('SalesIQ: Show Token Actions'));
  });

  it('SalesIQ: Refresh Access Token from the palette mints a new token at Zoho', async () => {
    await reopenWithToken(30 * 60_000);
    await waitForStatus(ui.wb.page, /^SalesIQ user 2\dm$/);
    const before = requests();
    await runCommand(ui.wb.page, 'SalesIQ: Refresh Access Token');
    await waitForStatus(ui.wb.page, /^SalesIQ user 59m$/);
    await ui.wb.page.locator('.statusbar-item', { hasText: 'SalesIQ token refreshed' }).waitFor({ timeout: 30_000 });
    await shot(ui.wb.page, 'refreshed', { statusBar: true });
    assert.strictEqual(requests(), before + 1);
  });

  it('warning: under five minutes, a seconds countdown on the warning background', async () => {
    await reopenWithToken(4 * 60_000);
    const look = await waitForStatus(ui.wb.page, /^SalesIQ user [0-3]m \d\ds$/);
    assert.strictEqual(look.background, 'warning');
    assert.strictEqual(look.colour, look.themeColour, 'painted statusBarItem.warningBackground');
    assert.notStrictEqual(look.colour, 'rgba(0, 0, 0, 0)');
    await shot(ui.wb.page, 'status-warning', { statusBar: true, readme: true });
  });

  it('expired: says so, on the error background', async () => {
    await reopenWithToken(-60_000);
    const look = await waitForStatus(ui.wb.page, /^SalesIQ user expired$/);
    assert.strictEqual(look.background, 'error');
    assert.strictEqual(look.colour, look.themeColour, 'painted statusBarItem.errorBackground');
    assert.notStrictEqual(look.colour, 'rgba(0, 0, 0, 0)');
    assert.match(look.ariaLabel, /expired/);
    await shot(ui.wb.page, 'status-expired', { statusBar: true, readme: true });
  });

  it('refresh failed: the countdown stays, on the error background, and a toast explains the fix', async () => {
    await reopenWithToken(40 * 60_000);
    await waitForStatus(ui.wb.page, /^SalesIQ user 3\dm$/);
    ui.sandbox.revoke(rt);
    await statusItem(ui.wb.page).click();
    await quickPick(ui.wb.page);
    // As a user would in a long list: type to filter, then pick (reading every label scrolled the list away).
    await ui.wb.page.locator('.quick-input-widget .quick-input-box input').fill('Refresh Access Token');
    await quickPickRow(ui.wb.page, 'Refresh Access Token').click();
    const failure = toast(ui.wb.page, findingFor('oauth', 'invalid_code').title);
    await failure.waitFor({ timeout: 30_000 });
    const look = await waitForStatus(ui.wb.page, /^SalesIQ user 3\dm$/);
    assert.strictEqual(look.background, 'error');
    assert.strictEqual(look.colour, look.themeColour);
    assert.match(look.ariaLabel, /last refresh failed/);
    for (const b of ['Authorize with Zoho…', 'Decode', 'Show Log']) assert.ok(await toastButton(failure, b).isVisible(), `toast button ${b}`);
    await shot(ui.wb.page, 'status-failed', { statusBar: true, readme: true });
    await shot(ui.wb.page, 'refresh-failed', { readme: true });
  });
});
