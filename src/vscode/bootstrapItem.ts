import * as vscode from 'vscode';
import { StatusInput, StatusView, TOOLTIP_COMMANDS } from '../core/token/statusView';
import { endpointsFor } from '../core/zoho/datacenters';
import { ProfileSetting, settings } from './settings';
import { Cmd } from './commandIds';

/**
 * The countdown item and how a StatusView is painted on it. Both the bootstrap (dist/bootstrap.js, activated
 * at `*`) and the full extension's StatusBar use these, so the item the bootstrap draws is the one the full
 * extension keeps drawing: one id, one name, one click command, one way to paint text, colour, tooltip and
 * accessible label.
 */
export function createTokenItem(): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('salesiq.token', vscode.StatusBarAlignment.Left, 100);
  item.name = 'SalesIQ Token';
  item.command = Cmd.showActions;
  return item;
}

export function applyView(item: vscode.StatusBarItem, v: StatusView): void {
  item.text = v.text;
  item.backgroundColor = v.background ? new vscode.ThemeColor(`statusBarItem.${v.background}Background`) : undefined;
  const md = new vscode.MarkdownString(v.tooltip, true);
  md.isTrusted = { enabledCommands: TOOLTIP_COMMANDS.concat(Cmd.importFromEnv) };
  item.tooltip = md;
  item.accessibilityInformation = { label: v.accessibilityLabel, role: 'button' };
}

/** The profile the item shows: the active one, else the first (as TokenController.switchTo picks it). */
export function shownProfile(): ProfileSetting {
  const list = settings.profiles();
  return list.find((p) => p.name === settings.activeProfileName()) ?? list[0];
}

/** The part of the item's input that comes from settings, read the same way by the bootstrap and the StatusBar. */
export function settingsInput(profile: ProfileSetting): Pick<StatusInput, 'profile' | 'dataCenter' | 'accountsHost' | 'autoRefresh' | 'autoRefreshMarginMin' | 'warnMs'> {
  const { accountsUrl } = endpointsFor(profile.dataCenter, { accountsUrl: settings.accountsUrl(), salesiqUrl: settings.salesiqUrl() });
  return {
    profile: profile.name,
    dataCenter: profile.dataCenter,
    accountsHost: hostOf(accountsUrl),
    autoRefresh: settings.autoRefresh(),
    autoRefreshMarginMin: settings.autoRefreshMarginMin(),
    warnMs: settings.warnMs(),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** What the bootstrap hands the full extension when it loads it (src/extension.ts). */
export interface Handoff {
  /** The item the bootstrap drew; the bootstrap stops drawing on it from this call on. */
  takeItem(): vscode.StatusBarItem;
  /**
   * Unregisters the bootstrap's stand-in commands. Called in the same tick as the real registrations: VS Code
   * refuses a second registration of an id, and a command run in between would find none.
   */
  releaseCommands(): void;
}
