// Screenshots: every one goes to .artifacts/ui/ (git-ignored). Those marked for the README are also written into
// media/screenshots/ on every ui run, so the README shows the UI the tests just drove (an opt-in copy left them
// showing buttons the extension no longer has). SALESIQ_UPDATE_SCREENSHOTS=0 keeps tracked files untouched (CI).
import * as fs from 'fs';
import * as path from 'path';
import { Page } from 'playwright-core';
import { repoRoot } from '../../harness/tools';
import { artifactsDir } from './workbench';

export interface ShotOptions {
  /** Only the left part of the status bar (where the countdown sits), for a compact README image. */
  statusBar?: boolean;
  /** One of the few images the README shows. */
  readme?: boolean;
}

const STATUS_BAR_WIDTH = 520;

export async function shot(page: Page, name: string, opts: ShotOptions = {}): Promise<string> {
  const file = path.join(artifactsDir(), `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const clip = opts.statusBar ? await statusBarClip(page) : undefined;
  // Let a just-opened widget finish its entrance animation.
  await page.waitForTimeout(400);
  await page.screenshot({ path: file, clip });
  if (opts.readme && process.env.SALESIQ_UPDATE_SCREENSHOTS !== '0') updateReadmeImage(file, name);
  return file;
}

/** Rewrites the README's image only when it changed, so an unchanged UI leaves the working tree clean. */
function updateReadmeImage(file: string, name: string): void {
  const dest = path.join(repoRoot(), 'media', 'screenshots', `${name}.png`);
  const taken = fs.readFileSync(file);
  if (fs.existsSync(dest) && fs.readFileSync(dest).equals(taken)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, taken);
}

async function statusBarClip(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('.part.statusbar').boundingBox();
  if (!box) throw new Error('the status bar is not visible');
  return { x: box.x, y: box.y, width: Math.min(STATUS_BAR_WIDTH, box.width), height: box.height };
}
