// Screenshots: every one goes to .artifacts/ui/ (git-ignored). Those marked for the README are also copied into
// media/screenshots/ when SALESIQ_UPDATE_SCREENSHOTS=1, so an ordinary test run never changes tracked files.
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
  if (opts.readme && process.env.SALESIQ_UPDATE_SCREENSHOTS === '1') {
    const dest = path.join(repoRoot(), 'media', 'screenshots', `${name}.png`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(file, dest);
  }
  return file;
}

async function statusBarClip(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('.part.statusbar').boundingBox();
  if (!box) throw new Error('the status bar is not visible');
  return { x: box.x, y: box.y, width: Math.min(STATUS_BAR_WIDTH, box.width), height: box.height };
}
