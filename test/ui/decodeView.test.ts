// Decode as a user does it: the palette, the seed's error pasted into the input box, the decode view with
// its evidence, and the fix button in the view doing the fix.
import * as assert from 'assert';
import { USER } from './support/seed';
import { useSeededWorkbench } from './support/seededWorkbench';
import { shot } from './support/shots';
import { answerInput, poll, runCommand, waitForStatus } from './support/ui';

const SEED_ERROR = 'HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}';

describe('decode view (installed from the VSIX, seeded)', function () {
  this.timeout(300_000);
  // A token that expired ten minutes ago: the state of the seed's outage.
  const ui = useSeededWorkbench({ expiresInMs: -10 * 60_000 });

  it('the pasted seed error reads as an expired token with its evidence, and the view’s Refresh Token button refreshes', async () => {
    const page = ui.wb.page;
    await waitForStatus(page, /SalesIQ user expired/);
    await runCommand(page, 'SalesIQ: Decode Error…');
    await answerInput(page, /Paste a SalesIQ or Zoho error/, SEED_ERROR);
    // The view is a webview: its document sits two iframes deep.
    const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    await view.locator('body', { hasText: '1001' }).waitFor({ timeout: 60_000 });
    const body = await view.locator('body').innerText();
    assert.match(body, /expired/i, body);
    assert.match(body, /expired \d+ min ago at \d\d:\d\d local/, 'evidence from the stored expiry');
    await shot(page, 'decode-view', { readme: true });
    const before = ui.sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0;
    await view.locator('button', { hasText: 'Refresh Token' }).click();
    await poll('a refresh from the view', async () => ui.sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0, (n) => n === before + 1);
    await waitForStatus(page, /SalesIQ user (59|60)m/);
  });
});
