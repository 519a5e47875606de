import * as vscode from 'vscode';
import { isDevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import { loadDecode } from './lazy';
import type { Log } from './log';
import { Cmd } from './commandIds';

/** The button that performs a finding's action, where DevKit has a command for it. */
const ACTION_BUTTONS: Partial<Record<Finding['action'], { title: string; command: string }>> = {
  refresh: { title: 'Refresh Token', command: Cmd.refreshToken },
  reauthorize: { title: 'Authorize with Zoho…', command: Cmd.authorize },
  'fix-config': { title: 'Open Settings', command: Cmd.openSettings },
  retry: { title: 'Try Again', command: '' },
};

/**
 * One notification per failure: the decoded title, the explanation, and buttons for the fix, the full
 * decode view and the log. Text is redacted because an error can quote a request.
 */
export async function showFailure(e: unknown, log: Log, retry?: () => unknown): Promise<void> {
  const f = toFinding(e);
  log.error('error', `${f.title} [${f.source} ${f.code ?? ''}] ${f.explanation}`);
  const fix = ACTION_BUTTONS[f.action];
  const buttons = [fix && (fix.command || retry) ? fix.title : undefined, 'Decode', 'Show Log'].filter((b): b is string => !!b);
  const choice = await vscode.window.showErrorMessage(log.clean(loadDecode().toastText(f)), ...buttons);
  if (!choice) return;
  if (choice === 'Show Log') return log.show();
  if (choice === 'Decode') return void vscode.commands.executeCommand(Cmd.decodeError, { finding: f });
  if (fix?.command) return void vscode.commands.executeCommand(fix.command);
  retry?.();
}

export function toFinding(e: unknown): Finding {
  if (isDevKitError(e)) return e.finding;
  return {
    source: 'unknown',
    code: null,
    httpStatus: null,
    category: 'unknown',
    action: 'none',
    retryable: false,
    title: 'Unexpected error.',
    explanation: e instanceof Error ? e.message : String(e),
  };
}
