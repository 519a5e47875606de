import * as vscode from 'vscode';
import type { Finding } from '../../core/errors/finding';
import { loadDecode } from '../lazy';
import type { Log } from '../log';
import { FixButton, FIX_COMMANDS, fixesFor, registeredCommands } from './fixes';
import { BuiltinCmd } from '../commandIds';
import { escapeHtml, SinglePanel, webviewPage } from '../webview';

const TITLE = 'SalesIQ: Decoded Error';

/**
 * The decode result as a themed webview: one section per finding (what it means, likely cause with evidence,
 * fix) with buttons that run the fix. One panel, reused. The page can ask to run only the commands of the
 * buttons it was given, and only if they are registered.
 */
export class DecodeView implements vscode.Disposable {
  private readonly panel: SinglePanel;
  private offered = new Set<string>();

  constructor(private readonly log: Log) {
    const onMessage = (m: unknown) => this.run(m);
    this.panel = new SinglePanel({ viewType: 'salesiq.decodeError', title: TITLE, column: vscode.ViewColumn.Beside, preserveFocus: true, onMessage });
  }

  /** Shows the findings; returns the fix buttons offered for each. */
  async show(findings: Finding[], subtitle: string): Promise<FixButton[][]> {
    const registered = await registeredCommands();
    const fixes = findings.map((f) => fixesFor(f, registered));
    const bodies = await Promise.all(findings.map((f) => markdownToHtml(this.log.clean(loadDecode().formatFindingsMarkdown([f])))));
    this.offered = new Set(fixes.flat().map((b) => b.command));
    this.panel.show(page(bodies, fixes, subtitle));
    return fixes;
  }

  dispose(): void {
    this.panel.dispose();
  }

  private async run(message: unknown): Promise<void> {
    const command = (message as { command?: unknown } | null)?.command;
    if (typeof command !== 'string' || !this.offered.has(command) || !FIX_COMMANDS.has(command)) {
      this.log.warn('decode', `ignored a request from the decode view to run ${JSON.stringify(command)}`);
      return;
    }
    if ((await registeredCommands()).has(command)) await vscode.commands.executeCommand(command);
  }
}

/** VS Code's own Markdown renderer (the built-in Markdown extension); escaped plain text if it is unavailable. */
async function markdownToHtml(markdown: string): Promise<string> {
  try {
    const html = await vscode.commands.executeCommand<unknown>(BuiltinCmd.renderMarkdown, markdown);
    if (typeof html === 'string') return html;
  } catch {
    /* the Markdown extension is disabled */
  }
  return `<pre>${escapeHtml(markdown)}</pre>`;
}

function page(bodies: string[], fixes: FixButton[][], subtitle: string): string {
  const sections = bodies.map((body, i) => `<section>${body}${buttons(fixes[i])}</section>`).join('<hr>');
  return webviewPage({
    title: TITLE,
    style: STYLE,
    body: `<p class="subtitle">${escapeHtml(subtitle)}</p>\n${sections}`,
    onClick: `  const b = e.target.closest('button[data-command]');
  if (b) vscode.postMessage({ command: b.dataset.command });`,
  });
}

function buttons(list: FixButton[]): string {
  if (!list.length) return '';
  const html = list.map((b, i) => `<button class="${i ? 'secondary' : ''}" data-command="${escapeHtml(b.command)}">${escapeHtml(b.title)}</button>`);
  return `<div class="actions">${html.join('')}</div>`;
}

const STYLE = `
body { line-height: 1.5; max-width: 52em; }
h3 { margin: 1.2em 0 0.3em; }
code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 1px 4px; border-radius: 3px; }
pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
hr { border: 0; border-top: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); margin: 20px 0; }
.subtitle { margin-top: 16px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 14px; }
button { padding: 4px 14px; }
`;
