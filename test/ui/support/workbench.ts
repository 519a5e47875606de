// A real VS Code workbench (code-server) in headless chromium with the packaged VSIX installed, as a user has it.
// No smoke-test driver, so notification toasts show (docs/vscode.md §9). One server per test file;
// extra windows are pages of the same browser profile. Unlike desktop windows they do not share SecretStorage live:
// VS Code for the Web's LocalStorageSecretStorageProvider reads localStorage once per page and writes its whole
// copy back on each change, so a window sees another's secrets only after a reload (bench/windows.bench.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../harness/chromium';
import { CodeServer, installVsix, startCodeServer } from '../../harness/codeServer';
import { repoRoot } from '../../harness/tools';
import { statusItem } from './ui';
import { packagedVsix } from './vsix';

export interface WorkbenchOptions {
  /** Passed as SALESIQ_DEVKIT_SEED; the file may be (re)written later, it is read at each activation. */
  seedFile?: string;
  /** Merged into the user settings before the first window loads. */
  settings?: Record<string, unknown>;
  /** Extra environment of the server and so of every extension host. */
  env?: Record<string, string>;
}

const VIEWPORT = { width: 1280, height: 800 };
/** The theme most users have; the tests read colours from whatever theme is active. */
const DEFAULT_SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern' };
/** First load on a busy 2-core machine has taken 50 s; later loads 20-30 s. */
const LOAD_TIMEOUT_MS = 180_000;

export class Workbench {
  private constructor(
    readonly server: CodeServer,
    private readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly scratch: string,
  ) {}

  static async open(opts: WorkbenchOptions = {}): Promise<Workbench> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-ui-'));
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    try {
      await installVsix(packagedVsix(), extensionsDir);
      const env = opts.seedFile || opts.env ? { ...opts.env, ...(opts.seedFile ? { SALESIQ_DEVKIT_SEED: opts.seedFile } : {}) } : undefined;
      server = await startCodeServer({ extensionsDir, workspace, env });
      mergeUserSettings(server.userDataDir, { ...DEFAULT_SETTINGS, ...opts.settings });
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      const wb = new Workbench(server, browser, context, page, scratch);
      await wb.load(page);
      return wb;
    } catch (err) {
      await browser?.close().catch(() => undefined);
      // Keep the server's log and user data for a post-mortem of a window that never came up.
      await server?.stop({ keepFiles: true });
      fs.rmSync(scratch, { recursive: true, force: true });
      throw new Error(`${(err as Error).message}${server ? `; server files kept in ${server.tempDir}` : ''}`, { cause: err });
    }
  }

  /** Another window on the same server and browser profile, loaded up to the status bar. */
  async newWindow(): Promise<Page> {
    const page = await this.context.newPage();
    await this.load(page);
    return page;
  }

  /** Reloads the window: a new extension host activates the extension again (and re-reads a changed seed). */
  async reload(page: Page = this.page): Promise<void> {
    await page.reload({ waitUntil: 'domcontentloaded', timeout: LOAD_TIMEOUT_MS });
    await statusItem(page).waitFor({ timeout: LOAD_TIMEOUT_MS });
  }

  /** The server-side log folder of the extension hosts (exthost1, exthost2, … per window load). */
  get logsDir(): string {
    return path.join(this.server.userDataDir, 'logs');
  }

  /** Saves a screenshot and the server logs into .artifacts/ui/failures/<name>/ for a post-mortem. */
  async saveFailure(name: string): Promise<string> {
    const dir = path.join(artifactsDir(), 'failures', safeName(name));
    fs.mkdirSync(dir, { recursive: true });
    await this.page.screenshot({ path: path.join(dir, 'screenshot.png'), timeout: 10_000 }).catch(() => undefined);
    fs.copyFileSync(this.server.logFile, path.join(dir, 'code-server.log'));
    if (fs.existsSync(this.logsDir)) fs.cpSync(this.logsDir, path.join(dir, 'server-logs'), { recursive: true });
    return dir;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }

  private async load(page: Page): Promise<void> {
    await page.goto(this.server.url, { waitUntil: 'domcontentloaded', timeout: LOAD_TIMEOUT_MS });
    await statusItem(page).waitFor({ timeout: LOAD_TIMEOUT_MS });
  }
}

/** .artifacts/ui/ (git-ignored): every screenshot the suite takes, and failure post-mortems. */
export function artifactsDir(): string {
  return path.join(repoRoot(), '.artifacts', 'ui');
}

function mergeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...current, ...extra }, null, 2));
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}
