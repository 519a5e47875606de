/**
 * SalesIQ: Restore Previous .env — pick one of the timestamped backups and put it back through the same
 * safe write (hash precondition, atomic rename, the current file backed up too), then restart and verify.
 */
import * as vscode from 'vscode';
import { isDevKitError } from '../../core/errors/devkitError';
import { readEnvKey } from '../../core/dotenv/setKey';
import { type Backup, listBackups, readFile, writeFileAtomic } from '../../core/ssh/remoteFile';
import { restartService, unitState } from '../../core/ssh/service';
import { relativeText } from '../../core/token/token';
import type { FeatureDeps } from '../deps';
import { Answers, type RemoteArgs } from './answers';
import { envChanges } from './envChanges';
import { cancelled, noBackup } from './findings';
import { type Exclusive, guarded, type Outcome } from './outcome';
import type { RemoteSettings } from './remoteSettings';
import type { ServerLog } from './serverLog';
import { openRemote } from './session';
import { resolveTarget, type Target, targetLabel } from './target';

export interface RestoreArgs extends RemoteArgs {
  /** The backup to restore (a path `listBackups` shows); absent: pick one. */
  backup?: string;
}

export interface RestoreDone {
  restoredFrom: string;
  /** Where the replaced content was saved. */
  backup?: string;
  changes: string[];
  active: boolean;
  state: string;
  journal: string[];
  host: string;
  envPath: string;
}

export class Restorer {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly serverLog: ServerLog,
    private readonly exclusive: Exclusive,
  ) {}

  command(args: RestoreArgs, settings: RemoteSettings): Promise<Outcome<RestoreDone>> {
    return this.exclusive(() =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ: restore the server .env', cancellable: true }, (progress, cancel) =>
        this.run(args, settings, progress, cancel),
      ),
    );
  }

  private async run(
    args: RestoreArgs,
    settings: RemoteSettings,
    progress: vscode.Progress<{ message?: string }>,
    cancel: vscode.CancellationToken,
  ): Promise<Outcome<RestoreDone>> {
    const answers = new Answers(args);
    const abort = new AbortController();
    cancel.onCancellationRequested(() => abort.abort());
    const say = (message: string) => {
      progress.report({ message });
      this.deps.log.info('restore', message);
    };
    let target: Target | undefined;
    const outcome = await guarded(this.deps, { component: 'restore', cancelledMessage: "restore cancelled; the server's .env was not changed.", context: () => ({ target }) }, async () => {
      target = resolveTarget(settings);
      const { session, priv } = await openRemote(this.deps, answers, settings, target, (p) => say(p === 'connect' ? `connecting to ${targetLabel(target!)}…` : 'checking the shell and sudo…'), abort.signal);
      try {
        say('listing backups…');
        const backups = await listBackups(session, priv, settings.envPath);
        if (!backups.length) throw noBackup(`There is no backup of ${settings.envPath} on ${target.host} yet.`);
        const chosen = args.backup ?? (await this.pick(backups, answers));
        if (!backups.some((b) => b.path === chosen)) throw noBackup(`${chosen} is not one of the backups of ${settings.envPath} on ${target.host}.`);
        abort.signal.throwIfAborted();

        say(`reading ${chosen}…`);
        const [current, old] = [await readFile(session, priv, settings.envPath), await readFile(session, priv, chosen)];
        const changes = envChanges(current.content, old.content, this.deps.controller.profile.envKey);
        if (!changes.length) throw noBackup(`${chosen} is identical to the current .env; nothing to restore.`);
        say('waiting for your confirmation…');
        await answers.confirm(`Put ${chosen.split('/').pop()} back as ${settings.envPath} on ${targetLabel(target)}?`, `Changes:\n${changes.map((c) => `• ${c}`).join('\n')}\n\nThe current file is backed up first${settings.restart ? `; ${settings.service} restarts afterwards` : ''}.`, 'Restore');
        abort.signal.throwIfAborted();

        say('writing the .env (backup kept; can no longer be cancelled)…');
        // The hash of the file the user just saw is the precondition: an edit made meanwhile is a conflict.
        const keep = { keepBackups: settings.backupsToKeep };
        const written = await writeFileAtomic(session, priv, settings.envPath, old.content, current.sha256, keep);
        this.deps.log.info('restore', `${targetLabel(target)}: ${settings.envPath} restored from ${chosen}; the replaced file is ${written.backup}`);
        let state: string;
        let journal: string[] = [];
        if (settings.restart) {
          say(`restarting ${settings.service}…`);
          try {
            const r = await restartService(session, priv, settings.service, { secrets: this.secrets(current.content, old.content) });
            state = r.state;
            journal = r.journal;
          } catch (e) {
            if (isDevKitError(e)) e.finding.details = { ...e.finding.details, written: 'true', backup: written.backup ?? '(none)' };
            throw e;
          }
        } else {
          state = await unitState(session, settings.service);
        }
        const done: RestoreDone = { restoredFrom: chosen, changes, active: state === 'active', state, journal, host: target.host, envPath: settings.envPath };
        if (written.backup) done.backup = written.backup;
        return done;
      } finally {
        session.close();
      }
    });
    if (outcome.ok) {
      this.serverLog.block(`${settings.service} on ${outcome.host} after the restore`, outcome.journal, true);
      const text = `SalesIQ: ${outcome.envPath} on ${outcome.host} restored from ${outcome.restoredFrom.split('/').pop()}; ${settings.service} is ${outcome.state}.`;
      void (outcome.active ? vscode.window.showInformationMessage(text) : vscode.window.showWarningMessage(text));
    }
    return outcome;
  }

  private async pick(backups: Backup[], answers: Answers): Promise<string> {
    if (!answers.interactive) throw noBackup('No backup was chosen.');
    const now = this.deps.clock.now();
    const pick = await vscode.window.showQuickPick(
      backups.map((b) => ({ label: b.mtime.toLocaleString(), description: `${relativeText(b.mtime.getTime() - now)} · ${b.size} bytes`, detail: b.path, path: b.path })),
      { title: 'SalesIQ: restore which backup?', placeHolder: 'Newest first; the current file is backed up before it is replaced' },
    );
    if (!pick) throw cancelled('no backup picked');
    return pick.path;
  }

  /** The token values on both sides, masked in the journal lines. */
  private secrets(a: Buffer, b: Buffer): string[] {
    const key = this.deps.controller.profile.envKey;
    return [readEnvKey(a, key), readEnvKey(b, key)].filter((v): v is string => !!v);
  }
}
