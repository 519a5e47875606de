/**
 * The doctor's report as a themed webview: one row per check (✓ ⚠ ✗ –, title, evidence) and the fix as a
 * button that runs it; a Re-run button on top. One panel, reused. The page may only ask for the buttons it
 * was given (by index), never name a command itself.
 */
import * as vscode from 'vscode';
import type { DoctorCheck, DoctorReport, FixKind } from '../../core/flows/doctor';
import { checkName } from '../../core/flows/doctor';
import type { Log } from '../log';
import { BuiltinCmd, Cmd } from '../commandIds';
import { escapeHtml as esc, SinglePanel, webviewPage } from '../webview';

const TITLE = 'SalesIQ: Doctor';

export interface FixButton {
  label: string;
  command: string;
  args?: unknown[];
}

/** The command behind each kind of fix (Authorize may be missing in older builds: then no button). */
export function fixButton(c: DoctorCheck, server?: string): FixButton | undefined {
  const kind: FixKind | undefined = c.fix?.kind;
  switch (kind) {
    case 'authorize':
      return { label: 'Authorize…', command: Cmd.authorize };
    case 'set-up-credentials':
      return { label: 'Set Up Credentials…', command: Cmd.setupCredentials };
    case 'refresh':
      return { label: 'Refresh Token', command: Cmd.refreshToken };
    case 'trust-host':
      return { label: 'Trust Host…', command: Cmd.trustHost };
    case 'push':
      return { label: 'Push Token', command: Cmd.pushToServer, args: server ? [{ server }] : [] };
    case 'restart':
      return { label: 'Restart Service', command: Cmd.restartService, args: server ? [{ server }] : [] };
    case 'open-setting':
      return { label: 'Open Setting', command: BuiltinCmd.openSettings, args: [c.fix?.setting ?? 'salesiq'] };
    default:
      return undefined;
  }
}

export class DoctorView implements vscode.Disposable {
  private readonly panel: SinglePanel;
  private buttons: FixButton[] = [];

  constructor(
    private readonly log: Log,
    private readonly rerun: () => void,
  ) {
    const onMessage = (m: unknown) => this.onMessage(m);
    this.panel = new SinglePanel({ viewType: 'salesiq.doctor', title: TITLE, column: vscode.ViewColumn.Active, preserveFocus: false, onMessage });
  }

  showRunning(what: string): void {
    this.panel.show(page(`<p class="subtitle">${esc(what)}</p><p class="running">Checking…</p>`, false));
  }

  /** Renders the report; returns the buttons offered (in order), for tests. */
  async show(r: DoctorReport, subtitle: string): Promise<FixButton[]> {
    const registered = new Set(await vscode.commands.getCommands(true));
    this.buttons = [];
    const table = (checks: DoctorCheck[], server?: string) =>
      `<table>${checks.map((c) => this.row(c, server, registered)).join('')}</table>`;
    let body = `<p class="subtitle">${esc(subtitle)}</p><h3>Profile</h3>`;
    if (r.servers) {
      body += table(r.checks);
      for (const s of r.servers) body += `<h3>Server ${esc(s.name)} <span class="badge ${s.ok ? 'pass' : 'fail'}">${s.ok ? 'ok' : 'failing'}</span></h3>${table(s.checks, s.name)}`;
    } else {
      const split = r.checks.findIndex((c) => c.id === 'host-key');
      body += table(r.checks.slice(0, split)) + '<h3>Server</h3>' + table(r.checks.slice(split));
    }
    this.panel.show(page(body, true));
    return [...this.buttons];
  }

  dispose(): void {
    this.panel.dispose();
  }

  private row(c: DoctorCheck, server: string | undefined, registered: Set<string>): string {
    const b = c.status === 'pass' || c.status === 'skip' ? undefined : fixButton(c, server);
    let action = '';
    if (b && (registered.has(b.command) || b.command.startsWith('workbench.'))) {
      this.buttons.push(b);
      action = `<button data-fix="${this.buttons.length - 1}">${esc(b.label)}</button>`;
    }
    const mark = { pass: '✓', warn: '⚠', fail: '✗', skip: '–' }[c.status];
    return `<tr class="${c.status}" data-check="${esc(c.id)}"><td class="mark" title="${c.status}">${mark}</td><td class="name">${esc(checkName(c.id))}<div class="id">${esc(c.id)}</div></td><td><div class="title">${esc(c.title)}</div>${c.detail ? `<div class="detail">${esc(c.detail)}</div>` : ''}</td><td class="fix">${action}</td></tr>`;
  }

  private async onMessage(m: unknown): Promise<void> {
    const msg = (m ?? {}) as { fix?: unknown; rerun?: unknown };
    if (msg.rerun === true) return this.rerun();
    const b = typeof msg.fix === 'number' ? this.buttons[msg.fix] : undefined;
    if (!b) {
      this.log.warn('doctor', `ignored a request from the doctor view: ${JSON.stringify(m)}`);
      return;
    }
    await vscode.commands.executeCommand(b.command, ...(b.args ?? []));
  }
}

function page(body: string, withRerun: boolean): string {
  return webviewPage({
    title: TITLE,
    style: STYLE,
    body: `<header><h2>SalesIQ Doctor</h2>${withRerun ? '<button class="secondary" data-rerun="1">Re-run</button>' : ''}</header>\n${body}`,
    onClick: `  const b = e.target.closest('button');
  if (!b) return;
  if (b.dataset.rerun) vscode.postMessage({ rerun: true });
  else if (b.dataset.fix !== undefined) vscode.postMessage({ fix: Number(b.dataset.fix) });`,
  });
}

const STYLE = `
body { line-height: 1.45; max-width: 64em; }
header { display: flex; align-items: center; gap: 16px; }
h3 { margin: 1.4em 0 0.4em; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
td { vertical-align: top; padding: 6px 8px; border-top: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); }
td.mark { width: 1.5em; font-weight: bold; text-align: center; }
td.name { width: 13em; }
.id { color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
.detail { color: var(--vscode-descriptionForeground); margin-top: 2px; word-break: break-word; }
td.fix { width: 10em; text-align: right; }
tr.pass td.mark { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
tr.warn td.mark { color: var(--vscode-editorWarning-foreground); }
tr.fail td.mark { color: var(--vscode-errorForeground); }
tr.skip { opacity: 0.7; }
.badge { font-size: 0.8em; padding: 1px 6px; border-radius: 8px; margin-left: 6px; }
.badge.pass { background: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); color: var(--vscode-editor-background); }
.badge.fail { background: var(--vscode-errorForeground); color: var(--vscode-editor-background); }
.running { color: var(--vscode-descriptionForeground); }
button { padding: 3px 12px; white-space: nowrap; }
`;
