import * as vscode from 'vscode';
import { loadDecode } from '../lazy';
import { decodeContext, type DecodeDeps } from './context';
import { registeredCommands, uniqueFixes } from './fixes';
import { errorsAt } from './nearby';
import { Cmd } from '../commandIds';

/** A hover on SalesIQ/Zoho errors in any document (logs, .http files, saved terminal output): the decode and its fixes. */
export function registerHover(deps: DecodeDeps): vscode.Disposable {
  return vscode.languages.registerHoverProvider('*', { provideHover: (doc, pos) => hoverAt(doc, pos, deps) });
}

async function hoverAt(doc: vscode.TextDocument, pos: vscode.Position, deps: DecodeDeps): Promise<vscode.Hover | undefined> {
  const near = errorsAt(doc, pos, decodeContext(deps));
  if (!near) return undefined;
  const fixes = uniqueFixes(near.findings, await registeredCommands());
  const links = [...fixes.map((b) => link(b.title, b.command)), link('Open in Decode View', Cmd.decodeError, { text: near.text, from: near.where })];
  const md = new vscode.MarkdownString(`${loadDecode().formatFindingsMarkdown(near.findings)}\n\n---\n\n${links.join(' · ')}`);
  md.isTrusted = { enabledCommands: [...fixes.map((b) => b.command), Cmd.decodeError] };
  return new vscode.Hover(md, near.range);
}

/** A Markdown `command:` link; parentheses are escaped too so the arguments cannot end the link early. */
function link(title: string, command: string, args?: unknown): string {
  const query = args === undefined ? '' : `?${encodeURIComponent(JSON.stringify([args])).replace(/\(/g, '%28').replace(/\)/g, '%29')}`;
  return `[${title}](command:${command}${query})`;
}
