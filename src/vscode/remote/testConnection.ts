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
import { remoteSettings } from './remoteSettings';
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

export function testConnection(deps: FeatureDeps, args: RemoteArgs = {}): Promise<Outcome<ConnectionReport>> {
  const settings = remoteSettings();
  let target: Target | undefined;
  return guarded(deps, { component: 'ssh-test', cancelledMessage: 'connection test cancelled.', context: () => ({ target }) }, () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ: test SSH connection' }, async (progress) => {
      target = resolveTarget(settings);
      const { session, priv } = await openRemote(deps, new Answers(args), settings, target, (p) =>
        progress.report({ message: p === 'connect' ? `connecting to ${targetLabel(target!)}…` : 'checking the shell and sudo…' }),
      );
      try {
        progress.report({ message: `reading ${settings.envPath}…` });
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
        const text = `SalesIQ: ${targetLabel(target)} OK · host key ${hk.fingerprint} (${VIA_TEXT[hk.via]}) · ${sudo} · ${settings.envPath} readable, ${key} ${keyPresent ? 'present' : 'not set yet'} · ${settings.service} ${serviceState}`;
        deps.log.info('ssh-test', text);
        void vscode.window.showInformationMessage(text);
        return report;
      } finally {
        session.close();
      }
    }),
  );
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
