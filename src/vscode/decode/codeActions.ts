import * as vscode from 'vscode';
import { decodeContext, type DecodeDeps } from './context';
import { registeredCommands, uniqueFixes } from './fixes';
import { errorsAt } from './nearby';
import { Cmd } from '../commandIds';

const KIND = vscode.CodeActionKind.QuickFix;

/** Quick fixes on a SalesIQ/Zoho error in any document: the fix itself (e.g. Refresh Token) and "Decode SalesIQ error". */
export function registerCodeActions(deps: DecodeDeps): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider('*', { provideCodeActions: (doc, range) => actionsAt(doc, range.start, deps) }, { providedCodeActionKinds: [KIND] });
}

async function actionsAt(doc: vscode.TextDocument, pos: vscode.Position, deps: DecodeDeps): Promise<vscode.CodeAction[]> {
  const near = errorsAt(doc, pos, decodeContext(deps));
  if (!near) return [];
  const fixes = uniqueFixes(near.findings, await registeredCommands()).map((b, i) => {
    const a = new vscode.CodeAction(`SalesIQ: ${b.title}`, KIND);
    a.command = { command: b.command, title: b.title };
    a.isPreferred = i === 0;
    return a;
  });
  const decode = new vscode.CodeAction('Decode SalesIQ error', KIND);
  decode.command = { command: Cmd.decodeError, title: 'Decode SalesIQ error', arguments: [{ text: near.text, from: near.where }] };
  return [...fixes, decode];
}
