import * as vscode from 'vscode';
import type { DevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import type { FeatureDeps } from '../deps';
import { showFailure } from '../notify';
import { type Context, explain, isCancel } from './findings';

/** What every remote command returns, so tests (and other commands) can act on it without reading the UI. */
export type Outcome<T> =
  | ({ ok: true } & T)
  | { ok: false; cancelled: true; finding?: undefined }
  | { ok: false; cancelled?: undefined; finding: Finding };

export interface GuardOptions {
  component: string;
  /** Shown (not awaited) when the user cancelled. */
  cancelledMessage: string;
  /** Read after a failure: what the finding's notification should mention. */
  context?: () => Context;
  /** Instead of the usual error notification (auto-push shows a warning for some). */
  report?: (err: DevKitError) => void;
  retry?: () => unknown;
}

/** Runs a command body: a cancel becomes a short note, any failure a decoded notification with its facts. */
export async function guarded<T extends object>(deps: FeatureDeps, o: GuardOptions, body: () => PromiseLike<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, ...(await body()) };
  } catch (e) {
    if (isCancel(e)) {
      deps.log.info(o.component, `cancelled (${(e as Error).message})`);
      void vscode.window.showInformationMessage(`SalesIQ: ${o.cancelledMessage}`);
      return { ok: false, cancelled: true };
    }
    const err = explain(e, o.context?.() ?? {});
    if (o.report) {
      deps.log.error(o.component, `${err.finding.title} [${err.finding.source} ${err.finding.code ?? ''}] ${err.finding.explanation}`);
      o.report(err);
    } else {
      void showFailure(err, deps.log, o.retry);
    }
    return { ok: false, finding: err.finding };
  }
}

/** One write at a time (a manual push, an auto-push, a restore), so none meets another's precondition check. */
export type Exclusive = <T>(fn: () => PromiseLike<T>) => Promise<T>;

export function serialiser(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => PromiseLike<T>) => {
    const run: Promise<T> = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
