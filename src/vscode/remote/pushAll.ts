/**
 * SalesIQ: Push Token to All Servers — the active token to every server of `salesiq.remote.servers` (and the
 * unnamed one) at once: one connection each, a concurrency cap, one progress notification with a line per
 * server, and a closing table (server, result, time, what was done) in the log. One server's failure never
 * stops or rolls back the others; the summary names exactly which servers hold the new token. Also the
 * auto-push after an automatic refresh to every server marked `autoPush`.
 */
import * as vscode from 'vscode';
import { isDevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { errorTitle, type FleetState, runFleet } from '../../core/flows/fleet';
import { pushToken } from '../../core/flows/push';
import type { FeatureDeps } from '../deps';
import { Answers, type RemoteArgs } from './answers';
import { configuredServers, type NamedServer } from './servers';
import { openRemote } from './session';
import { resolveTarget, targetLabel } from './target';
import { Cmd } from '../commandIds';

export interface ServerPushResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
  changed?: boolean;
  active?: boolean;
  finding?: Finding;
}

export interface PushAllArgs extends RemoteArgs {
  /** Only these servers (by name); default all. */
  servers?: string[];
}

export async function pushToAll(
  deps: FeatureDeps,
  args: PushAllArgs = {},
  auto = false,
): Promise<{ ok: boolean; results: ServerPushResult[] } | undefined> {
  const token = deps.controller.token;
  const profile = deps.controller.profile;
  const all = configuredServers().filter((s) => (args.servers ? args.servers.includes(s.name) : !auto || (s.autoPush && !s.unnamed)));
  if (!token || token.expiresAt <= deps.clock.now() || !all.length) {
    if (!auto) void vscode.window.showWarningMessage(!all.length ? 'SalesIQ: no server is configured (salesiq.remote.servers or salesiq.remote.host).' : `SalesIQ: the ${profile.name} token is missing or expired; refresh it first.`);
    return undefined;
  }
  if (!auto && args.confirm !== false) {
    const go = 'Push to All';
    const pick = await vscode.window.showWarningMessage(`Write ${profile.envKey} to ${all.length} servers and restart their services?`, { modal: true, detail: all.map((s) => `${s.name}: ${s.settings.host}:${s.settings.envPath} (${s.settings.service})`).join('\n') }, go);
    if (pick !== go) return undefined;
  }
  const answers = new Answers({ ...args, confirm: false, ...(auto ? { interactive: false } : {}) });
  const lines = new Map<string, string>(all.map((s) => [s.name, 'waiting']));
  const run = (progress: vscode.Progress<{ message?: string }>) =>
    runFleet(
      all.map((s) => s.name),
      (name) => pushOne(deps, all.find((s) => s.name === name)!, token.accessToken, profile.envKey, answers),
      {
        clock: deps.clock,
        onState: (name: string, state: FleetState, detail?: string) => {
          lines.set(name, state === 'failed' ? `✗ ${detail ?? 'failed'}` : state === 'ok' ? '✓ done' : state);
          progress.report({ message: [...lines].map(([n, l]) => `${n}: ${l}`).join(' · ') });
        },
      },
    );
  const outcomes = await vscode.window.withProgress({ location: auto ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: `SalesIQ: push ${profile.envKey} to ${all.length} servers` }, run);
  const results: ServerPushResult[] = outcomes.map((o) =>
    o.ok
      ? { name: o.name, ok: true, ms: o.ms, ...o.value! }
      : { name: o.name, ok: false, ms: o.ms, detail: errorTitle(o.error), ...(isDevKitError(o.error) ? { finding: o.error.finding } : {}) },
  );
  report(deps, results, auto, args.quiet === true);
  return { ok: results.every((r) => r.ok), results };
}

async function pushOne(deps: FeatureDeps, s: NamedServer, value: string, key: string, answers: Answers): Promise<Omit<ServerPushResult, 'name' | 'ok' | 'ms'>> {
  const settings = s.settings;
  const target = resolveTarget(settings);
  const remote = await openRemote(deps, answers, settings, target);
  try {
    const r = await pushToken({
      session: remote.session,
      envPath: settings.envPath,
      key,
      value,
      service: settings.service,
      sudo: remote.priv.mode,
      sudoPassword: remote.priv.password,
      restart: settings.restart,
      keepBackups: settings.backupsToKeep,
    });
    const detail = `${r.changed ? 'wrote' : 'already held'} ${key} in ${targetLabel(target)}:${settings.envPath}${r.backup ? ` (backup ${r.backup})` : ''}; ${settings.restart ? `restarted ${settings.service}: ${r.state}` : `${settings.service} is ${r.state}`}`;
    return { detail, changed: r.changed, active: r.active };
  } finally {
    remote.session.close();
  }
}

/** The table always goes to the log; the notification is left to the caller when it is quiet (Fix Now sums up). */
function report(deps: FeatureDeps, results: ServerPushResult[], auto: boolean, quiet: boolean): void {
  const width = Math.max(6, ...results.map((r) => r.name.length));
  const table = [
    `${'server'.padEnd(width)}  result  ${'time'.padStart(8)}  what was done`,
    ...results.map((r) => `${r.name.padEnd(width)}  ${(r.ok ? 'ok' : 'FAILED').padEnd(6)}  ${`${(r.ms / 1000).toFixed(1)} s`.padStart(8)}  ${r.detail}`),
  ];
  for (const l of table) deps.log.info(auto ? 'auto-push' : 'push-all', l);
  const ok = results.filter((r) => r.ok).map((r) => r.name);
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  const summary = `${ok.length} of ${results.length} servers hold the new token${ok.length ? `: ${ok.join(', ')}` : ''}.${failed.length ? ` Failed: ${failed.join(', ')} (their .env is unchanged or as the log says).` : ''}`;
  if ((auto && !failed.length) || quiet) return;
  const show = failed.length ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
  void show(`SalesIQ: ${summary}`, 'Show Details').then((c) => c && vscode.commands.executeCommand(Cmd.showLog));
}
