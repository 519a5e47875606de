/** SalesIQ: Test SSH Connection and SalesIQ: Trust Host… — every check a push needs, without writing anything. */
import * as vscode from 'vscode';
import type { HostKeyInfo } from '../../core/ssh/session';
import type { Privilege } from '../../core/ssh/sudo';
import type { FeatureDeps } from '../deps';
import { Answers, type RemoteArgs } from './answers';
import { readEnvKey } from '../../core/dotenv/setKey';
import { readFile } from '../../core/ssh/remoteFile';
import { unitState } from '../../core/ssh/service';
import { guarded, type Outcome } from './outcome';
import { remoteSettings, type RemoteSettings } from './remoteSettings';
import { explain } from './findings';
import type { NamedServer } from './servers';
import { isDevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { errorTitle, runFleet } from '../../core/flows/fleet';
import { connectTarget, openRemote } from './session';
import { resolveTarget, type Target, targetLabel } from './target';

export interface ConnectionReport {
  host: string;
  port: number;
  user: string;
  fingerprint: string;
  /** How the host key was trusted: known_hosts, pin, accepted-once, accepted-pin. */
  via: HostKeyInfo['via'];
  sudo: Privilege['mode'];
  envPath: string;
  /** The profile's key is in the .env (its value is never shown). */
  keyPresent: boolean;
  service: string;
  serviceState: string;
}

const VIA_TEXT: Record<HostKeyInfo['via'], string> = {
  known_hosts: 'known_hosts',
  pin: 'the pinned fingerprint',
  'accepted-once': 'trusted once',
  'accepted-pin': 'now pinned',
};

export function testConnection(deps: FeatureDeps, args: RemoteArgs, settings: RemoteSettings): Promise<Outcome<ConnectionReport>> {
  let target: Target | undefined;
  return guarded(deps, { component: 'ssh-test', cancelledMessage: 'connection test cancelled.', context: () => ({ target }) }, () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ: test SSH connection' }, async (progress) => {
      const r = await probe(deps, new Answers(args), settings, (t) => (target = t), (message) => progress.report({ message }));
      deps.log.info('ssh-test', r.text);
      void vscode.window.showInformationMessage(`SalesIQ: ${r.text}`);
      return r.report;
    }),
  );
}

export interface ServerTestResult {
  name: string;
  ok: boolean;
  /** The one result line: what was checked, or the decoded failure. */
  detail: string;
  report?: ConnectionReport;
  finding?: Finding;
}

/**
 * Test SSH Connection on several servers at once (one connection each, the fleet's concurrency cap): one
 * progress notification, then one line per server in the log and in the closing notification. A failing
 * server is a line, not a separate error toast, and never stops the others.
 */
export async function testConnections(
  deps: FeatureDeps,
  args: RemoteArgs,
  servers: NamedServer[],
): Promise<{ ok: boolean; results: ServerTestResult[] }> {
  const answers = new Answers(args);
  const states = new Map(servers.map((s) => [s.name, 'waiting']));
  const title = `SalesIQ: test SSH connection to ${servers.length} servers`;
  const outcomes = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) =>
    runFleet(
      servers.map((s) => s.name),
      async (name) => {
        const s = servers.find((x) => x.name === name)!;
        let target: Target | undefined;
        try {
          return await probe(deps, answers, s.settings, (t) => (target = t), () => undefined);
        } catch (e) {
          throw explain(e, { target });
        }
      },
      {
        clock: deps.clock,
        onState: (name, state) => {
          states.set(name, state);
          progress.report({ message: [...states].map(([n, st]) => `${n}: ${st}`).join(' · ') });
        },
      },
    ),
  );
  const results: ServerTestResult[] = outcomes.map((o) =>
    o.ok
      ? { name: o.name, ok: true, detail: o.value!.text, report: o.value!.report }
      : { name: o.name, ok: false, detail: errorTitle(o.error), ...(isDevKitError(o.error) ? { finding: o.error.finding } : {}) },
  );
  const lines = results.map((r) => `${r.ok ? '✓' : '✗'} ${r.name}: ${r.detail}`);
  for (const l of lines) deps.log[l.startsWith('✓') ? 'info' : 'error']('ssh-test', l);
  const failed = results.filter((r) => !r.ok).length;
  const show = failed ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
  void show(`SalesIQ: ${results.length - failed} of ${results.length} servers OK — ${lines.join(' · ')}`, 'Show Log').then((c) => c && deps.log.show());
  return { ok: failed === 0, results };
}

/** Every check a push needs, without writing anything: host key, login, sudo, the .env and its key, the unit. */
async function probe(
  deps: FeatureDeps,
  answers: Answers,
  settings: RemoteSettings,
  resolved: (t: Target) => void,
  say: (message: string) => void,
): Promise<{ report: ConnectionReport; text: string }> {
  const target = resolveTarget(settings);
  resolved(target);
  const { session, priv } = await openRemote(deps, answers, settings, target, (p) => say(p === 'connect' ? `connecting to ${targetLabel(target)}…` : 'checking the shell and sudo…'));
  try {
    say(`reading ${settings.envPath}…`);
    const env = await readFile(session, priv, settings.envPath);
    const key = deps.controller.profile.envKey;
    const keyPresent = readEnvKey(env.content, key) !== undefined;
    const serviceState = await unitState(session, settings.service);
    const hk = session.hostKey;
    const report: ConnectionReport = {
      host: target.host,
      port: target.port,
      user: target.user,
      fingerprint: hk.fingerprint,
      via: hk.via,
      sudo: priv.mode,
      envPath: settings.envPath,
      keyPresent,
      service: settings.service,
      serviceState,
    };
    const sudo = priv.mode === 'none' ? 'no sudo' : `sudo ${priv.mode}`;
    const text = `${targetLabel(target)} OK · host key ${hk.fingerprint} (${VIA_TEXT[hk.via]}) · ${sudo} · ${settings.envPath} readable, ${key} ${keyPresent ? 'present' : 'not set yet'} · ${settings.service} ${serviceState}`;
    return { report, text };
  } finally {
    session.close();
  }
}

/** Connects once to check the host key; an unknown one gets the trust modal (the fix button of 'host-key-unknown'). */
export function trustHost(deps: FeatureDeps, args: RemoteArgs = {}): Promise<Outcome<{ fingerprint: string; via: HostKeyInfo['via'] }>> {
  let target: Target | undefined;
  return guarded(deps, { component: 'trust-host', cancelledMessage: 'the host key was not trusted.', context: () => ({ target }) }, async () => {
    target = resolveTarget(remoteSettings());
    const session = await connectTarget(deps, new Answers(args), target);
    session.close();
    const { fingerprint, via } = session.hostKey;
    void vscode.window.showInformationMessage(`SalesIQ: ${target.host}'s host key ${fingerprint} is trusted (${VIA_TEXT[via]}).`);
    return { fingerprint, via };
  });
}
