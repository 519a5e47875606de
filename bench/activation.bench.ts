/**
 * When the countdown shows and what DevKit's activation costs in the real extension host: the packaged VSIX in
 * code-server, preloaded from a sandbox seed, the window reloaded RUNS times (each reload starts a new extension
 * host and activates again). DevKit's `main` is the bootstrap (dist/bootstrap.js, activated at `*`), which draws
 * the countdown; the full extension (dist/extension.js) loads after it. Per reload:
 *  - page load (DOMContentLoaded) → the first other status bar item, and → the countdown;
 *  - VS Code's own activation time, as "Developer: Show Running Extensions" shows it: loading the bootstrap bundle
 *    + its activate() call (target ≤ 10 ms);
 *  - from the extension host starting DevKit to the full extension's activate() finishing ("[activate]" in DevKit's
 *    log): the bootstrap's deliberate delay plus the full extension's load and SecretStorage round trips.
 * The first load imports the seed and is left out. Run after `tsc`: node out/bench/activation.bench.js
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ZohoSandbox } from '../test/sandbox/zohoSandbox';
import { writeSeed } from '../test/ui/support/seed';
import { poll, runCommand, statusItem } from '../test/ui/support/ui';
import { report } from './report';
import { Workbench } from '../test/ui/support/workbench';
import { repoRoot } from '../test/harness/tools';

const RUNS = 3;
const EXTENSION_ID = 'salesiq-devkit.salesiq-devkit';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

interface Shown {
  /** Date.now() at the page's DOMContentLoaded. */
  loadedAt: number;
  /** ms after loadedAt: the first status bar item other than DevKit's, and DevKit's countdown. */
  statusBar: number;
  countdown: number;
  /** The status bar items (ids) present when the countdown showed. */
  ids: string[];
}

/**
 * What a user who opens the window to check the token sees: from the page's DOMContentLoaded to the first
 * status bar item of the workbench other than DevKit's, and to DevKit's countdown.
 */
async function countdownAfterLoad(wb: Workbench): Promise<Shown> {
  const page = wb.page;
  await page.reload({ waitUntil: 'domcontentloaded', timeout: 120_000 });
  const loadedAt = Date.now();
  await page.locator(`#workbench\\.parts\\.statusbar .statusbar-item:not([id="${EXTENSION_ID}.salesiq.token"])`).first().waitFor({ timeout: 120_000 });
  const statusBar = Date.now() - loadedAt;
  await statusItem(page).waitFor({ timeout: 120_000 });
  const countdown = Date.now() - loadedAt;
  const ids = await page.locator('#workbench\\.parts\\.statusbar .statusbar-item').evaluateAll((els) => els.map((e) => e.id));
  return { loadedAt, statusBar, countdown, ids };
}

/** "Activation: 42ms" (or "Startup Activation: …") from the Running Extensions editor's DevKit row. */
async function runningExtensionsMs(wb: Workbench): Promise<number> {
  await runCommand(wb.page, 'Developer: Show Running Extensions');
  const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'SalesIQ DevKit' });
  // The list is sorted slowest first and virtualized: a fast activation sits near the end, so scroll down to it.
  const list = wb.page.locator('.runtime-extensions-editor .monaco-list');
  await list.waitFor({ timeout: 60_000 });
  for (let i = 0; i < 30 && !(await row.count()); i++) {
    await list.hover();
    await wb.page.mouse.wheel(0, 200);
    await wb.page.waitForTimeout(200);
  }
  const text = await poll('DevKit activation time', () => row.locator('.activation-time').textContent({ timeout: 60_000 }), (t) => /Activation: \d+ms/.test(t ?? ''));
  return Number(/Activation: (\d+)ms/.exec(text!)![1]);
}

/**
 * Per extension host (one per window load), from its log and DevKit's: when it started, when it activated DevKit,
 * and when the full extension's activate() finished.
 */
interface HostTimes {
  hostAt: number;
  activatedAt: number;
  fullAt: number;
  startupFinishedAt?: number;
}

