import type * as vscode from 'vscode';
import { registerCodeActions } from './codeActions';
import { registerDecodeCommand } from './command';
import type { DecodeDeps } from './context';
import { registerHover } from './hover';
import { DecodeView } from './view';

export type { DecodeArgs, DecodeResult } from './command';
export type { DecodeDeps } from './context';

/** SalesIQ: Decode Error, its result view, and the hover and quick fixes on errors in any editor. */
export function registerDecode(deps: DecodeDeps): vscode.Disposable[] {
  const view = new DecodeView(deps.log);
  return [view, registerDecodeCommand(deps, view), registerHover(deps), registerCodeActions(deps)];
}
