import * as vscode from 'vscode';
import type { Finding } from '../../core/errors/finding';
import { TEST_TRANSFER_QUESTION } from '../../core/flows/fix';
import { remainingMs } from '../../core/token/token';
import type { FeatureDeps } from '../deps';
import { loadNet } from '../lazy';
import { toFinding } from '../notify';
import { ProfileStore } from '../profileStore';
import { ProfileSetting, settings } from '../settings';
import type { LastResults } from './lastResults';
import { PORTAL_SETTING_NAMES } from './validate';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

export interface TransferOutcome {
  status: number;
  conversationId: string | null;
  latencyMs: number;
  refreshed: boolean;
  profile: string;
}

type TransferResult = TransferOutcome | { finding: Finding } | undefined;

/**
 * SalesIQ: Send Test Transfer — opens a labelled conversation through the visitor API, which is what a
 * chatbot's hand-off to a human does. It lands in a real operator queue, so it asks first.
 */
export function registerTestTransfer(deps: FeatureDeps, last: LastResults): vscode.Disposable {
  return registerCommand(Cmd.sendTestTransfer, deps.log, async (args?: { confirm?: boolean }): Promise<TransferResult> => {
    const target = transferTarget();
    if (args?.confirm !== false && !(await confirm(target.departmentId))) return undefined;
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SalesIQ: opening a test conversation with the ${target.profile.name} token…` }, () => sendTestTransfer(deps, target));
    last.record('Test transfer', true, `HTTP ${outcome.status}, ${outcome.latencyMs} ms`, deps.clock.now());
    deps.statusBar.render();
    void vscode.window.showInformationMessage(`Test transfer sent: HTTP ${outcome.status}, conversation ${outcome.conversationId ?? '(no id returned)'}, ${outcome.latencyMs} ms${outcome.refreshed ? ' (after one token refresh)' : ''}.`);
    return outcome;
  }, {
    onError: (e) => {
      const finding = toFinding(e);
      last.record('Test transfer', false, finding.title, deps.clock.now());
      deps.statusBar.render();
      return { finding };
    },
  });
}

export interface TransferTarget {
  profile: ProfileSetting;
  screenName: string;
  appId: string;
  departmentId: string;
}

/** Everything the visitor API needs, or one message naming every missing setting (core/salesiq/testTransfer.ts). */
export function transferTarget(): TransferTarget {
  const name = settings.transferProfile();
  const profile = settings.profiles().find((p) => p.name === name);
  const given = { screenName: settings.screenName(), appId: settings.appId(), departmentId: settings.departmentId() };
  const noProfile = profile ? [] : [`a profile named "${name}" (salesiq.transferProfile)`];
  const portal = loadNet().requireTransferPortal(given, PORTAL_SETTING_NAMES, noProfile);
  return { profile: profile!, ...portal };
}

/** Opens the conversation with the profile's token; on 1001/1008 refreshes that profile once and retries once. */
export async function sendTestTransfer(deps: FeatureDeps, t: TransferTarget): Promise<TransferOutcome> {
  const { controller, clock, log } = deps;
  const stored = await new ProfileStore(deps.secrets, t.profile.name).readToken();
  const fresh = stored && remainingMs(stored, clock.now()) > 0;
  const token = fresh ? stored.accessToken : (await controller.refreshProfile(t.profile.name)).accessToken;
  const net = loadNet();
  const r = await net.sendTestTransfer(token, t, {
    http: net.createHttpClient(settings.httpOptions()),
    salesiqUrl: controller.endpoints(t.profile).salesiqUrl,
    clock,
    refresh: async () => (await controller.refreshProfile(t.profile.name)).accessToken,
  });
  log.info('transfer', `test conversation opened with profile ${t.profile.name}: HTTP ${r.status}, id ${r.conversationId ?? '-'}, ${r.latencyMs} ms`);
  return { status: r.status, conversationId: r.conversationId, latencyMs: r.latencyMs, refreshed: r.refreshed, profile: t.profile.name };
}

async function confirm(departmentId: string): Promise<boolean> {
  if (!settings.confirmTestTransfer()) return true;
  const choice = await vscode.window.showWarningMessage(
    'Send a test transfer?',
    { modal: true, detail: `This opens a real conversation in department ${departmentId} that operators will see, labelled "${TEST_TRANSFER_QUESTION}".` },
    'Send',
    "Send, Don't Ask Again",
  );
  if (choice === "Send, Don't Ask Again") await vscode.workspace.getConfiguration('salesiq').update('confirmTestTransfer', false, vscode.ConfigurationTarget.Global);
  return !!choice;
}
