// The setup the UI tests share: a Zoho sandbox, a seed file (by default a `user` profile whose token expires
// when the test says; a test may write its own, or none for a first run), the workbench opened on it
// (auto-refresh off, so each state stays put while it is looked at), a post-mortem of a failed test, and
// everything removed afterwards.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ZohoSandbox } from '../../sandbox/zohoSandbox';
import { writeSeed } from './seed';
import { Workbench } from './workbench';

export interface SeededWorkbenchOptions {
  /** Milliseconds from now until the seeded token expires (negative: already expired). Default: a fresh hour. */
  expiresInMs?: number;
  /** Extra settings, read when the workbench opens (so an earlier `before` may provide them). */
  settings?: (sandbox: ZohoSandbox) => Record<string, unknown>;
  /** Writes the seed file instead of the default one; `false`: no seed at all (a new user). */
  seed?: false | ((file: string, sandbox: ZohoSandbox) => void);
}

export interface SeededWorkbench {
  readonly sandbox: ZohoSandbox;
  readonly wb: Workbench;
  readonly seedFile: string;
  /** Seeds a token with this much time left and reloads the window, as a user reopening VS Code would. */
  reopenWithToken(expiresInMs: number): Promise<void>;
}

/** Registers the mocha hooks in the calling `describe`; hooks registered before this call run before it opens. */
export function useSeededWorkbench(opts: SeededWorkbenchOptions = {}): SeededWorkbench {
  let sandbox: ZohoSandbox | undefined;
  let wb: Workbench | undefined;
  let seedDir: string | undefined;
  let seedFile = '';

  before(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
    const settings = { 'salesiq.autoRefresh': false, ...opts.settings?.(sandbox) };
    if (opts.seed === false) {
      wb = await Workbench.open({ settings });
      return;
    }
    seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-ui-seed-'));
    seedFile = path.join(seedDir, 'seed.json');
    if (opts.seed) opts.seed(seedFile, sandbox);
    else writeSeed(seedFile, sandbox, { expiresInMs: opts.expiresInMs });
    wb = await Workbench.open({ seedFile, settings });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(`post-mortem: ${await wb?.saveFailure(this.currentTest.fullTitle())}`);
  });

  after(async () => {
    await wb?.close();
    await sandbox?.stop();
    if (seedDir) fs.rmSync(seedDir, { recursive: true, force: true });
  });

  const live = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the ${what} exists only inside the tests`);
    return v;
  };
  return {
    get sandbox() {
      return live(sandbox, 'sandbox');
    },
    get wb() {
      return live(wb, 'workbench');
    },
    get seedFile() {
      return seedFile;
    },
    async reopenWithToken(expiresInMs) {
      writeSeed(seedFile, live(sandbox, 'sandbox'), { expiresInMs });
      await live(wb, 'workbench').reload();
    },
  };
}
