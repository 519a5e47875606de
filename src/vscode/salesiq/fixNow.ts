import * as vscode from 'vscode';
import { DevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { FixResult, FixStepName, runFix } from '../../core/flows/fix';
import type { TokenState } from '../../core/token';
import type { FeatureDeps } from '../deps';
import { showFailure, toFinding } from '../notify';
import { settings } from '../settings';
import type { LastResults } from './lastResults';
import { sendTestTransfer, transferTarget } from './testTransfer';

/** What the push command returns (src/vscode/remote); only the fields Fix Now reads. */
interface PushOutcome {
  ok: boolean;
  cancelled?: boolean;
  finding?: Finding;
  changed?: boolean;
  active?: boolean;
  state?: string;
  newTokenHashPrefix?: string;
  host?: string;
}

export interface FixNowArgs {
  /** false: no confirmation and no prompts (tests, walkthrough links with answers stored). */
  confirm?: boolean;
  /** Passed through to the push (e.g. a host-key answer). */
  push?: Record<string, unknown>;
}

export type FixNowResult = Omit<FixResult, 'error' | 'token'> & { finding?: Finding };

const STEP_TEXT: Record<FixStepName, string> = {
  refresh: 'refreshing the token (if needed)…',
  push: 'pushing it to the server’s .env…',
  restart: 'restarting the service…',
  verify: 'verifying the service runs with it…',
  transfer: 'sending a test transfer…',
};

/**
 * SalesIQ: Fix Now — the whole repair in one progress notification: refresh if not fresh → push →
 * restart → verify → test transfer. Stops at the first failure with the decoded reason and what was done.
 */
export function registerFixNow(deps: FeatureDeps, last: LastResults): vscode.Disposable {
  return vscode.commands.registerCommand('salesiq.fixNow', async (args: FixNowArgs = {}): Promise<FixNowResult | undefined> => {
    if (args.confirm !== false && !(await confirm(deps))) return undefined;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ: Fix Now', cancellable: true }, (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort(new Error('cancelled')));
      const onStep = (s: FixStepName) => progress.report({ message: STEP_TEXT[s] });
      return runFix(fixDeps(deps, last, args, onStep), { marginMs: settings.autoRefreshMarginMin() * 60_000, signal: abort.signal });
    });
    report(deps, result);
    const { error, token: _token, ...rest } = result;
    return error ? { ...rest, finding: toFinding(error) } : rest;
  });
}

function fixDeps(deps: FeatureDeps, last: LastResults, args: FixNowArgs, announce: (s: FixStepName) => void): Parameters<typeof runFix>[0] {
  const { controller, clock } = deps;
  let pushed: PushOutcome | undefined;
  return {
    clock,
    current: async () => (announce('refresh'), controller.token),
    refresh: () => controller.refresh(),
    push: async () => {
      announce('push');
      pushed = await vscode.commands.executeCommand<PushOutcome>('salesiq.pushToServer', { ...args.push, confirm: false, quiet: true, interactive: args.confirm !== false });
      // A systemd failure happens after the write: the push itself succeeded, the restart step reports it.
      if (!pushed?.ok && pushed?.finding?.source === 'systemd') return { detail: 'the .env has the new token (the restart failed)' };
      if (!pushed?.ok) throw pushed?.finding ? new DevKitError(pushed.finding) : new Error('The push was cancelled.');
      return { detail: pushed.changed ? `the .env on ${pushed.host} now has the token` : `the .env on ${pushed.host} already had this token` };
    },
    restart: settings.remoteRestart()
      ? async () => {
          announce('restart');
          if (!pushed?.ok && pushed?.finding) throw new DevKitError(pushed.finding);
          return { detail: `service ${pushed?.state ?? 'restarted'}` };
        }
      : undefined,
    verify: async () => {
      announce('verify');
      if (!pushed?.active) throw new Error('The service is not active after the restart; see "SalesIQ: Show Server Logs".');
      return { detail: `active${pushed.newTokenHashPrefix ? `, journal shows token ${pushed.newTokenHashPrefix}…` : ''}` };
    },
    transfer: async (_t: TokenState) => {
      announce('transfer');
      let target;
      try {
        target = transferTarget();
      } catch (e) {
        return { detail: `skipped: ${toFinding(e).explanation}`, skipped: true };
      }
      const r = await sendTestTransfer(deps, target);
      last.record('Test transfer', true, `HTTP ${r.status}, ${r.latencyMs} ms`, clock.now());
      return { detail: `HTTP ${r.status}, conversation ${r.conversationId ?? '(no id)'}, ${r.latencyMs} ms` };
    },
  };
}

function report(deps: FeatureDeps, r: FixResult): void {
  const lines = r.steps.map((s) => `${s.ok ? (s.skipped ? '–' : '✓') : '✗'} ${s.name}: ${s.detail}`);
  deps.log.info('fix', `${r.ok ? 'done' : `stopped at ${r.failedStep}`} in ${r.totalMs} ms\n${lines.join('\n')}`);
  deps.statusBar.render();
  if (r.ok) {
    void vscode.window.showInformationMessage(`SalesIQ Fix Now: done in ${(r.totalMs / 1000).toFixed(1)} s — ${r.steps.filter((s) => !s.skipped).map((s) => s.name).join(' → ')}.`, 'Show Log').then((c) => c && deps.log.show());
    return;
  }
  const done = r.steps.filter((s) => s.ok && !s.skipped).map((s) => s.name);
  const f = toFinding(r.error);
  void showFailure(new DevKitError({ ...f, title: `Fix Now stopped at “${r.failedStep}”: ${f.title}`, explanation: `${f.explanation}${done.length ? ` Already done: ${done.join(', ')}.` : ' Nothing was changed.'}` }), deps.log);
}

async function confirm(deps: FeatureDeps): Promise<boolean> {
  const host = vscode.workspace.getConfiguration('salesiq').get<string>('remote.host');
  const choice = await vscode.window.showInformationMessage(
    'Fix Now?',
    { modal: true, detail: `Refresh the ${deps.controller.profile.name} token if needed, write it to ${host || 'the server'}'s .env, restart the service, verify it, and ${settings.confirmTestTransfer() ? 'open a labelled test conversation operators will see' : 'send a test transfer'}.` },
    'Fix Now',
  );
  return choice === 'Fix Now';
}
