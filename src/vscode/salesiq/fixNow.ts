import * as vscode from 'vscode';
import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { type FixDeps, type FixResult, type FixStepName, isExpiredToken, runFix, stepLine } from '../../core/flows/fix';
import { tokenKind } from '../../core/token/token';
import type { FeatureDeps } from '../deps';
import { loadNet } from '../lazy';
import { showFailure, toFinding } from '../notify';
import type { RemoteArgs } from '../remote/answers';
import type { NamedServer } from '../remote/servers';
import { fixAll, type FixAllResult } from './fixAll';
import { remoteFeature } from '../remote';
import { settleWindowMs } from '../remote/settle';
import { settings } from '../settings';
import type { LastResults } from './lastResults';
import { sendTestTransfer, transferTarget } from './testTransfer';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

export interface FixNowArgs {
  /** These servers (by name) without asking; several run the fix on all of them. */
  servers?: string[];
  /** false: no confirmation and no prompts (tests, walkthrough links with answers stored). */
  confirm?: boolean;
  /** Passed to the server steps (e.g. a host-key answer). */
  push?: RemoteArgs;
}

export type FixNowResult = Omit<FixResult, 'error' | 'token' | 'watching' | 'live'> & {
  finding?: Finding;
  /** The settle-window watch, still running in the background when the command returns. */
  watching?: Promise<{ ok: boolean; detail: string; finding?: Finding }>;
};

const FIX_QUESTION = { purpose: 'Fix Now', allowAll: true, placeHolder: 'Which server? All servers: one refresh, the token to each at once, one test transfer' };

const STEP_TEXT: Record<FixStepName, string> = {
  refresh: 'refreshing the token (if needed)…',
  push: 'pushing it to the server’s .env…',
  restart: 'restarting the service…',
  live: 'proving the service holds the new token…',
  verify: 'verifying the service and the token…',
  transfer: 'sending a test transfer…',
  watch: 'watching the service…',
};

/**
 * SalesIQ: Fix Now — the core's fix flow (the CLI's `fix` runs the same one) in one progress notification:
 * refresh if not fresh or rejected → push → restart → live → verify → test transfer. It reports as soon as the
 * new token is live and the rest is done; the settle-window watch runs on in the background and warns, with the
 * decoded journal, if the service dies then. Stops at the first failure with the reason and what was done.
 */
export function registerFixNow(deps: FeatureDeps, last: LastResults): vscode.Disposable {
  return registerCommand(Cmd.fixNow, deps.log, async (args: FixNowArgs = {}): Promise<FixNowResult | FixAllResult | undefined> => {
    const remote = remoteFeature();
    if (!remote) throw new Error('the remote feature is not registered');
    const servers = await remote.chooseServers(FIX_QUESTION, args.servers ?? args.push?.server);
    if (!servers) return undefined;
    if (args.confirm !== false && !(await confirm(deps, servers))) return undefined;
    if (servers.length > 1) {
      const push = { ...args.push, interactive: args.confirm !== false };
      return fixAll(deps, profileSide(deps, last), remote, servers, push, settings.autoRefreshMarginMin() * 60_000);
    }
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ: Fix Now', cancellable: true }, async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort(new Error('cancelled')));
      const say = (message: string) => progress.report({ message });
      const server = remote.fixServer({ ...args.push, interactive: args.confirm !== false }, servers[0], say, abort.signal);
      try {
        const r = await runFix(fixDeps(deps, last, server, say), {
          marginMs: settings.autoRefreshMarginMin() * 60_000,
          settleMs: settleWindowMs(),
          backgroundWatch: true,
          signal: abort.signal,
        });
        if (r.watching) void r.watching.finally(() => server.close());
        else server.close();
        return r;
      } catch (e) {
        server.close();
        throw e;
      }
    });
    report(deps, result);
    const { error, token: _token, watching, live: _live, ...rest } = result;
    const out: FixNowResult = error ? { ...rest, finding: toFinding(error) } : rest;
    if (watching) {
      out.watching = watching.then((s) => ({ ok: s.ok, detail: s.detail, ...(s.error ? { finding: toFinding(s.error) } : {}) }));
    }
    return out;
  });
}

