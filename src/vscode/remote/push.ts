/**
 * SalesIQ: Push Token to Server, and auto-push after an automatic refresh. The flow itself is the core's
 * pushToken (preflight → read → edit one key → masked diff → atomic write with backup → restart → verify →
 * journal); this file supplies the session, the answers, the progress and the report.
 */
import * as vscode from 'vscode';
import type { DevKitError } from '../../core/errors/devkitError';
import { pushToken, type PushStep } from '../../core/flows/push';
import type { StoredToken } from '../../core/tokenManager';
import type { FeatureDeps } from '../deps';
import { showFailure } from '../notify';
import type { ProfileSetting } from '../settings';
import { Answers, type RemoteArgs } from './answers';
import { noToken } from './findings';
import { type Exclusive, guarded, type Outcome } from './outcome';
import type { PushStatus } from './pushStatus';
import { autoPushEnabled, remoteSettings } from './remoteSettings';
import type { ServerLog } from './serverLog';
import { openRemote } from './session';
import { resolveTarget, type Target, targetLabel } from './target';

export interface PushDone {
  changed: boolean;
  /** The previous .env, kept on the server (absent when nothing changed). */
  backup?: string;
  active: boolean;
  state: string;
  journal: string[];
  /** sha256 prefix of the pushed token, as the service's "loaded …" journal line shows it. */
  newTokenHashPrefix?: string;
  warnings: string[];
  host: string;
  envPath: string;
  key: string;
}

const STEP_TEXT: Record<PushStep, string> = {
  connect: 'connecting…',
  preflight: 'checking the shell and sudo…',
  read: 'reading the .env…',
  confirm: 'waiting for your confirmation…',
  write: 'writing the .env (backup kept; can no longer be cancelled)…',
  restart: 'restarting the service…',
  verify: 'waiting until the service stays active…',
  journal: 'reading the journal…',
  done: 'done',
};

interface Run {
  token: string;
  profile: ProfileSetting;
  auto: boolean;
  answers: Answers;
  progress: vscode.Progress<{ message?: string }>;
  cancel?: vscode.CancellationToken;
}

