import * as vscode from 'vscode';
import type { Clock, TimerHandle } from '../core/token/clock';
import { statusView, StatusView } from '../core/token/statusView';
import { nextTickMs } from '../core/token/token';
import { applyView, createTokenItem, settingsInput } from './bootstrapItem';
import type { TokenController } from './tokenController';

/**
 * The countdown item. It re-renders from the stored expiry time at the next moment the text would change
 * (minute boundaries, then every second in the last five minutes) and on window focus, so it is right
 * after sleep/resume and costs nothing in between. It takes over the item the bootstrap (src/vscode/bootstrap.ts)
 * created and drew at startup, so the window only ever has one SalesIQ item.
 */
export class StatusBar implements vscode.Disposable {
  private timer: TimerHandle | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly rowProviders: Array<() => Array<[string, string]>> = [];
  current!: StatusView;

  constructor(
    private readonly controller: TokenController,
    private readonly clock: Clock,
    private readonly item: vscode.StatusBarItem = createTokenItem(),
  ) {
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
    this.current = statusView({
      ...settingsInput(c.profile),
      now,
      hasCredentials: c.hasCredentials,
      token: c.token,
      refreshing: c.refreshing,
      autoStoppedBy: c.autoStoppedBy,
      extraRows: this.rowProviders.flatMap((p) => p()),
    });
    this.apply(this.current);
    c.tick();
    const left = c.token ? c.token.expiresAt - now : 0;
    this.timer = this.clock.setTimeout(() => this.render(), c.token ? nextTickMs(left) : 60_000);
  }

  private apply(v: StatusView): void {
    applyView(this.item, v);
  }

  dispose(): void {
    this.timer?.cancel();
    for (const d of this.disposables) d.dispose();
  }
}