function fixDeps(deps: FeatureDeps, last: LastResults, server: FixDeps['server'], say: (m: string) => void): FixDeps {
  return {
    ...profileSide(deps, last),
    server,
    onStep: (name, done) => {
      if (!done) say(STEP_TEXT[name]);
      else deps.log.info('fix', stepLine(done));
    },
  };
}

/** The token side of the fix, the same for one server and for several: refresh rule, API check, test transfer. */
function profileSide(deps: FeatureDeps, last: LastResults): Omit<FixDeps, 'server' | 'onStep'> {
  const { controller, clock } = deps;
  return {
    clock,
    current: async () => controller.token,
    staleReason: async (t) => {
      try {
        await salesiqCheck(deps, t.accessToken);
        return undefined;
      } catch (e) {
        return isExpiredToken(e) && isDevKitError(e) ? `SalesIQ rejected the cached token (${e.finding.code})` : undefined;
      }
    },
    refresh: () => controller.refresh(),
    checkApi: async (t) => {
      await salesiqCheck(deps, t.accessToken);
      return 'SalesIQ accepts the token';
    },
    transfer: async () => {
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

/** A harmless authenticated GET with the profile's portal settings (as Validate Token does). */
async function salesiqCheck(deps: FeatureDeps, token: string): Promise<void> {
  const net = loadNet();
  const org = tokenKind(token) === 'org';
  await net.validateToken(net.createHttpClient(settings.httpOptions()), deps.controller.endpoints().salesiqUrl, token, {
    screenName: settings.screenName(),
    appId: org ? settings.appId() : undefined,
  });
}

function report(deps: FeatureDeps, r: FixResult): void {
  deps.log.info('fix', `${r.ok ? 'done' : `stopped at ${r.failedStep}`} in ${r.totalMs} ms${r.liveMs !== undefined ? ` (new token live at ${r.liveMs} ms)` : ''}`);
  deps.statusBar.render();
  if (r.ok) {
    const done = r.steps.filter((s) => !s.skipped).map((s) => s.name).join(' → ');
    const live = r.liveMs !== undefined ? `new token live in ${(r.liveMs / 1000).toFixed(1)} s` : 'done';
    const watch = r.watching ? '; watching the service for a moment longer' : '';
    void vscode.window.showInformationMessage(`SalesIQ Fix Now: ${live} — ${done}${watch}.`, 'Show Log').then((c) => c && deps.log.show());
    return;
  }
  const done = r.steps.filter((s) => s.ok && !s.skipped).map((s) => s.name);
  const f = toFinding(r.error);
  void showFailure(new DevKitError({ ...f, title: `Fix Now stopped at “${r.failedStep}”: ${f.title}`, explanation: `${f.explanation}${done.length ? ` Already done: ${done.join(', ')}.` : ' Nothing was changed.'}` }), deps.log);
}

async function confirm(deps: FeatureDeps, servers: NamedServer[]): Promise<boolean> {
  const where = servers.length > 1 ? `the .env of ${servers.length} servers (${servers.map((s) => s.name).join(', ')}) at once` : `${servers[0]?.name || 'the server'}'s .env`;
  const restart = servers.length > 1 ? 'restart each service' : 'restart the service, prove it holds the new token, verify it';
  const transfer = settings.confirmTestTransfer() ? 'open a labelled test conversation operators will see' : 'send a test transfer';
  const choice = await vscode.window.showInformationMessage(
    'Fix Now?',
    { modal: true, detail: `Refresh the ${deps.controller.profile.name} token if needed, write it to ${where}, ${restart}, and ${transfer}.` },
    'Fix Now',
  );
  return choice === 'Fix Now';
}