export class Pusher {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly status: PushStatus,
    private readonly serverLog: ServerLog,
    private readonly exclusive: Exclusive,
  ) {}

  /** The command: the active profile's current token, to the profile's envKey. */
  async command(args: RemoteArgs = {}): Promise<Outcome<PushDone>> {
    const c = this.deps.controller;
    const token = c.token;
    const profile = c.profile;
    if (!token || token.expiresAt <= this.deps.clock.now()) {
      const err = noToken(profile.name, !!token);
      void showFailure(err, this.deps.log);
      return { ok: false, finding: err.finding };
    }
    return this.exclusive(() =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `SalesIQ: push ${profile.envKey}`, cancellable: true },
        (progress, cancel) => this.run({ token: token.accessToken, profile, auto: false, answers: new Answers(args), progress, cancel }),
      ),
    );
  }

  /** After an automatic refresh with salesiq.autoPush on: no prompts, no confirmation. */
  onRefresh(e: { token: StoredToken; automatic: boolean; profile: ProfileSetting }): void {
    if (!e.automatic || !autoPushEnabled()) return;
    void this.exclusive(() =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'SalesIQ auto-push' }, (progress) =>
        this.run({
          token: e.token.accessToken,
          profile: e.profile,
          auto: true,
          answers: new Answers({ interactive: false, confirm: false }),
          progress,
        }),
      ),
    );
  }

  private async run(o: Run): Promise<Outcome<PushDone>> {
    const settings = remoteSettings();
    const abort = new AbortController();
    o.cancel?.onCancellationRequested(() => abort.abort());
    let target: Target | undefined;
    const where = () => (target ? targetLabel(target) : settings.host || 'no server set');
    const at = () => this.deps.clock.now();
    const log = (m: string) => this.deps.log.info(o.auto ? 'auto-push' : 'push', m);
    const step = (s: PushStep) => {
      o.progress.report({ message: s === 'connect' ? `connecting to ${where()}…` : STEP_TEXT[s] });
      log(`${where()}: ${s}`);
    };
    this.status.set({ kind: 'running', at: at(), auto: o.auto, where: where() });

    const outcome = await guarded(
      this.deps,
      {
        component: o.auto ? 'auto-push' : 'push',
        cancelledMessage: "push cancelled; the server's .env was not changed.",
        context: () => ({ target }),
        report: o.auto ? (err) => this.reportAuto(err) : o.answers.quiet ? () => undefined : undefined,
        retry: o.auto ? undefined : () => vscode.commands.executeCommand('salesiq.pushToServer'),
      },
      async (): Promise<PushDone> => {
        target = resolveTarget(settings);
        const remote = await openRemote(this.deps, o.answers, settings, target, step, abort.signal);
        const reported = new Set<PushStep>(['connect', 'preflight']);
        try {
          const r = await pushToken({
            session: remote.session,
            envPath: settings.envPath,
            key: o.profile.envKey,
            value: o.token,
            service: settings.service,
            sudo: remote.priv.mode,
            sudoPassword: remote.priv.password,
            restart: settings.restart,
            keepBackups: settings.backupsToKeep,
            // The core asks only when the file would change; the diff has both tokens masked.
            confirm: settings.confirmPush
              ? async (diff) => {
                  await o.answers.confirm(`Write the new ${o.profile.envKey} to ${targetLabel(remote.target)}?`, `${settings.envPath}\n\n${diff}\n\nA timestamped backup is kept${settings.restart ? `; ${settings.service} restarts afterwards` : ''}.`, 'Write');
                  return true;
                }
              : undefined,
            // pushToken repeats connect/preflight on the session we opened: report each step once.
            onStep: (s) => {
              if (reported.has(s)) return;
              reported.add(s);
              step(s);
            },
            signal: abort.signal,
          });
          const done: PushDone = {
            changed: r.changed,
            active: r.active,
            state: r.state,
            journal: r.journal,
            newTokenHashPrefix: r.newTokenHashPrefix,
            warnings: r.warnings,
            host: remote.target.host,
            envPath: settings.envPath,
            key: o.profile.envKey,
          };
          if (r.backup) done.backup = r.backup;
          return done;
        } finally {
          remote.session.close();
        }
      },
    );

    if (outcome.ok) this.report(outcome, o, where());
    else if (outcome.cancelled) this.status.set({ kind: 'cancelled', at: at(), auto: o.auto, where: where() });
    else this.status.set({ kind: 'failed', at: at(), auto: o.auto, where: where(), title: outcome.finding.title });
    return outcome;
  }

  private report(r: PushDone, o: Run, where: string): void {
    const log = this.deps.log;
    const component = o.auto ? 'auto-push' : 'push';
    this.status.set({ kind: 'ok', at: this.deps.clock.now(), auto: o.auto, where, changed: r.changed, active: r.active, state: r.state });
    log.info(component, `${where}: ${r.key} ${r.changed ? `written (backup ${r.backup})` : 'already held this token'}; service ${r.state}`);
    // The whole tail goes to the server log channel; the DevKit log keeps the lines that show the outcome.
    for (const l of r.journal.slice(-3)) log.info(component, `journal: ${l}`);
    for (const w of r.warnings) void vscode.window.showWarningMessage(`SalesIQ: ${w}`);
    this.serverLog.block(`${remoteSettings().service} on ${where} after the ${o.auto ? 'auto-push' : 'push'}`, r.journal, !o.auto);
    const service = `${remoteSettings().service} is ${r.state}`;
    const text = r.changed ? `${r.key} pushed to ${r.host}; ${service}.` : `${r.host} already had this token; ${service}.`;
    if (o.auto) {
      vscode.window.setStatusBarMessage(`$(check) SalesIQ auto-push: ${text}`, 8000);
      if (!r.active) void vscode.window.showWarningMessage(`SalesIQ auto-push: ${text}`, 'Show Server Log').then((c) => c && this.serverLog.show());
      return;
    }
    if (o.answers.quiet) return;
    const show = r.active ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`SalesIQ: ${text}`, 'Show Server Log').then((c) => c && this.serverLog.show());
  }

  /** Auto-push never asks: an answer it would need becomes one warning with a way to give it. */
  private reportAuto(err: DevKitError): void {
    if (err.finding.code !== 'needs-answer') return void showFailure(err, this.deps.log);
    const push = 'Push Now…';
    void vscode.window.showWarningMessage(`SalesIQ auto-push skipped: ${err.finding.title} ${err.finding.explanation}`, push, 'Show Log').then((c) => {
      if (c === push) void vscode.commands.executeCommand('salesiq.pushToServer');
      else if (c) this.deps.log.show();
    });
  }
}
