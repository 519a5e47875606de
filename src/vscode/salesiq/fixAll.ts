/**
 * Fix Now on several servers: one refresh, the token to every chosen server at once (Push to All: one
 * connection each, one progress line per server, its closing table), then one test transfer. One server's
 * failure never stops the others; the result names the servers that hold the new token.
 *
 * Composed from the flows that exist (the fix flow's refresh rule, the fleet push, the test transfer) until
 * src/core/flows/fix.ts offers the fix for several servers itself; then `fixOnServers` becomes a call to it
 * with these same deps, and the CLI and Fix Now say the same thing.
 */
import * as vscode from 'vscode';
import type { Finding } from '../../core/errors/finding';
import type { FixDeps } from '../../core/flows/fix';
import { countdownText, type TokenState } from '../../core/token/token';
import type { FeatureDeps } from '../deps';
import { showFailure, toFinding } from '../notify';
import type { RemoteArgs } from '../remote/answers';
import type { ServerPushResult } from '../remote/pushAll';

export interface FixAllResult {
  ok: boolean;
  /** Why the token was refreshed, or undefined when it was fresh. */
  refreshed?: string;
  /** Absent when the run stopped before pushing (the refresh failed). */
  servers?: ServerPushResult[];
  transfer?: { detail: string; skipped?: boolean } | { finding: Finding };
  failedStep?: 'refresh' | 'push' | 'transfer';
  finding?: Finding;
}

export interface FixAllDeps {
  fix: Pick<FixDeps, 'current' | 'staleReason' | 'refresh' | 'transfer'>;
  pushToAll(args: RemoteArgs & { servers: string[] }): Promise<{ ok: boolean; results: ServerPushResult[] } | undefined>;
  marginMs: number;
}

export async function fixOnServers(deps: FeatureDeps, d: FixAllDeps, servers: string[], push: RemoteArgs = {}): Promise<FixAllResult> {
  const { log, clock } = deps;
  let token: TokenState;
  let refreshed: string | undefined;
  try {
    const cached = await d.fix.current();
    refreshed = await refreshReason(cached, clock.now(), d);
    token = refreshed
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ Fix Now: refreshing the token…' }, () => d.fix.refresh())
      : cached!;
    log.info('fix', refreshed ? `refreshed (${refreshed}); expires in ${countdownText(token.expiresAt - clock.now())}` : 'the token is fresh: no refresh');
  } catch (e) {
    void showFailure(e, log);
    return { ok: false, failedStep: 'refresh', finding: toFinding(e) };
  }
  const pushed = await d.pushToAll({ ...push, confirm: false, quiet: true, servers });
  if (!pushed) return { ok: false, refreshed, failedStep: 'push' };
  const holding = pushed.results.filter((r) => r.ok).map((r) => r.name);
  const transfer = holding.length && d.fix.transfer ? await testTransfer(d, token) : undefined;
  const transferFailed = !!transfer && 'finding' in transfer;
  const ok = pushed.ok && !transferFailed;
  const result: FixAllResult = { ok, refreshed, servers: pushed.results, ...(transfer ? { transfer } : {}) };
  if (!pushed.ok) result.failedStep = 'push';
  else if (transferFailed) result.failedStep = 'transfer';
  report(deps, result, holding);
  return result;
}

async function refreshReason(t: TokenState | undefined, now: number, d: FixAllDeps): Promise<string | undefined> {
  if (!t) return 'no cached token';
  const left = t.expiresAt - now;
  if (left <= 0) return 'the cached token has expired';
  if (left <= d.marginMs) return `only ${countdownText(left)} left`;
  return d.fix.staleReason?.(t);
}

async function testTransfer(d: FixAllDeps, token: TokenState): Promise<FixAllResult['transfer']> {
  try {
    return await d.fix.transfer!(token);
  } catch (e) {
    return { finding: toFinding(e) };
  }
}

function report(deps: FeatureDeps, r: FixAllResult, holding: string[]): void {
  const total = r.servers?.length ?? 0;
  const transfer = !r.transfer ? 'no test transfer (no server holds the token)' : 'finding' in r.transfer ? `test transfer failed: ${r.transfer.finding.title}` : `test transfer ${r.transfer.detail}`;
  const text = `SalesIQ Fix Now: ${holding.length} of ${total} servers hold the new token${holding.length ? ` (${holding.join(', ')})` : ''}; ${transfer}.`;
  deps.log[r.ok ? 'info' : 'error']('fix', text);
  deps.statusBar.render();
  const show = r.ok ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  void show(text, 'Show Log').then((c) => c && deps.log.show());
}
