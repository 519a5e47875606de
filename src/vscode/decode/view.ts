import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { Finding } from '../../core/errors/finding';
import { loadDecode } from '../lazy';
import type { Log } from '../log';
import { FixButton, FIX_COMMANDS, fixesFor, registeredCommands } from './fixes';
import { BuiltinCmd } from '../commandIds';

const TITLE = 'SalesIQ: Decoded Error';

/**
 * The decode result as a themed webview: one section per finding (what it means, likely cause with evidence,
 * fix) with buttons that run the fix. One panel, reused. The page can ask to run only the commands of the
 * buttons it was given, and only if they are registered.
 */
export class DecodeView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private offered = new Set<string>();

  constructor(private readonly log: Log) {}

  /** Shows the findings; returns the fix buttons offered for each. */
  async show(findings: Finding[], subtitle: string): Promise<FixButton[][]> {
    const registered = await registeredCommands();
    const fixes = findings.map((f) => fixesFor(f, registered));
    const bodies = await Promise.all(findings.map((f) => markdownToHtml(this.log.clean(loadDecode().formatFindingsMarkdown([f])))));
    const panel = this.reveal();
    this.offered = new Set(fixes.flat().map((b) => b.command));
    panel.webview.html = page(nonce(), bodies, fixes, subtitle);
    return fixes;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private reveal(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel('salesiq.decodeError', TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [] });
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((m: unknown) => void this.run(m));
    this.panel = panel;
    return panel;
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

function page(n: string, bodies: string[], fixes: FixButton[][], subtitle: string): string {
  const sections = bodies.map((body, i) => `<section>${body}${buttons(fixes[i])}</section>`).join('<hr>');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${TITLE}</title>
<style nonce="${n}">${STYLE}</style>
</head><body>
<p class="subtitle">${escapeHtml(subtitle)}</p>
${sections}
<script nonce="${n}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-command]');
  if (b) vscode.postMessage({ command: b.dataset.command });
});
</script>
</body></html>`;
}

function buttons(list: FixButton[]): string {
  if (!list.length) return '';
  const html = list.map((b, i) => `<button class="${i ? 'secondary' : ''}" data-command="${escapeHtml(b.command)}">${escapeHtml(b.title)}</button>`);
  return `<div class="actions">${html.join('')}</div>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); line-height: 1.5; max-width: 52em; padding: 0 20px 24px; }
h3 { margin: 1.2em 0 0.3em; }
code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 1px 4px; border-radius: 3px; }
pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
hr { border: 0; border-top: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); margin: 20px 0; }
.subtitle { color: var(--vscode-descriptionForeground); margin-top: 16px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 14px; }
button { font: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background);
  border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 4px 14px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
`;

function nonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
