/**
 * The one-panel webview both reports use (Decode, Doctor): created on first show, revealed after, forgotten when
 * the user closes it; messages from the page go to one handler. And the page shell: a strict CSP with a fresh
 * nonce per render, the theme's colours, the shared button look, and a click handler script.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

export interface PanelOptions {
  viewType: string;
  title: string;
  /** Where a new panel opens (Beside keeps the editor the user decodes from in view). */
  column: vscode.ViewColumn;
  preserveFocus: boolean;
  /** A message from the page: untrusted input, checked by the receiver. */
  onMessage(message: unknown): unknown;
}

export class SinglePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly o: PanelOptions) {}

  /** Puts the page in the panel, opening it on first use and bringing it forward (without focus) after. */
  show(html: string): void {
    this.reveal().webview.html = html;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private reveal(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn, true);
      return this.panel;
    }
    const { viewType, title, column, preserveFocus } = this.o;
    const options = { enableScripts: true, localResourceRoots: [] };
    const panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: column, preserveFocus }, options);
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((m: unknown) => void this.o.onMessage(m));
    this.panel = panel;
    return panel;
  }
}

export interface PageParts {
  title: string;
  /** The page's own rules; the body, text and button rules below come first. */
  style: string;
  body: string;
  /** The body of the page's click listener: `e` is the event, `vscode` the webview API. */
  onClick: string;
}

/** A complete page: nothing loads from anywhere, and only this render's inline style and script run. */
export function webviewPage(p: PageParts): string {
  const n = randomBytes(16).toString('base64');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(p.title)}</title>
<style nonce="${n}">${BASE_STYLE}${p.style}</style>
</head><body>
${p.body}
<script nonce="${n}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
${p.onClick}
});
</script>
</body></html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const BASE_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); padding: 0 20px 24px; }
.subtitle { color: var(--vscode-descriptionForeground); }
button { font: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background);
  border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
`;
