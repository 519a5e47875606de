/**
 * The "SalesIQ Server Log" output channel: journal lines after a push or restore, the recent lines on demand,
 * and a follow mode streamed until stopped. Created on first use (activation creates nothing for it).
 */
import * as vscode from 'vscode';
import type { FeatureDeps } from '../deps';
import { showFailure } from '../notify';
import { Answers, type RemoteArgs } from './answers';
import { explain } from './findings';
import { followJournal, journal } from '../../core/ssh/service';
import { guarded, type Outcome } from './outcome';
import type { RemoteSettings } from './remoteSettings';
import { openRemote } from './session';
import { resolveTarget, type Target, targetLabel } from './target';
import { BuiltinCmd } from '../commandIds';

export interface LogsArgs extends RemoteArgs {
  /** true: stream new lines until stopped (again while following: the lines so far); false: the recent lines once. Absent: ask. */
  follow?: boolean;
  lines?: number;
}

const FOLLOW_CONTEXT = 'salesiq.followingServerLog';
/** Lines kept for the stop command's result (the channel itself holds them all). */
const KEEP_LINES = 5000;

interface Following {
  abort: AbortController;
  done: Promise<void>;
  lines: string[];
}

export class ServerLog implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;
  private following: Following | undefined;

  constructor(private readonly deps: FeatureDeps) {}

  /** Journal lines under a heading; `reveal` brings the channel up without taking focus. */
  block(heading: string, lines: string[], reveal: boolean): void {
    const out = this.out();
    out.appendLine(`── ${heading} · ${new Date(this.deps.clock.now()).toLocaleString()} ──`);
    for (const l of lines.length ? lines : ['(no journal lines)']) out.appendLine(this.deps.log.clean(l));
    if (reveal) out.show(true);
  }

  show(): void {
    this.out().show(true);
  }

  async command(args: LogsArgs, settings: RemoteSettings): Promise<Outcome<{ lines: string[]; following?: boolean }>> {
    let follow = args.follow;
    if (follow === undefined && args.interactive !== false) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: '$(history) Recent lines', description: `the last ${args.lines ?? 50} journal lines`, follow: false },
          { label: '$(play) Follow', description: 'stream new lines into the output channel until stopped', follow: true },
        ],
        { title: `SalesIQ: server log of ${settings.service}` },
      );
      if (!pick) return { ok: false, cancelled: true };
      follow = pick.follow;
    }
    return follow ? this.follow(args, settings) : this.recent(args, settings);
  }

  private recent(args: LogsArgs, settings: RemoteSettings): Promise<Outcome<{ lines: string[] }>> {
    let target: Target | undefined;
    return guarded(this.deps, { component: 'logs', cancelledMessage: 'the server log was not read.', context: () => ({ target }) }, () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SalesIQ: server log' }, async (progress) => {
        target = resolveTarget(settings);
        const r = await openRemote(this.deps, new Answers(args), settings, target, (p) => progress.report({ message: p === 'connect' ? `connecting to ${target!.host}…` : 'checking sudo…' }));
        try {
          progress.report({ message: 'reading the journal…' });
          const lines = await journal(r.session, r.priv, settings.service, args.lines ?? 50, this.secrets());
          this.block(`last ${lines.length} lines of ${settings.service} on ${targetLabel(target)}`, lines, true);
          this.deps.log.info('logs', `read ${lines.length} journal lines of ${settings.service} on ${targetLabel(target)}`);
          return { lines };
        } finally {
          r.session.close();
        }
      }),
    );
  }

  private async follow(args: LogsArgs, settings: RemoteSettings): Promise<Outcome<{ lines: string[]; following: boolean }>> {
    if (this.following) {
      this.show();
      return { ok: true, lines: [...this.following.lines], following: true };
    }
    let target: Target | undefined;
    return guarded(this.deps, { component: 'logs', cancelledMessage: 'not following the server log.', context: () => ({ target }) }, async () => {
      target = resolveTarget(settings);
      const r = await openRemote(this.deps, new Answers(args), settings, target);
      const where = `${settings.service} on ${targetLabel(target)}`;
      const f: Following = { abort: new AbortController(), done: Promise.resolve(), lines: [] };
      this.following = f;
      const out = this.out();
      out.appendLine(`── following ${where} · ${new Date(this.deps.clock.now()).toLocaleString()} (SalesIQ: Stop Following Server Log) ──`);
      out.show(true);
      f.done = followJournal(r.session, r.priv, settings.service, {
          lines: args.lines ?? 10,
          signal: f.abort.signal,
          secrets: this.secrets(),
          onLine: (l) => {
            const clean = this.deps.log.clean(l);
            out.appendLine(clean);
            f.lines.push(clean);
            if (f.lines.length > KEEP_LINES) f.lines.shift();
          },
        })
        .then(
          (how) => {
            this.deps.log.info('logs', `following ${where} ${how}`);
            if (how === 'connection-lost') void vscode.window.showWarningMessage(`SalesIQ: the connection to ${target!.host} dropped; the server log is no longer followed.`);
            if (how === 'ended') void vscode.window.showInformationMessage(`SalesIQ: journalctl on ${target!.host} ended; the server log is no longer followed.`);
          },
          (e) => void showFailure(explain(e, { target }), this.deps.log),
        )
        .finally(() => {
          r.session.close();
          out.appendLine(`── stopped following ${where} ──`);
          this.following = undefined;
          void vscode.commands.executeCommand(BuiltinCmd.setContext, FOLLOW_CONTEXT, false);
        });
      await vscode.commands.executeCommand(BuiltinCmd.setContext, FOLLOW_CONTEXT, true);
      this.deps.log.info('logs', `following ${where}`);
      void vscode.window.showInformationMessage(`SalesIQ: following the journal of ${where}.`, 'Stop Following').then((c) => c && this.stop());
      return { lines: [], following: true };
    });
  }

  /** Stops the follow mode; resolves once the remote journalctl has been told to end. */
  async stop(): Promise<{ ok: true; stopped: boolean; lines: string[] }> {
    const f = this.following;
    if (!f) return { ok: true, stopped: false, lines: [] };
    f.abort.abort();
    await f.done;
    return { ok: true, stopped: true, lines: f.lines };
  }

  private secrets(): string[] {
    const t = this.deps.controller.token?.accessToken;
    return t ? [t] : [];
  }

  private out(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel('SalesIQ Server Log');
    return this.channel;
  }

  dispose(): void {
    this.following?.abort.abort();
    this.channel?.dispose();
  }
}
