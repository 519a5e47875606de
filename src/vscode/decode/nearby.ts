import * as vscode from 'vscode';
import type { DecodeContext } from '../../core/errors/decode';
import { loadDecode } from '../lazy';
import type { Finding } from '../../core/errors/finding';

/** Lines either side of the position that may hold the rest of the error (a status line above, pretty-printed JSON). */
const NEIGHBOURS = 3;
/** Characters read per line (on the position's line, either side of it): huge minified logs cost no more than small ones. */
const SPAN = 2000;

export interface NearbyErrors {
  findings: Finding[];
  /** The text that was decoded, for opening the full decode view. */
  text: string;
  /** "app.log line 12", for the view's subtitle. */
  where: string;
  range: vscode.Range;
}

/**
 * The errors that the line at `pos` is part of, decoded from that line and a few neighbours only — never the
 * whole document, because hovers and code actions run on every mouse move and cursor move.
 */
export function errorsAt(doc: vscode.TextDocument, pos: vscode.Position, context: DecodeContext): NearbyErrors | undefined {
  const line = around(doc.lineAt(pos.line).text, pos.character);
  const lines: string[] = [];
  for (let i = Math.max(0, pos.line - NEIGHBOURS); i <= Math.min(doc.lineCount - 1, pos.line + NEIGHBOURS); i++) {
    lines.push(i === pos.line ? line : doc.lineAt(i).text.slice(0, SPAN));
  }
  const text = lines.join('\n');
  const own = loadDecode().decodeText(line, context);
  const findings = loadDecode().decodeText(text, context).filter((f) => concerns(f, line, own));
  if (!findings.length) return undefined;
  const where = `${doc.uri.path.split('/').pop() || doc.uri.toString()} line ${pos.line + 1}`;
  return { findings, text, where, range: doc.lineAt(pos.line).range };
}

function around(text: string, character: number): string {
  return text.length <= 2 * SPAN ? text : text.slice(Math.max(0, character - SPAN), character + SPAN);
}

/**
 * Whether the line belongs to this finding: it decodes to it on its own, it is the finding's HTTP status line,
 * or it carries the finding's code or message (a line of pretty-printed JSON). Neighbouring errors stay silent.
 */
function concerns(f: Finding, line: string, own: Finding[]): boolean {
  if (own.some((o) => (o.source === f.source && o.code === f.code) || (o.source === 'http' && o.code === f.httpStatus))) return true;
  const code = f.code === null ? '' : String(f.code);
  const message = f.details?.message?.slice(0, 40);
  return (code.length >= 3 && line.includes(code)) || (!!message && line.includes(message));
}
