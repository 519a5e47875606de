// The @vscode/test-electron equivalent on code-server: loads the extension in development mode, runs its tests
// module (exports.run) in the real Node extension host and resolves the exit code. Uses VS Code's own web
// automation hooks, as @vscode/test-web does. See docs/vscode.md §9.
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { CodeServer, devPathPayload, remoteUri, startCodeServer, workbenchUrl } from './codeServer';
import { isNoise } from './noise';
import { repoRoot } from './tools';

export interface ExtensionTestOptions {
  extensionDevelopmentPath: string | string[];
  /** The compiled tests module, e.g. out/test/vscode/index.js, exporting run(): Promise<void>. */
  extensionTestsPath: string;
  /** Folder to open; without one the tests run in an empty window. */
  workspace?: string;
  /** Reaches the extension host's process.env. */
  env?: Record<string, string>;
  /** Whole run, from server start to the tests' exit. Default 10 minutes. */
  timeoutMs?: number;
}

interface LogFile {
  relativePath: string;
  contents: string;
}

interface Outcome {
  code: number;
  /** Why the run ended without the tests reporting an exit code. */
  problem?: string;
  logs?: LogFile[];
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Runs the extension's tests in a real VS Code; resolves 0 iff the suite passed. */
export async function runExtensionTests(opts: ExtensionTestOptions): Promise<number> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const server = await startCodeServer({ smokeTestDriver: true, workspace: opts.workspace, env: opts.env });
  console.log(`${server.description} at ${server.origin} (server log ${server.logFile})`);
  let browser: Browser | undefined;
  let page: Page | undefined;
  let outcome: Outcome = { code: 1, problem: 'the run did not start' };
  let timer: NodeJS.Timeout | undefined;
  try {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const finished = automationExit(page);
    // Generous: on a loaded 2-core machine the first workbench load has taken 8 s.
    await page.goto(testUrl(server, opts), { waitUntil: 'domcontentloaded', timeout: 120_000 });
    outcome = await Promise.race([
      finished,
      server.exited.then((code): Outcome => ({ code: 1, problem: `code-server exited (${code}) during the run` })),
      onceEvent(page, 'crash').then((): Outcome => ({ code: 1, problem: 'the workbench page crashed' })),
      new Promise<Outcome>((resolve) => {
        const problem = `timed out after ${Math.round(timeoutMs / 1000)} s`;
        timer = setTimeout(() => resolve({ code: 1, problem }), timeoutMs - (Date.now() - started));
      }),
    ]);
  } catch (err) {
    outcome = { code: 1, problem: (err as Error).message };
  } finally {
    clearTimeout(timer);
    if (outcome.problem) console.error(`extension tests: ${outcome.problem}`);
    if (outcome.code !== 0) await saveArtifacts(server, page, outcome.logs);
    await browser?.close().catch(() => undefined);
    await server.stop({ keepFiles: outcome.code !== 0 });
  }
  console.log(`extension tests exited with ${outcome.code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return outcome.code;
}

function testUrl(server: CodeServer, opts: ExtensionTestOptions): string {
  const payload = devPathPayload(server.origin, opts.extensionDevelopmentPath);
  payload.push(['extensionTestsPath', remoteUri(server.origin, opts.extensionTestsPath)], ['skipWelcome', 'true']);
  return workbenchUrl(server.origin, { workspace: opts.workspace, payload });
}

/**
 * Exposes the two functions VS Code's workbench calls when a window is automated (IAutomatedWindow): its log,
 * which carries the extension host's console, and the exit of the extension-test run. Must happen before the
 * page loads, since the workbench looks for them at startup.
 */
async function automationExit(page: Page): Promise<Outcome> {
  let resolveExit!: (o: Outcome) => void;
  const exit = new Promise<Outcome>((resolve) => (resolveExit = resolve));
  let exited = false;
  // After the exit the workbench tears down and logs cancellations; they are not the suite's output.
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => exited || relay(type, args));
  await page.exposeFunction('codeAutomationExit', (code: number, logs?: LogFile[]) => {
    exited = true;
    resolveExit({ code, logs });
  });
  return exit;
}

/** Console arguments arrive unformatted (mocha's reporter logs '  %d passing (%s)', 1, '5ms'). */
function relay(type: string, args: unknown[]): void {
  const text = format(...args);
  if (isNoise(text)) return;
  process.stdout.write(`${type === 'error' || type === 'warn' ? `[${type}] ` : ''}${text}\n`);
}

/**
 * Screenshot, server log, the workbench's (browser-side) logs and the server-side logs (extension host, remote
 * agent) into .artifacts/vscode/<time>/, which CI keeps; the temp dir is kept too but CI does not archive it.
 */
async function saveArtifacts(server: CodeServer, page: Page | undefined, logs: LogFile[] | undefined): Promise<void> {
  const dir = path.join(repoRoot(), '.artifacts', 'vscode', new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  await page?.screenshot({ path: path.join(dir, 'screenshot.png'), timeout: 10_000 }).catch(() => undefined);
  fs.copyFileSync(server.logFile, path.join(dir, 'code-server.log'));
  const serverLogs = path.join(server.userDataDir, 'logs');
  if (fs.existsSync(serverLogs)) fs.cpSync(serverLogs, path.join(dir, 'server-logs'), { recursive: true });
  for (const log of logs ?? []) {
    const file = path.join(dir, 'logs', path.normalize(log.relativePath).replace(/^(\.\.[/\\])+/, ''));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, log.contents);
  }
  const shown = path.relative(process.cwd(), dir).startsWith('..') ? dir : path.relative(process.cwd(), dir);
  console.error(`extension tests: artifacts in ${shown}; server files kept in ${server.tempDir}`);
}

function onceEvent(page: Page, event: 'crash'): Promise<void> {
  return new Promise((resolve) => page.once(event, () => resolve()));
}
