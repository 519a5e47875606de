/**
 * Fix Now on several servers: the core's fixOnServers (src/core/flows/fixFleet.ts, the CLI's `fix --all-servers`
 * runs the same): one refresh, every server's push → restart → live → verify at once, one test transfer, each
 * server's watch. This file only renders it: one progress notification with a line per server, the step lines in
 * the log, and the core's summary of which servers hold and run the new token.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/errors/finding';
import type { FixDeps, FixStepName } from '../../core/flows/fix';
import { stepLine } from '../../core/flows/fix';
import { fixOnServers, fleetFixSummary, type FleetFixResult } from '../../core/flows/fixFleet';
import type { FeatureDeps } from '../deps';
import { showFailure, toFinding } from '../notify';
import type { RemoteArgs } from '../remote/answers';
import type { RemoteFeature } from '../remote/feature';
import type { NamedServer } from '../remote/servers';
import { settleWindowMs } from '../remote/settle';

export interface ServerFixOutcome {
  name: string;
  ok: boolean;
  ms: number;
  /** The server's .env holds the new token / its running service was proven to use it. */
  holds: boolean;
  running: boolean;
  failedStep?: FixStepName;
  finding?: Finding;
}

export interface FixAllResult {
  ok: boolean;
  /** Why the token was refreshed, or undefined when it was fresh. */
  refreshed?: string;
  /** Absent when the run stopped before the servers (the refresh failed). */
  servers?: ServerFixOutcome[];
  transfer?: { detail: string; skipped?: boolean } | { finding: Finding };
  /** A shared step that failed (refresh, verify, transfer), or `push` when only servers failed. */
  failedStep?: FixStepName;
  finding?: Finding;
}

type ProfileSide = Omit<FixDeps, 'server' | 'onStep'>;

export async function fixAll(
  deps: FeatureDeps,
  side: ProfileSide,
  remote: RemoteFeature,
  servers: NamedServer[],
  push: RemoteArgs,
  marginMs: number,
): Promise<FixAllResult> {
  const where = { location: vscode.ProgressLocation.Notification, title: `SalesIQ: Fix Now on ${servers.length} servers`, cancellable: true };
  const r = await vscode.window.withProgress(where, async (progress, cancel) => {
    const abort = new AbortController();
    cancel.onCancellationRequested(() => abort.abort(new Error('cancelled')));
    const lines = new Map(servers.map((s) => [s.name, 'waiting…']));
    const show = () => progress.report({ message: [...lines].map(([n, l]) => `${n}: ${l}`).join(' · ') });
    const fleet = servers.map((s) => ({ name: s.name, server: remote.fixServer(push, s, () => undefined, abort.signal) }));
    try {
      return await fixOnServers(
        {
          ...side,
          servers: fleet,
          onStep: (server, name, done) => {
            if (done) deps.log.info('fix', `${server ? `[${server}] ` : ''}${stepLine(done)}`);
            if (server) lines.set(server, done ? `${name} ${done.ok ? '✓' : '✗'}` : `${name}…`);
            show();
          },
          onServer: (name, state, detail) => {
            if (state === 'ok' || state === 'failed') lines.set(name, state === 'ok' ? 'done ✓' : `failed: ${detail ?? ''}`);
            show();
          },
        },
        { marginMs, settleMs: settleWindowMs(), signal: abort.signal },
      );
    } finally {
      for (const f of fleet) f.server.close();
    }
  });
  const out = outcome(r);
  report(deps, r, out);
  return out;
}

function outcome(r: FleetFixResult): FixAllResult {
  const refresh = r.steps.find((s) => s.name === 'refresh');
  const transfer = r.steps.find((s) => s.name === 'transfer');
  const serversFailed = r.servers.some((s) => !s.ok);
  const failedStep = r.failedStep ?? (serversFailed ? 'push' : undefined);
  return {
    ok: r.ok,
    ...(refresh?.ok && !refresh.skipped ? { refreshed: refresh.detail } : {}),
    ...(r.failedStep === 'refresh' ? {} : { servers: r.servers.map(serverOutcome) }),
    ...(transfer ? { transfer: transferOutcome(transfer, r.error) } : {}),
    ...(failedStep ? { failedStep } : {}),
    ...(r.error ? { finding: toFinding(r.error) } : {}),
  };
}

function transferOutcome(t: FleetFixResult['steps'][number], error: unknown): NonNullable<FixAllResult['transfer']> {
  return t.ok ? { detail: t.detail, ...(t.skipped ? { skipped: true } : {}) } : { finding: toFinding(error) };
}

function serverOutcome(s: FleetFixResult['servers'][number]): ServerFixOutcome {
  return {
    name: s.name,
    ok: s.ok,
    ms: s.ms,
    holds: s.holds,
    running: s.running,
    ...(s.failedStep ? { failedStep: s.failedStep } : {}),
    ...(s.ok ? {} : { finding: toFinding(s.error) }),
  };
}

function report(deps: FeatureDeps, r: FleetFixResult, out: FixAllResult): void {
  deps.statusBar.render();
  if (r.failedStep === 'refresh') {
    void showFailure(r.error, deps.log);
    return;
  }
  const text = `SalesIQ Fix Now: ${fleetFixSummary(r).replace(/\n/g, ' ')}`;
  deps.log[out.ok ? 'info' : 'error']('fix', text);
  const show = out.ok ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  void show(text, 'Show Log').then((c) => c && deps.log.show());
}
