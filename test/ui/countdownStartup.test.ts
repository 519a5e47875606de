// The countdown at window start: the bootstrap (dist/bootstrap.js, activated at `*`) draws it from one secret, the
// full extension (dist/extension.js) takes the same item over. The full extension is held back here
// (SALESIQ_DEVKIT_FULL_LOAD_MS = an hour) so that only a command can load it: the test sees the bootstrap's item,
// then proves a click and a palette command run before the full extension existed, and that the item it then
// keeps updating is the same one, never showing any other text on the way.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { ZohoSandbox } from '../sandbox/zohoSandbox';
import { USER, writeSeed } from './support/seed';
import { closeQuickInput, poll, quickPick, runCommand, statusItem, waitForStatus } from './support/ui';
import { Workbench } from './support/workbench';

const EXTENSION_ID = 'salesiq-devkit.salesiq-devkit';

describe('the countdown at startup (installed from the VSIX, seeded)', function () {
  this.timeout(300_000);
  let sandbox: ZohoSandbox;
  let wb: Workbench;
  let seedDir: string;

  before(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
    seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-ui-seed-'));
    const seedFile = path.join(seedDir, 'seed.json');
    writeSeed(seedFile, sandbox, { expiresInMs: 30 * 60_000 });
    // The first load imports the seed (the full extension loads at once for it); the tests reload after that.
    wb = await Workbench.open({ seedFile, settings: { 'salesiq.autoRefresh': false }, env: { SALESIQ_DEVKIT_FULL_LOAD_MS: '3600000' } });
    await recordItemTexts(wb.page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(`post-mortem: ${await wb?.saveFailure(this.currentTest.fullTitle())}`);
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
    fs.rmSync(seedDir, { recursive: true, force: true });
  });

  it('after a reload the countdown is drawn at `*` activation, before the full extension loads', async () => {
    const before = fullActivations(wb);
    await wb.reload();
    const look = await waitForStatus(wb.page, /^SalesIQ user 2\dm$/);
    assert.match(look.ariaLabel, /^SalesIQ token, profile user: expires in 2\d min$/);
    assert.strictEqual(look.background, 'none');
    assert.match(lastStarActivation(wb) ?? '', /activationEvent: '\*'/, 'activated by `*`');
    assert.strictEqual(fullActivations(wb), before, 'the full extension has not loaded');
  });

  it('a click before the full extension loaded opens the token actions', async () => {
    const before = fullActivations(wb);
    await statusItem(wb.page).click();
    const qp = await quickPick(wb.page);
    await closeQuickInput(wb.page);
    assert.strictEqual(qp.title, 'SalesIQ — profile user');
    for (const l of ['Refresh Access Token', 'Switch Profile…', 'Copy Access Token', 'Show Log']) assert.ok(qp.labels.includes(l), `${l} in ${qp.labels.join(' | ')}`);
    await poll('the full extension loaded by the click', async () => fullActivations(wb), (n) => n === before + 1);
  });

  it('the full extension keeps the same item: a refresh updates it, and no other text ever showed', async () => {
    const requests = () => sandbox.stats.tokenRequests[USER.refreshTokens[0]] ?? 0;
    const before = requests();
    await runCommand(wb.page, 'SalesIQ: Refresh Access Token');
    await waitForStatus(wb.page, /^SalesIQ user 59m$/);
    assert.strictEqual(requests(), before + 1, 'one new token minted');
    assert.strictEqual(await statusItem(wb.page).count(), 1, 'one item with the id');
    assert.strictEqual(await wb.page.locator('.statusbar-item', { hasText: /^\s*SalesIQ user/ }).count(), 1, 'one countdown');
    const texts = await itemTexts(wb.page);
    assert.match(texts[0] ?? '', /^SalesIQ user 2\dm$/, 'the first text is the countdown');
    const odd = texts.filter((t) => !/^SalesIQ user (2\dm|59m|refreshing…)$/.test(t));
    assert.deepStrictEqual(odd, [], `every text since the reload: ${texts.join(' → ')}`);
  });

  it('a palette command before the full extension loaded runs', async () => {
    const before = fullActivations(wb);
    await wb.reload();
    await waitForStatus(wb.page, /^SalesIQ user 59m$/);
    assert.strictEqual(fullActivations(wb), before, 'the full extension has not loaded in the new window');
    await runCommand(wb.page, 'SalesIQ: Switch Profile…');
    const qp = await quickPick(wb.page);
    await closeQuickInput(wb.page);
    assert.strictEqual(qp.title, 'SalesIQ: Switch Profile');
    assert.ok(qp.labels.some((l) => /user/.test(l)), qp.labels.join(' | '));
  });
});

/** Every text the item shows, recorded in the page from its first appearance (survives reloads: an init script). */
async function recordItemTexts(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const texts = (window.__salesiqTexts = []);
    new MutationObserver(() => {
      const el = document.getElementById('${EXTENSION_ID}.salesiq.token');
      const t = el ? (el.textContent || '').trim() : undefined;
      if (t !== undefined && texts[texts.length - 1] !== t) texts.push(t);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  })();`);
}

async function itemTexts(page: Page): Promise<string[]> {
  return page.evaluate('window.__salesiqTexts || []') as Promise<string[]>;
}

/** The extension host's log files of every window load so far (logs/…/exthostN/). */
function hostDirs(wb: Workbench): string[] {
  const walk = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (/^exthost\d+$/.test(e.name) ? [path.join(dir, e.name)] : walk(path.join(dir, e.name))) : []))
      : [];
  return walk(wb.logsDir);
}

/** How many times the full extension activated: its "[activate]" log line, once per extension host. */
function fullActivations(wb: Workbench): number {
  return hostDirs(wb).filter((h) => {
    const dir = path.join(h, EXTENSION_ID);
    return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /\[activate\] /.test(fs.readFileSync(path.join(dir, f), 'utf8')));
  }).length;
}

/** The extension host's line saying why DevKit activated, in the most recently written host log. */
function lastStarActivation(wb: Workbench): string | undefined {
  const logs = hostDirs(wb).map((h) => path.join(h, 'remoteexthost.log')).filter((f) => fs.existsSync(f));
  logs.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  const last = logs[logs.length - 1];
  return last && fs.readFileSync(last, 'utf8').split('\n').find((l) => l.includes(`_doActivateExtension ${EXTENSION_ID},`));
}