function hostTimeline(logsDir: string): HostTimes[] {
  const out: HostTimes[] = [];
  for (const host of findDirs(logsDir, /^exthost\d+$/)) {
    const log = path.join(host, 'remoteexthost.log');
    const hostAt = stampOf(log, /Extension host with pid \d+ started/);
    const activatedAt = stampOf(log, new RegExp(`_doActivateExtension ${EXTENSION_ID.replace('.', '\\.')},`));
    const extLogs = path.join(host, EXTENSION_ID);
    const stamps = fs.existsSync(extLogs) ? fs.readdirSync(extLogs).map((f) => stampOf(path.join(extLogs, f), /\[activate\] /)) : [];
    const fullAt = stamps.find((t) => t !== undefined);
    // Where DevKit used to activate: the first extension this host activated for onStartupFinished.
    const startupFinishedAt = stampOf(log, /activationEvent: 'onStartupFinished'/);
    if (hostAt === undefined || activatedAt === undefined || fullAt === undefined) continue;
    out.push({ hostAt, activatedAt, fullAt, startupFinishedAt });
  }
  return out.sort((a, b) => a.hostAt - b.hostAt);
}

function findDirs(root: string, name: RegExp): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { withFileTypes: true }).flatMap((e) => {
    if (!e.isDirectory()) return [];
    const p = path.join(root, e.name);
    return name.test(e.name) ? [p] : findDirs(p, name);
  });
}

/** Time of the first log line matching re ("2026-11-26 00:02:41.597 [info] …", local time). */
function stampOf(file: string, re: RegExp): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => re.test(l));
  const m = line && /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
  return m ? new Date(`${m[1]}T${m[2]}`).getTime() : undefined;
}

/**
 * The bootstrap's own cost without the workbench around it: a fresh Node process loads dist/bootstrap.js with a
 * stand-in `vscode` (every property and call answers the stand-in) and calls activate() with a minimal context
 * whose globalState holds a countdown memo: the time from before the require to activate()'s return, and then to
 * the first draw from the memo (src/vscode/expiryMemo.ts), which the bootstrap makes in the next turn. VS Code's
 * figure above also holds the waits of a busy extension host (other extensions loading in the same thread).
 */
function isolatedActivationMs(): { activate: number; draw: number } {
  const script = [
    'const item = { show() { item.shown = true; }, hide() {}, dispose() {} };',
    'const vscode = { window: { createStatusBarItem: () => item }, StatusBarAlignment: { Left: 1 }, ExtensionMode: { Production: 1 },',
    '  MarkdownString: class { constructor(value) { this.value = value; } }, ThemeColor: class { constructor(id) { this.id = id; } },',
    '  commands: { registerCommand: () => ({ dispose() {} }), executeCommand: async () => undefined } };',
    'vscode.workspace = { getConfiguration: () => ({ get: () => undefined }) };',
    "const M = require('module'); const load = M._load;",
    "M._load = function (r, ...a) { return r === 'vscode' ? vscode : load.call(this, r, ...a); };",
    "const packageJSON = require('./package.json');",
    'const memo = { v: 1, obtainedAt: Date.now() - 600000, expiresAt: Date.now() + 3000000 };',
    "const globalState = { get: (k) => (k === 'salesiq.countdown/default' ? memo : undefined) };",
    'const context = { subscriptions: [], extension: { packageJSON }, globalState, secrets: { get: () => new Promise(() => {}) }, extensionMode: 1 };',
    'const t0 = performance.now();',
    "require('./' + packageJSON.main).activate(context);",
    'const t1 = performance.now();',
    'setImmediate(() => {',
    "  if (!item.shown || !/SalesIQ \\d+m$/.test(item.text)) throw new Error('the bootstrap drew no countdown from the memo: ' + item.text);",
    '  console.log(JSON.stringify([t1 - t0, performance.now() - t1]));',
    '  // The drawn countdown keeps a timer: disposing what activate() registered lets this process end.',
    '  for (const d of context.subscriptions) d.dispose();',
    '});',
  ].join('\n');
  const runs = Array.from({ length: 7 }, () => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot(), encoding: 'utf8' })) as [number, number]);
  return { activate: median(runs.map((r) => r[0])), draw: median(runs.map((r) => r[1])) };
}

/** `node -e 0` in the same run: how loaded the machine is (a quiet one answers in ~40 ms). */
function bareNodeMs(): number {
  const runs = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    return performance.now() - t0;
  });
  return median(runs);
}

