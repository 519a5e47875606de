/**
 * What the status bar item says, computed from state and `now` alone. The VS Code layer only applies it,
 * so every state (fresh, warning, expired, refresh failed, refreshing, not set up) is tested on plain Node.
 */
import type { Finding } from '../errors/finding';
import { countdownText, freshness, relativeText, remainingMs } from './token';
import type { StoredToken } from './tokenManager';

export interface StatusInput {
  now: number;
  profile: string;
  dataCenter: string;
  accountsHost: string;
  hasCredentials: boolean;
  token?: ShownToken;
  refreshing: boolean;
  autoRefresh: boolean;
  autoRefreshMarginMin: number;
  autoStoppedBy?: Finding;
  warnMs: number;
  /** Extra tooltip rows from later features (push, validation, transfer), already formatted. */
  extraRows?: Array<[string, string]>;
}

/** What the item shows of a token: its times and last refresh, never the token itself. */
export type ShownToken = Pick<StoredToken, 'expiresAt' | 'obtainedAt' | 'lastRefresh'>;

export type Background = 'warning' | 'error' | undefined;

export interface StatusView {
  text: string;
  background: Background;
  tooltip: string;
  accessibilityLabel: string;
  state: 'setup' | 'no-token' | 'refreshing' | 'fresh' | 'warning' | 'expired' | 'failed';
}

export const TOOLTIP_COMMANDS = ['salesiq.refreshToken', 'salesiq.switchProfile', 'salesiq.showLog', 'salesiq.setupCredentials', 'salesiq.openSettings'];

export function statusView(i: StatusInput): StatusView {
  const label = i.profile === 'default' ? 'SalesIQ' : `SalesIQ ${i.profile}`;
  const { text, state, background } = headline(i, label);
  return { text, state, background, tooltip: tooltip(i), accessibilityLabel: accessibility(i, state) };
}

function headline(i: StatusInput, label: string): Pick<StatusView, 'text' | 'state' | 'background'> {
  if (!i.hasCredentials && !i.token) return { text: `$(key) ${label}: set up`, state: 'setup', background: undefined };
  if (i.refreshing) return { text: `$(sync~spin) ${label} refreshing…`, state: 'refreshing', background: undefined };
  if (!i.token) return { text: `$(key) ${label}: no token`, state: 'no-token', background: 'warning' };
  const fresh = freshness(i.token, i.now, i.warnMs);
  const failed = i.token.lastRefresh?.ok === false;
  if (fresh === 'expired') return { text: `$(error) ${label} expired`, state: 'expired', background: 'error' };
  const text = `$(key) ${label} ${countdownText(remainingMs(i.token, i.now))}`;
  if (failed) return { text, state: 'failed', background: 'error' };
  return { text, state: fresh, background: fresh === 'warning' ? 'warning' : undefined };
}

function tooltip(i: StatusInput): string {
  const lines = [`**SalesIQ DevKit** — profile \`${i.profile}\` · ${i.dataCenter.toUpperCase()} (${i.accountsHost})`, ''];
  if (!i.hasCredentials && !i.token) {
    lines.push('No credentials stored yet.', '', '[Set up credentials](command:salesiq.setupCredentials) · [Import from .env](command:salesiq.importFromEnv)');
    return lines.join('\n');
  }
  lines.push('| | |', '|---|---|');
  for (const [k, v] of rows(i)) lines.push(`| ${k} | ${v} |`);
  lines.push('', '[$(refresh) Refresh now](command:salesiq.refreshToken) · [$(account) Switch profile](command:salesiq.switchProfile) · [$(output) Show log](command:salesiq.showLog) · [$(gear) Settings](command:salesiq.openSettings)');
  lines.push('', '_Click for all actions._');
  return lines.join('\n');
}

function rows(i: StatusInput): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const t = i.token;
  if (t) {
    out.push(['Expires', `${timeText(t.expiresAt)} (${relativeText(remainingMs(t, i.now))})`]);
    out.push(['Issued', timeText(t.obtainedAt)]);
  } else {
    out.push(['Token', 'none yet: refresh to mint one']);
  }
  const r = t?.lastRefresh;
  if (r) out.push(['Last refresh', r.ok ? `$(check) ${relativeText(r.at - i.now)}${r.automatic ? ' (automatic)' : ''}` : `$(error) ${escape(r.finding?.title ?? 'failed')} (${relativeText(r.at - i.now)})`]);
  out.push(['Auto-refresh', autoText(i)]);
  for (const row of i.extraRows ?? []) out.push(row);
  return out;
}

function autoText(i: StatusInput): string {
  if (!i.autoRefresh) return 'off';
  if (i.autoStoppedBy) return `paused: ${escape(i.autoStoppedBy.title)}`;
  return `on, ${i.autoRefreshMarginMin} min before expiry`;
}

function accessibility(i: StatusInput, state: StatusView['state']): string {
  if (!i.token) return `SalesIQ token, profile ${i.profile}: ${state === 'setup' ? 'not set up' : 'no token'}`;
  const left = remainingMs(i.token, i.now);
  return `SalesIQ token, profile ${i.profile}: ${left > 0 ? `expires ${relativeText(left)}` : `expired ${relativeText(left)}`}${state === 'failed' ? ', last refresh failed' : ''}`;
}

/** "12:37 local · 11:37 UTC". */
function timeText(ms: number): string {
  const d = new Date(ms);
  const local = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return `${local} local · ${d.toISOString().slice(11, 16)} UTC`;
}

function escape(s: string): string {
  return s.replace(/[|\\`*_[\]]/g, (c) => `\\${c}`);
}
