// A new user: the VSIX installed, no credentials yet. What the palette offers, the walkthrough, and setting up
// credentials through the real multi-step input until the countdown shows. The tests are one story, in order.
import * as assert from 'assert';
import { USER } from './support/seed';
import { useSeededWorkbench } from './support/seededWorkbench';
import { shot } from './support/shots';
import { answerInput, answerPick, closeQuickInput, paletteLabels, quickPickRow, runCommand, statusLook, toast, toastButton, waitForStatus } from './support/ui';

/** Commands whose when clause needs credentials or a token (package.json menus.commandPalette). */
const HIDDEN_WITHOUT_CREDENTIALS = ['SalesIQ: Refresh Access Token', 'SalesIQ: Copy Access Token', 'SalesIQ: Forget Credentials…', 'SalesIQ: Validate Token', 'SalesIQ: Push Token to Server'];

describe('first run in VS Code (installed from the VSIX)', function () {
  this.timeout(300_000);
  const ui = useSeededWorkbench({
    seed: false,
    settings: (sandbox) => ({ 'salesiq.accountsUrl': sandbox.accountsUrlTemplate, 'salesiq.salesiqUrl': sandbox.salesiqUrlTemplate }),
  });

  it('asks to set up in the status bar, without a background', async () => {
    const look = await waitForStatus(ui.wb.page, /^SalesIQ: set up$/);
    assert.strictEqual(look.background, 'none');
    assert.strictEqual(look.colour, look.themeColour, 'transparent: the status bar colour shows through');
    await shot(ui.wb.page, 'first-run-status', { statusBar: true });
  });

  it('lists only the commands that can run before credentials exist', async () => {
    const labels = await paletteLabels(ui.wb.page, 'SalesIQ:');
    await shot(ui.wb.page, 'first-run-palette');
    await closeQuickInput(ui.wb.page);
    for (const l of ['SalesIQ: Set Up Credentials…', 'SalesIQ: Import Credentials from .env…', 'SalesIQ: Show Log', 'SalesIQ: Open Settings']) assert.ok(labels.includes(l), `${l} is offered: ${labels.join(' | ')}`);
    for (const l of HIDDEN_WITHOUT_CREDENTIALS) assert.ok(!labels.includes(l), `${l} is hidden`);
    assert.ok(!labels.includes('SalesIQ: Show Token Actions'), 'the status bar click target is never in the palette');
    assert.ok(labels.every((l) => !l.startsWith('SalesIQ') || l.startsWith('SalesIQ: ')), 'every entry is in the SalesIQ category');
  });

  it('offers the Get Started walkthrough with its six steps', async () => {
    const labels = await paletteLabels(ui.wb.page, 'Open Walkthrough');
    const open = labels.find((l) => /Open Walkthrough/.test(l));
    assert.ok(open, labels.join(' | '));
    await quickPickRow(ui.wb.page, open).click();
    await quickPickRow(ui.wb.page, 'Get Started with SalesIQ DevKit').click();
    const steps = ui.wb.page.locator('.getting-started-step .step-title');
    await steps.first().waitFor({ timeout: 30_000 });
    assert.deepStrictEqual((await steps.allTextContents()).map((s) => s.trim()), ['Set up your credentials', 'Authorize with Zoho', 'Watch the countdown', 'Connect your server', 'Run Fix Now', 'When it still fails: Run Doctor']);
    // A narrow editor hides the step images; give the walkthrough the whole window.
    await runCommand(ui.wb.page, 'View: Close Primary Side Bar');
    // Step images render in a webview; give it a moment after it appears.
    await ui.wb.page.locator('.getting-started-media iframe').first().waitFor({ timeout: 30_000 });
    await ui.wb.page.waitForTimeout(2_000);
    await shot(ui.wb.page, 'walkthrough', { readme: true });
  });

  it('sets up credentials through the multi-step input and mints a token on request', async () => {
    const before = ui.sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0;
    await runCommand(ui.wb.page, 'SalesIQ: Set Up Credentials…');
    await answerInput(ui.wb.page, 'Profile name', 'user');
    await answerPick(ui.wb.page, /Data centre/, 'India', 'India (zoho.in)');
    await answerInput(ui.wb.page, 'Client ID', USER.clientId);
    await answerInput(ui.wb.page, 'Client secret', USER.clientSecret);
    await answerInput(ui.wb.page, 'Refresh token', USER.refreshTokens[0]);
    await answerInput(ui.wb.page, 'Current access token', '');
    const offer = toast(ui.wb.page, 'SalesIQ profile "user" is set up. Mint an access token now?');
    await offer.waitFor({ timeout: 30_000 });
    await shot(ui.wb.page, 'setup-done-toast');
    await toastButton(offer, 'Refresh Now').click();
    const look = await waitForStatus(ui.wb.page, /^SalesIQ user 59m$/);
    assert.strictEqual(look.background, 'none');
    assert.strictEqual(ui.sandbox.stats.tokenRequests[USER.refreshTokens[0]], before + 1, 'one token request reached Zoho');
  });

  it('marks the walkthrough step done and shows the token commands once credentials exist', async () => {
    const setupStep = ui.wb.page.locator('.getting-started-step', { hasText: 'Set up your credentials' });
    await setupStep.locator('.codicon-getting-started-step-checked').waitFor({ timeout: 30_000 });
    const labels = await paletteLabels(ui.wb.page, 'SalesIQ:');
    await closeQuickInput(ui.wb.page);
    for (const l of HIDDEN_WITHOUT_CREDENTIALS) assert.ok(labels.includes(l), `${l} is offered now: ${labels.join(' | ')}`);
    assert.strictEqual((await statusLook(ui.wb.page)).background, 'none');
  });
});
