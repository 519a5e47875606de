import * as vscode from 'vscode';
import type { Clock, TimerHandle } from '../core/token/clock';
import { statusView, StatusView, TOOLTIP_COMMANDS } from '../core/token/statusView';
import { nextTickMs } from '../core/token/token';
import { settings } from './settings';
import type { TokenController } from './tokenController';
import { Cmd } from './commandIds';

/**
 * The countdown item. It re-renders from the stored expiry time at the next moment the text would change
 * (minute boundaries, then every second in the last five minutes) and on window focus, so it is right
 * after sleep/resume and costs nothing in between.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('salesiq.token', vscode.StatusBarAlignment.Left, 100);
  private timer: TimerHandle | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly rowProviders: Array<() => Array<[string, string]>> = [];
  current!: StatusView;

  constructor(
    private readonly controller: TokenController,
    private readonly clock: Clock,
  ) {
    this.item.name = 'SalesIQ Token';
    this.item.command = Cmd.showActions;
    this.disposables.push(
      this.item,
      controller.onDidChange(() => this.render()),
      vscode.window.onDidChangeWindowState((s) => s.focused && this.render()),
    );
    this.render();
    this.item.show();
  }

  /** Adds a provider of tooltip rows: each feature (push, validation, transfer) shows its last result. */
  setExtraRows(rows: () => Array<[string, string]>): void {
    this.rowProviders.push(rows);
    this.render();
  }

  render(): void {
    this.timer?.cancel();
    if (!this.controller.profile) return;
    const now = this.clock.now();
    const c = this.controller;
    const { accountsUrl } = c.endpoints();
    this.current = statusView({
      now,
      profile: c.profile.name,
      dataCenter: c.profile.dataCenter,
      accountsHost: hostOf(accountsUrl),
      hasCredentials: c.hasCredentials,
      token: c.token,
      refreshing: c.refreshing,
      autoRefresh: settings.autoRefresh(),
      autoRefreshMarginMin: settings.autoRefreshMarginMin(),
      autoStoppedBy: c.autoStoppedBy,
      warnMs: settings.warnMs(),
      extraRows: this.rowProviders.flatMap((p) => p()),
    });
    this.apply(this.current);
    c.tick();
    const left = c.token ? c.token.expiresAt - now : 0;
    this.timer = this.clock.setTimeout(() => this.render(), c.token ? nextTickMs(left) : 60_000);
  }

  private apply(v: StatusView): void {
    this.item.text = v.text;
    this.item.backgroundColor = v.background ? new vscode.ThemeColor(`statusBarItem.${v.background}Background`) : undefined;
    const md = new vscode.MarkdownString(v.tooltip, true);
    md.isTrusted = { enabledCommands: TOOLTIP_COMMANDS.concat(Cmd.importFromEnv) };
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: v.accessibilityLabel, role: 'button' };
  }

  dispose(): void {
    this.timer?.cancel();
    for (const d of this.disposables) d.dispose();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
