// What a user sees and does in the workbench, as playwright locators and actions: the status bar item, the
// command palette, quick picks, input boxes and notification toasts. Selectors per docs/vscode.md §9.
import { Locator, Page } from 'playwright-core';

const STATUS_ITEM_ID = 'salesiq-devkit.salesiq-devkit.salesiq.token';
const WAIT_MS = 30_000;

export function statusItem(page: Page): Locator {
  return page.locator(`[id="${STATUS_ITEM_ID}"]`);
}

export type Background = 'warning' | 'error' | 'none';

export interface StatusLook {
  text: string;
  /** The item's accessible label (what a screen reader says). */
  ariaLabel: string;
  /** Which background VS Code gave the item: its kind class and its computed colour must agree. */
  background: Background;
  /** The computed colour and the theme's colour for the kind, so a test can show both when they differ. */
  colour: string;
  themeColour: string;
}

/** The status bar item as rendered now: text, kind and the colour the theme paints it. */
export async function statusLook(page: Page): Promise<StatusLook> {
  return statusItem(page).evaluate((el) => {
    // Runs in the page; the project compiles without the DOM lib, so reach window through the element.
    const doc = el.ownerDocument;
    const style = (e: typeof el) => doc.defaultView!.getComputedStyle(e);
    const kind = el.classList.contains('error-kind') ? 'error' : el.classList.contains('warning-kind') ? 'warning' : 'none';
    const probe = doc.createElement('div');
    probe.style.backgroundColor = kind === 'none' ? 'transparent' : `var(--vscode-statusBarItem-${kind}Background)`;
    el.parentElement!.appendChild(probe);
    const themeColour = style(probe).backgroundColor;
    probe.remove();
    return {
      text: (el.textContent ?? '').trim(),
      ariaLabel: el.getAttribute('aria-label') ?? '',
      background: kind as 'warning' | 'error' | 'none',
      colour: style(el).backgroundColor,
      themeColour,
    };
  });
}

/** Waits until the item's text matches (the countdown re-renders on its own schedule). */
export async function waitForStatus(page: Page, text: RegExp, timeoutMs = WAIT_MS): Promise<StatusLook> {
  return poll(`status bar text ${text}`, () => statusLook(page), (l) => text.test(l.text), timeoutMs);
}

/** Opens the command palette with a query and returns the labels it lists once the list has settled. */
export async function paletteLabels(page: Page, query: string): Promise<string[]> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: WAIT_MS });
  await input.fill(`>${query}`);
  return settledLabels(page);
}

/** Runs a command from the palette by its full title ("SalesIQ: Refresh Access Token"). */
export async function runCommand(page: Page, title: string): Promise<void> {
  const labels = await paletteLabels(page, title);
  if (!labels.includes(title)) throw new Error(`"${title}" is not in the command palette; it lists: ${labels.join(' | ')}`);
  await quickPickRow(page, title).click();
}

export async function closeQuickInput(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: WAIT_MS });
}

/** The open quick pick: its title and row labels (icons stripped). */
export async function quickPick(page: Page): Promise<{ title: string; labels: string[] }> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ timeout: WAIT_MS });
  const labels = await settledLabels(page);
  const title = ((await widget.locator('.quick-input-title').textContent()) ?? '').trim();
  return { title, labels };
}

export function quickPickRow(page: Page, label: string): Locator {
  return page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
}

/** Answers one step of a multi-step input once its prompt shows (so a keystroke never lands in the previous step). */
export async function answerInput(page: Page, prompt: string | RegExp, value: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-message', { hasText: prompt }).waitFor({ timeout: WAIT_MS });
  const input = widget.locator('.quick-input-box input');
  await input.fill(value);
  await input.press('Enter');
}

/** Picks a row of the quick pick whose placeholder matches, filtering by the given text first. */
export async function answerPick(page: Page, placeholder: RegExp, filter: string, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await poll(`a quick pick asking ${placeholder}`, () => input.getAttribute('placeholder').catch(() => null), (p) => !!p && placeholder.test(p), WAIT_MS);
  await input.fill(filter);
  await quickPickRow(page, label).click();
}

/** A notification toast containing the text (toasts show because the smoke-test driver is off). */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
}

export function toastButton(t: Locator, label: string): Locator {
  return t.locator('.monaco-button', { hasText: new RegExp(`^${escapeRegExp(label)}$`) });
}

/**
 * Every label of the current quick input list, top to bottom. The list is virtualized (only visible rows exist in
 * the DOM), so it scrolls down collecting rows, then back up so the top rows can be clicked.
 */
async function settledLabels(page: Page): Promise<string[]> {
  const all = await visibleLabels(page);
  const list = page.locator('.quick-input-list');
  let wheels = 0;
  while (wheels < MAX_SCROLLS && all.length) {
    await list.hover();
    await page.mouse.wheel(0, SCROLL_PX);
    wheels++;
    const fresh = (await visibleLabels(page)).filter((l) => !all.includes(l));
    if (!fresh.length) break;
    all.push(...fresh);
  }
  if (wheels) {
    // Back to the top as the user first saw it (a screenshot may follow): one wheel back can land before the
    // list has settled, so wheel again until the first row is rendered again.
    for (let i = 0; i < MAX_SCROLLS && !(await visibleLabels(page)).includes(all[0]); i++) {
      await list.hover();
      await page.mouse.wheel(0, -SCROLL_PX * wheels);
    }
    await page.mouse.move(0, 0); // no hover highlight left on a row
  }
  return all;
}

const MAX_SCROLLS = 10;
const SCROLL_PX = 300;

/** The rendered labels, once two reads 300 ms apart agree (filtering is asynchronous). */
async function visibleLabels(page: Page): Promise<string[]> {
  const rows = page.locator('.quick-input-list .monaco-list-row .label-name');
  let last = '';
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await page.waitForTimeout(300);
    const labels = (await rows.allTextContents()).map((l) => l.trim());
    const key = JSON.stringify(labels);
    if ((key === last && labels.length) || Date.now() > deadline) return labels;
    last = key;
  }
}

/** Re-reads until the value satisfies the check; bounded, and says what it last saw when it gives up. */
export async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
