/**
 * The one way DevKit registers a command: a log line when it starts, and a failure that escapes the command
 * decoded and shown the same way every time (notify.ts: title, explanation, the fix as a button, Decode, Show
 * Log). Commands keep their own flow and return value; what they do not handle themselves ends here.
 */
import * as vscode from 'vscode';
import { DevKitError, isDevKitError } from '../core/errors/devkitError';
import type { CommandId } from './commandIds';
import { loadDecode } from './lazy';
import type { Log } from './log';
import { showFailure } from './notify';

export interface CommandOptions<R> {
  /** What the command returns after a failure was shown (tests and callers read it); default undefined. */
  onError?: (e: unknown) => R;
  /** Offer "Try Again" on a retryable failure: the same command with the same arguments. */
  retry?: boolean;
}

export function registerCommand<A extends unknown[], R>(
  id: CommandId,
  log: Log,
  run: (...args: A) => R | PromiseLike<R>,
  opts: CommandOptions<R> = {},
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A): Promise<R | undefined> => {
    log.info('command', `${id}${argsShape(args)}`);
    try {
      return await run(...args);
    } catch (e) {
      const err = decoded(e);
      void showFailure(err, log, opts.retry ? () => vscode.commands.executeCommand(id, ...args) : undefined);
      return opts.onError?.(err);
    }
  });
}

/**
 * The argument names only, never their values: a command's arguments can carry a password or a client secret
 * that no redaction pattern would recognise.
 */
export function argsShape(args: readonly unknown[]): string {
  if (!args.length || args.every((a) => a === undefined)) return '';
  const one = (a: unknown) => (a && typeof a === 'object' && !Array.isArray(a) ? `{${Object.keys(a).join(', ')}}` : typeof a);
  return ` (${args.map(one).join(', ')})`;
}

/** A DevKitError as it is; anything else through the decoder, so a recognised message still gets its fix. */
function decoded(e: unknown): unknown {
  if (isDevKitError(e) || !(e instanceof Error)) return e;
  const [finding] = loadDecode().decodeText(e.message);
  return finding && finding.category !== 'unknown' ? new DevKitError(finding, { cause: e }) : e;
}
