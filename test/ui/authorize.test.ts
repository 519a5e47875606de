// A new user of `npm start`: the sandbox offers a profile that is not authorized yet. Authorize with Zoho from
// the status bar's actions, sign in on the sandbox's consent page in the browser, click Accept, and the
// countdown runs.
import * as assert from 'assert';
import * as fs from 'fs';
import type { Page } from 'playwright-core';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { freePort } from '../support/freePort';
import { useSeededWorkbench } from './support/seededWorkbench';
import { shot } from './support/shots';
import { answerInput, quickPick, quickPickRow, statusItem, toast, waitForStatus } from './support/ui';
import { Workbench } from './support/workbench';

const SERVER = SANDBOX_DEFAULTS.server;

/** The `npm start` seed's unauthorized profile alone: a server-based client, no refresh token. */
function writeUnauthorizedSeed(file: string, sandbox: ZohoSandbox): void {
  const seed = {
    accountsUrl: sandbox.accountsUrlTemplate,
    salesiqUrl: sandbox.salesiqUrlTemplate,
    profiles: [{ name: 'new', dataCenter: SERVER.dc, clientType: 'server', clientId: SERVER.clientId, clientSecret: SERVER.clientSecret, envKey: 'SALESIQ_ACCESS_TOKEN' }],
  };
  fs.writeFileSync(file, JSON.stringify(seed, null, 2), { mode: 0o600 });
}

describe('Authorize with Zoho (installed from the VSIX, sandbox consent page in the browser)', function () {
  this.timeout(300_000);
  let redirectPort = 0;
  before(async () => {
    redirectPort = await freePort();
  });
  const ui = useSeededWorkbench({ seed: writeUnauthorizedSeed, settings: () => ({ 'salesiq.authorize.redirectPort': redirectPort }) });

  it('from the status bar to the consent page and back: Accept, and the countdown runs', async () => {
    const { wb } = ui;
    const page = wb.page;
    await waitForStatus(page, /^SalesIQ new: set up$/);
    await statusItem(page).click();
    const actions = await quickPick(page);
    assert.strictEqual(actions.labels[0], 'Authorize with Zoho…', actions.labels.join(' | '));
    await quickPickRow(page, 'Authorize with Zoho…').click();
    await quickPickRow(page, 'new').click();
    await quickPickRow(page, 'Server-based client').click();
    await answerInput(page, /Scopes for a user token/, 'SalesIQ.portals.READ,SalesIQ.departments.READ');

    // DevKit opens Zoho's authorize URL in a new browser tab: the sandbox's consent page.
    const consent = await openedTab(wb, page);
    await consent.locator('#accept').waitFor({ timeout: 30_000 });
    assert.match(await consent.locator('body').innerText(), /SalesIQ\.portals\.READ/);
    await shot(consent, 'authorize-consent', { readme: true });
    await consent.locator('#accept').click();
    await consent.locator('#result', { hasText: 'Authorized' }).waitFor({ timeout: 30_000 });
    assert.match(await consent.locator('body').innerText(), /You can close this tab and return to VS Code/);
    await consent.close();

    const look = await waitForStatus(page, /^SalesIQ new (59|60)m$/, 60_000);
    assert.strictEqual(look.background, 'none');
    await toast(page, 'SalesIQ profile "new" is authorized').waitFor({ timeout: 30_000 });
    await shot(page, 'authorize-done', { readme: true });
  });
});

/**
 * The tab `vscode.env.openExternal` opens. VS Code for the Web asks first when the browser blocks the pop-up;
 * then its Open button opens it.
 */
async function openedTab(wb: Workbench, page: Page): Promise<Page> {
  const tab = wb.context.waitForEvent('page', { timeout: 60_000 });
  const blocked = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
  void blocked
    .waitFor({ timeout: 15_000 })
    .then(() => blocked.click())
    .catch(() => undefined); // no dialog: the tab opened directly
  const opened = await tab;
  await opened.waitForLoadState('domcontentloaded');
  return opened;
}