async function main(): Promise<void> {
  const isolated = isolatedActivationMs();
  const bare = bareNodeMs();
  const sandbox = new ZohoSandbox();
  await sandbox.start();
  const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-bench-seed-'));
  const seedFile = path.join(seedDir, 'seed.json');
  writeSeed(seedFile, sandbox);
  const wb = await Workbench.open({ seedFile, settings: { 'salesiq.autoRefresh': false } });
  const vscodeMs: number[] = [];
  try {
    const shown: Shown[] = [];
    for (let i = 0; i < RUNS; i++) {
      shown.push(await countdownAfterLoad(wb));
      vscodeMs.push(await runningExtensionsMs(wb));
    }
    // Each reload's extension host: the first one started after that page load began.
    const hosts = hostTimeline(wb.logsDir);
    const perLoad = shown.map((s) => {
      const h = hosts.find((x) => x.hostAt >= s.loadedAt - 30_000 && x.activatedAt >= s.loadedAt - 5_000);
      if (!h) throw new Error(`no extension host log for the page load at ${new Date(s.loadedAt).toISOString()}`);
      const startupFinished = h.startupFinishedAt === undefined ? NaN : h.startupFinishedAt - s.loadedAt;
      return { ...s, host: h.hostAt - s.loadedAt, activated: h.activatedAt - s.loadedAt, full: h.fullAt - h.activatedAt, startupFinished };
    });
    const list = (xs: number[]) => xs.map((x) => `${x}`).join(', ');
    const col = (k: 'statusBar' | 'host' | 'activated' | 'countdown' | 'full' | 'startupFinished') => perLoad.map((x) => x[k]);
    console.log(`activation in the extension host (${wb.server.description}, VSIX, median of ${RUNS} window reloads):`);
    console.log(`  bootstrap: load bundle + activate() call (Running Extensions): ${median(vscodeMs)} ms  [${list(vscodeMs)}]`);
    console.log(`  from page load (DOMContentLoaded), ms: first other status bar item [${list(col('statusBar'))}] · extension host started [${list(col('host'))}]`);
    console.log(`    · DevKit activated at \`*\` [${list(col('activated'))}] · countdown visible [${list(col('countdown'))}]`);
    console.log(`    · onStartupFinished (DevKit's activation event before the bootstrap) [${list(col('startupFinished'))}]`);
    console.log(`  full extension activated, after the bootstrap's activation: [${list(col('full'))}] ms`);
    console.log(`  status bar items when the countdown showed: ${shown[shown.length - 1].ids.join(', ')}`);
    const activation = median(vscodeMs);
    report({
      figure: 'bootstrap activation at `*`: load dist/bootstrap.js + activate(), alone in Node / in the extension host (VS Code\'s figure)',
      result:
        `${isolated.activate.toFixed(1)} ms / ${activation} ms (the latter with the waits of a busy host: other extensions load in the same thread); ` +
        `the first draw from the countdown memo, in the next turn, ${isolated.draw.toFixed(1)} ms more; ` +
        `a bare \`node -e 0\` took ${bare.toFixed(0)} ms in this run`,
      target: '≤ 10 ms',
      met: isolated.activate <= 10,
    });
    report({
      figure: 'full extension (dist/extension.js) activated, from the bootstrap\'s activation',
      result: `${median(col('full'))} ms (a 2 s delay after the first draw by design, or at once on a command)`,
      target: 'context (off the start-up path)',
    });
    report({
      figure: 'DevKit activated (`*`) → countdown visible (drawn from the countdown memo in globalState; the secret read then confirms it)',
      result:
        `${median(perLoad.map((x) => x.countdown - x.activated))} ms; the extension host itself started ${median(col('host'))} ms after page load, ` +
        `DevKit activated at ${median(col('activated'))} ms, where onStartupFinished came at ${median(col('startupFinished'))} ms`,
      target: 'context (no extension can draw before its host runs)',
    });
    const late = median(perLoad.map((x) => x.countdown - x.statusBar));
    report({
      figure: 'page load → countdown visible (code-server, reload)',
      result: `${median(col('countdown'))} ms; the first other status bar item at ${median(col('statusBar'))} ms, so the countdown is ${late} ms later`,
      target: '≤ 1 s after the other status bar items',
      met: late <= 1000,
    });
  } finally {
    await wb.close();
    await sandbox.stop();
    fs.rmSync(seedDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
