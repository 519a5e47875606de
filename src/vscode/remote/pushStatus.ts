import type { Clock } from '../../core/token/clock';
import { relativeText } from '../../core/token/token';
import type { StatusBar } from '../statusBar';
import { autoPushEnabled, remoteSettings } from './remoteSettings';

export type PushState =
  | { kind: 'running'; at: number; auto: boolean; where: string }
  | { kind: 'ok'; at: number; auto: boolean; where: string; changed: boolean; active: boolean; state: string }
  | { kind: 'failed'; at: number; auto: boolean; where: string; title: string }
  | { kind: 'cancelled'; at: number; auto: boolean; where: string };

/** The last push, shown as rows of the status bar tooltip. */
export class PushStatus {
  private state: PushState | undefined;

  constructor(
    private readonly statusBar: StatusBar,
    private readonly clock: Clock,
  ) {
    statusBar.setExtraRows(() => this.rows());
  }

  set(s: PushState): void {
    this.state = s;
    this.statusBar.render();
  }

  rows(): Array<[string, string]> {
    if (!remoteSettings().host && !this.state) return [];
    const rows: Array<[string, string]> = [['Last push', this.text()]];
    if (autoPushEnabled()) rows.push(['Auto-push', 'on: each automatic refresh is pushed and the service restarted']);
    return rows;
  }

  private text(): string {
    const s = this.state;
    if (!s) return 'none yet';
    const when = relativeText(s.at - this.clock.now());
    const how = s.auto ? ', automatic' : '';
    const where = md(s.where);
    switch (s.kind) {
      case 'running':
        return `$(sync~spin) pushing to ${where}…`;
      case 'ok':
        return `${s.active ? '$(check)' : '$(warning)'} ${s.changed ? 'pushed' : 'already up to date'} to ${where}, service ${md(s.state)} (${when}${how})`;
      case 'failed':
        return `$(error) ${md(s.title)} (${where}, ${when}${how})`;
      case 'cancelled':
        return `cancelled (${when})`;
    }
  }
}

/** Table-cell safe: the tooltip is Markdown. */
function md(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, '\\$&');
}
