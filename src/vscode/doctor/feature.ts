/**
 * SalesIQ: Run Doctor, and the Restart button of its report. Lives in the SSH chunk (dist/ssh.js) with ssh2;
 * the registration in index.ts loads it on first use.
 */
import * as vscode from 'vscode';
import { allChecks, type DoctorReport } from '../../core/flows/doctor';
import { restartService } from '../../core/ssh/service';
import type { FeatureDeps } from '../deps';
import { showFailure } from '../notify';
import { Answers } from '../remote/answers';
import { chooseServers, configuredServers, type NamedServer } from '../remote/servers';
import { type PushAllArgs, pushToAll } from '../remote/pushAll';
import { openRemote } from '../remote/session';
import { resolveTarget, targetLabel } from '../remote/target';
import { runVscodeDoctor } from './run';
import { DoctorView, type FixButton } from './view';

export interface DoctorArgs {
  /** Run against these servers (by name) without asking; `[]` runs the profile checks only. */
  servers?: string[];
  /** Per-check time limit in ms (tests). */
  timeoutMs?: number;
}

export interface DoctorOutcome {
  report: DoctorReport;
  buttons: FixButton[];
}

export interface DoctorFeature extends vscode.Disposable {
  run(args?: DoctorArgs): Promise<DoctorOutcome | undefined>;
  restart(args?: { server?: string }): Promise<unknown>;
  pushAll(args?: PushAllArgs, auto?: boolean): Promise<unknown>;
}

export function createDoctor(deps: FeatureDeps): DoctorFeature {
  let last: DoctorArgs | undefined;
  let running: Promise<DoctorOutcome | undefined> | undefined;
  const view = new DoctorView(deps.log, () => void run(last ?? {}, true));

  async function serversFor(args: DoctorArgs, rerun: boolean): Promise<NamedServer[] | undefined> {
    const all = configuredServers();
    if (args.servers) return all.filter((s) => args.servers!.includes(s.name));
    if (rerun && last?.servers) return all.filter((s) => last!.servers!.includes(s.name));
    return chooseServers({ purpose: 'Run Doctor', allowAll: true, placeHolder: 'Which server? All servers: one report, a section per server' });
  }

  async function run(args: DoctorArgs = {}, rerun = false): Promise<DoctorOutcome | undefined> {
    if (running) return running;
    const servers = await serversFor(args, rerun);
    if (!servers) return undefined;
    last = { ...args, servers: servers.map((s) => s.name) };
    const label = servers.length ? servers.map((s) => s.name).join(', ') : 'no server configured';
    running = (async () => {
      view.showRunning(`Profile ${deps.controller.profile.name} · ${label}`);
      const t0 = deps.clock.now();
      const report = await runVscodeDoctor(deps, { servers, timeoutMs: args.timeoutMs });
      const checks = allChecks(report);
      const n = (s: string) => checks.filter((c) => c.status === s).length;
      const warnings = n('warn') === 1 ? '1 warning' : `${n('warn')} warnings`;
      const summary = `Profile ${deps.controller.profile.name} · ${label} · ${n('pass')} passed, ${warnings}, ${n('fail')} failed, ${n('skip')} skipped · ${((deps.clock.now() - t0) / 1000).toFixed(1)} s · ${new Date(deps.clock.now()).toLocaleTimeString()}`;
      deps.log.info('doctor', `${summary}; ${checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.title}`).join(' | ') || 'nothing failed'}`);
      const buttons = await view.show(report, summary);
      return { report, buttons };
    })().finally(() => (running = undefined));
    return running;
  }

  async function restart(args: { server?: string } = {}): Promise<unknown> {
    const question = { purpose: 'Restart Service', allowAll: false, placeHolder: 'Which server? One at a time: the restart is checked on that server' };
    const server = (await chooseServers(question, args.server))?.[0];
    if (!server) return undefined;
    const settings = server.settings;
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SalesIQ: restarting ${settings.service} on ${server.name}` }, async () => {
        const target = resolveTarget(settings);
        const { session, priv } = await openRemote(deps, new Answers(), settings, target);
        try {
          const r = await restartService(session, priv, settings.service, {
            secrets: deps.controller.token ? [deps.controller.token.accessToken] : [],
          });
          deps.log.info('doctor', `restarted ${settings.service} on ${targetLabel(target)}: ${r.state}`);
          void vscode.window.showInformationMessage(`SalesIQ: ${settings.service} on ${server.name} restarted and ${r.state}.`, 'Re-run Doctor').then((c) => c && run(last ?? {}, true));
          return { ok: true, state: r.state };
        } finally {
          session.close();
        }
      });
    } catch (e) {
      void showFailure(e, deps.log);
      return { ok: false };
    }
  }

  return { run: (args) => run(args), restart, pushAll: (args, auto) => pushToAll(deps, args, auto), dispose: () => view.dispose() };
}
