import * as vscode from 'vscode';
import { loadDecode } from '../lazy';
import type { Finding } from '../../core/errors/finding';
import { decodeContext, type DecodeDeps } from './context';
import type { FixButton } from './fixes';
import type { DecodeView } from './view';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

/** Programmatic forms: a finding already decoded (the "Decode" button of a failure notification), or text. */
export interface DecodeArgs {
  finding?: Finding;
  text?: string;
  /** Where the text came from, for the view ("app.log line 12"). */
  from?: string;
}

/** What was shown, for callers and tests: the findings and the fix buttons offered for each. */
export interface DecodeResult {
  findings: Finding[];
  fixes: FixButton[][];
  from: string;
}

interface Input {
  findings: Finding[];
  from: string;
}

/** SalesIQ: Decode Error… — the given finding or text, else the selection, else the clipboard, else an input box. */
export function registerDecodeCommand(deps: DecodeDeps, view: DecodeView): vscode.Disposable {
  return registerCommand(Cmd.decodeError, deps.log, async (args?: unknown): Promise<DecodeResult | undefined> => {
    const input = await gather(args, deps);
    if (!input) return undefined;
    if (!input.findings.length) {
      void vscode.window.showInformationMessage(`No SalesIQ/Zoho error found in ${input.from}.`);
      return { findings: [], fixes: [], from: input.from };
    }
    const profile = deps.controller.profile;
    const fixes = await view.show(input.findings, `Decoded from ${input.from} · profile ${profile.name} (${profile.dataCenter})`);
    deps.log.info('decode', `${input.from}: ${input.findings.map((f) => `${f.source} ${f.code ?? ''}`.trim()).join(', ')}`);
    return { ...input, fixes };
  });
}

async function gather(args: unknown, deps: DecodeDeps): Promise<Input | undefined> {
  // Menus pass a URI as the first argument: only plain objects with the expected fields count as DecodeArgs.
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  if (isFinding(a.finding)) return { findings: [a.finding], from: 'the notification' };
  const decode = (text: string) => loadDecode().decodeText(text, decodeContext(deps));
  if (typeof a.text === 'string') return { findings: decode(a.text), from: typeof a.from === 'string' ? a.from : 'the given text' };
  const selected = selectionText();
  if (selected) return { findings: decode(selected), from: 'the selection' };
  // The clipboard is a guess at what the user means: if it holds no error, ask instead.
  const clipped = decode(await clipboardText());
  if (clipped.length) return { findings: clipped, from: 'the clipboard' };
  const typed = await vscode.window.showInputBox({
    title: 'SalesIQ: Decode Error',
    prompt: 'Paste a SalesIQ or Zoho error: a response body, a log line, curl -i output',
    placeHolder: '{"error":{"code":1001,"message":"Unknown authentication error"}}',
    ignoreFocusOut: true,
  });
  return typed === undefined ? undefined : { findings: decode(typed), from: 'the pasted text' };
}

function selectionText(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return '';
  return editor.selections.filter((s) => !s.isEmpty).map((s) => editor.document.getText(s)).join('\n');
}

/**
 * Desktop only: in a browser (code-server, vscode.dev) a clipboard read needs the site's permission and, refused,
 * shows an error notification that blocks until dismissed. There the user pastes into the input box instead.
 */
async function clipboardText(): Promise<string> {
  if (vscode.env.uiKind === vscode.UIKind.Web) return '';
  try {
    return await vscode.env.clipboard.readText();
  } catch {
    return '';
  }
}

function isFinding(v: unknown): v is Finding {
  const f = v as Partial<Finding> | null;
  return !!f && typeof f === 'object' && typeof f.source === 'string' && typeof f.action === 'string' && typeof f.title === 'string' && typeof f.explanation === 'string';
}
