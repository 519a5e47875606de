/**
 * SalesIQ: Push Token to Server, and auto-push after an automatic refresh. The flow itself is the core's
 * pushToken (preflight → read → edit one key → masked diff → atomic write with backup → restart → verify →
 * journal); this file supplies the session, the answers, the progress and the report.
 */
import * as vscode from 'vscode';
import { decodeText } from '../../core/errors/decode';
import { type DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { liveText } from '../../core/flows/fix';
import { pushToken, type PushStep } from '../../core/flows/push';
import { type LiveResult, watchService } from '../../core/ssh/liveProof';
import { envKeyProblem, inputError } from '../../core/ssh/targetRules';
import type { StoredToken } from '../../core/token/tokenManager';
import type { FeatureDeps } from '../deps';
import { showFailure } from '../notify';
import type { ProfileSetting } from '../settings';
import { Answers, type RemoteArgs } from './answers';
import { explain, noToken } from './findings';
import { type Exclusive, guarded, type Outcome } from './outcome';
import type { PushStatus } from './pushStatus';
import { autoPushEnabled, type RemoteSettings, remoteSettings } from './remoteSettings';
import type { ServerLog } from './serverLog';
import { connectTarget, openRemote } from './session';
import { resolveTarget, type Target, targetLabel } from './target';
import type { SshSession } from '../../core/ssh/session';
import type { Privilege } from '../../core/ssh/sudo';
import { unitState } from '../../core/ssh/service';
import { fail } from '../../core/errors/fail';
import type { FixServer } from '../../core/flows/fix';
import { restartLive } from '../../core/ssh/liveProof';
import { type Remote } from './session';
import { settleWindowMs } from './settle';
import { Cmd } from '../commandIds';

export interface PushDone {
  changed: boolean;
  /** The previous .env, kept on the server (absent when nothing changed). */
  backup?: string;
  /** DevKit's own older backups removed (never a file DevKit did not make). */
  pruned?: string[];
  active: boolean;
  state: string;
  journal: string[];
  /** sha256 prefix of the pushed token, as the service's "loaded …" journal line shows it. */
  newTokenHashPrefix?: string;
  /** How the restarted service was proven to hold the token; the settle window is watched in the background. */
  live?: { proof: LiveResult['proof']; mainPid: number; note: string; logLine: boolean };
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
  restart: 'restarting the service and proving it holds the new token…',
  live: 'the new token is live',
  watch: 'watching the service…',
  done: 'done',
};

interface Run {
  settings: RemoteSettings;
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

  /** The command: the active profile's current token, to the profile's envKey on the chosen server. */
  async command(args: RemoteArgs, settings: RemoteSettings): Promise<Outcome<PushDone>> {
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
        (progress, cancel) =>
          this.run({ settings, token: token.accessToken, profile, auto: false, answers: new Answers(args), progress, cancel }),
      ),
    );
  }

  /** After an automatic refresh with salesiq.autoPush on: no prompts, no confirmation. */
  onRefresh(e: { token: StoredToken; automatic: boolean; profile: ProfileSetting }): void {
    if (!e.automatic || !autoPushEnabled()) return;
    void this.exclusive(() =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'SalesIQ auto-push' }, (progress) =>
        this.run({
          settings: remoteSettings(),
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
    const settings = o.settings;
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
        retry: o.auto ? undefined : () => vscode.commands.executeCommand(Cmd.pushToServer, { server: o.answers.server }),
      },
      async (): Promise<PushDone> => {
        const keyProblem = envKeyProblem(o.profile.envKey);
        if (keyProblem) throw inputError(`The envKey of profile ${o.profile.name} (salesiq.profiles)`, keyProblem);
        target = resolveTarget(settings);
        let watching: Promise<void> | undefined;
        const remote = await openRemote(this.deps, o.answers, settings, target, step, abort.signal);
        const reported = new Set<PushStep>(['connect', 'preflight']);
        let reopened: SshSession | undefined;
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
            // Reported as soon as the token is live; the settle window is watched in the background below.
            restartOptions: { settleMs: 0 },
            keepBackups: settings.backupsToKeep,
            // A drop mid-write: one new connection, pinned to the key just trusted, tells which file is in place.
            reconnect: async () =>
              (reopened = await connectTarget(this.deps, o.answers, { ...remote.target, pin: remote.session.hostKey.fingerprint })),
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
          if (r.pruned.length) done.pruned = r.pruned;
          if (r.live) {
            done.live = { proof: r.live.proof, mainPid: r.live.mainPid, note: liveText(r.live), logLine: r.live.logLine };
            // After a drop mid-write the reopened connection is the live one: the watch runs there.
            watching = this.watchInBackground(reopened ?? remote.session, remote.priv, r.live, o, remote.target.host);
          }
          return done;
        } finally {
          if (!watching) {
            remote.session.close();
            reopened?.close();
          } else if (reopened) remote.session.close();
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
    if (r.pruned?.length) log.info(component, `${where}: pruned older DevKit backups ${r.pruned.join(', ')}`);
    // The whole tail goes to the server log channel; the DevKit log keeps the lines that show the outcome.
    for (const l of r.journal.slice(-3)) log.info(component, `journal: ${l}`);
    for (const w of r.warnings) void vscode.window.showWarningMessage(`SalesIQ: ${w}`);
    this.serverLog.block(`${o.settings.service} on ${where} after the ${o.auto ? 'auto-push' : 'push'}`, r.journal, !o.auto);
    const service = `${o.settings.service} is ${r.state}`;
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

  /**
   * The settle window after the live moment, on the push's own session (closed at the end): a crash then is a
   * warning with the decoded journal, shown even though the push already reported success.
   */
  private watchInBackground(session: SshSession, priv: Privilege, live: LiveResult, o: Run, host: string): Promise<void> | undefined {
    const settleMs = settleWindowMs();
    if (settleMs <= 0) return undefined;
    const component = o.auto ? 'auto-push' : 'push';
    return watchService(session, priv, live, { settleMs, secrets: [o.token] })
      .then(
        () => this.deps.log.info(component, `${live.unit} (PID ${live.mainPid}) stayed up for ${(settleMs / 1000).toFixed(1)} s after the restart`),
        (e: unknown) => this.reportCrash(e, live, host, component),
      )
      .finally(() => session.close());
  }

  private reportCrash(e: unknown, live: LiveResult, host: string, component: string): void {
    if (!isDevKitError(e)) return void showFailure(e, this.deps.log);
    const journal = (e.finding.details?.journal ?? '').split('\n').filter(Boolean);
    this.deps.log.error(component, `${live.unit} on ${host}: ${e.finding.title}`);
    this.serverLog.block(`${live.unit} on ${host}: stopped after the restart`, journal, false);
    this.status.set({ kind: 'failed', at: this.deps.clock.now(), auto: component === 'auto-push', where: host, title: e.finding.title });
    const why = decodeText(journal.join('\n'))[0];
    const text = `SalesIQ: ${live.unit} on ${host} stopped shortly after the restart (PID ${live.mainPid}).${why ? ` ${why.title} ${why.explanation}` : ` ${e.finding.explanation}`}`;
    void vscode.window.showWarningMessage(text, 'Show Server Log').then((c) => c && this.serverLog.show());
  }

  /**
   * Fix Now's server side, on one session opened on first use: write (the core's pushToken, no restart) →
   * restart with the live proof → watch. Progress goes to Fix Now's own notification through `say`; the push
   * status row and the server log channel are kept as a push keeps them. `close` ends the session.
   */
  fixServer(args: RemoteArgs, settings: RemoteSettings, say: (m: string) => void, signal?: AbortSignal): FixServer & { close(): void } {
    const profile = this.deps.controller.profile;
    const answers = new Answers({ ...args, confirm: false, quiet: true });
    let target: Target | undefined;
    const where = settings.host || 'no server set';
    const log = (m: string) => this.deps.log.info('fix', m);
    let remote: Promise<Remote> | undefined;
    let written: { backup?: string } | undefined;
    let value = '';
    const open = () =>
      (remote ??= (async () => {
        try {
          target = resolveTarget(settings);
          return await openRemote(this.deps, answers, settings, target, (p) => say(p === 'connect' ? `connecting to ${targetLabel(target!)}…` : STEP_TEXT[p]), signal);
        } catch (e) {
          throw explain(e, { target });
        }
      })());
    const afterWrite = (e: unknown) => {
      if (isDevKitError(e) && written?.backup) e.finding.details = { ...e.finding.details, written: 'true', backup: written.backup };
      return e;
    };
    return {
      key: profile.envKey,
      where: `${settings.envPath} on ${where}`,
      service: settings.service,
      // Fix Now connects (host key, sudo) while the token is refreshed; a failure is the push step's.
      prepare: async () => void (await open()),
      write: (token) =>
        this.exclusive(async () => {
          value = token;
          const rm = await open();
          this.status.set({ kind: 'running', at: this.deps.clock.now(), auto: false, where });
          const r = await pushToken({
            session: rm.session, envPath: settings.envPath, key: profile.envKey, value: token, service: settings.service,
            sudo: rm.priv.mode, sudoPassword: rm.priv.password, restart: false, keepBackups: settings.backupsToKeep, signal,
            onStep: (s) => s !== 'connect' && s !== 'preflight' && s !== 'done' && say(STEP_TEXT[s]),
          });
          written = r;
          log(`${where}: ${profile.envKey} ${r.changed ? `written (backup ${r.backup})` : 'already held this token'}`);
          for (const w of r.warnings) void vscode.window.showWarningMessage(`SalesIQ: ${w}`);
          return r;
        }),
      restart: settings.restart
        ? async (token) => {
            const rm = await open();
            try {
              const l = await restartLive(rm.session, rm.priv, settings.service, {
                key: profile.envKey,
                value: token,
                envPath: settings.envPath,
              });
              this.status.set({ kind: 'ok', at: this.deps.clock.now(), auto: false, where, changed: true, active: true, state: l.state });
              this.serverLog.block(`${settings.service} on ${where} after Fix Now`, l.journal, false);
              log(`${where}: ${liveText(l)}`);
              return l;
            } catch (e) {
              this.status.set({ kind: 'failed', at: this.deps.clock.now(), auto: false, where, title: isDevKitError(e) ? e.finding.title : String(e) });
              throw afterWrite(e);
            }
          }
        : undefined,
      assertActive: async () => {
        const state = await unitState((await open()).session, settings.service);
        if (state !== 'active') throw fail('systemd', 'inactive', { unit: settings.service, state });
        return state;
      },
      watch: async (live, ms) => {
        const rm = await open();
        try {
          await watchService(rm.session, rm.priv, live, { settleMs: ms, secrets: [value] });
        } catch (e) {
          this.reportCrash(e, live, where, 'fix');
          throw afterWrite(e);
        }
      },
      close: () => void remote?.then((r) => r.session.close(), () => undefined),
    };
  }

  /** Auto-push never asks: an answer it would need becomes one warning with a way to give it. */
  private reportAuto(err: DevKitError): void {
    if (err.finding.code !== 'needs-answer') return void showFailure(err, this.deps.log);
    const push = 'Push Now…';
    void vscode.window.showWarningMessage(`SalesIQ auto-push skipped: ${err.finding.title} ${err.finding.explanation}`, push, 'Show Log').then((c) => {
      if (c === push) void vscode.commands.executeCommand(Cmd.pushToServer);
      else if (c) this.deps.log.show();
    });
  }
}
