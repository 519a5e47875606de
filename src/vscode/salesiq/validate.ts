import * as vscode from 'vscode';
import { isDevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import type { PortalSettingNames, Validity } from '../../core/salesiq/validate';
import type { FeatureDeps } from '../deps';
import { loadNet } from '../lazy';
import { settings } from '../settings';
import type { LastResults } from './lastResults';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

export type { Validity } from '../../core/salesiq/validate';

/** How the extension's messages name the portal settings. */
export const PORTAL_SETTING_NAMES: PortalSettingNames = {
  screenName: 'salesiq.screenName',
  appId: 'salesiq.appId',
  departmentId: 'salesiq.departmentId',
};

export interface ValidateOutcome {
  validity: Validity;
  profile: string;
  finding?: Finding;
}

/** SalesIQ: Validate Token — a harmless authenticated GET that says whether the token works, and if not why. */
export function registerValidate(deps: FeatureDeps, last: LastResults): vscode.Disposable {
  return registerCommand(Cmd.validateToken, deps.log, async (): Promise<ValidateOutcome | undefined> => {
    const { controller, log, clock } = deps;
    const token = controller.token;
    const profile = controller.profile.name;
    if (!token) {
      void vscode.window.showWarningMessage(`Profile "${profile}" has no access token yet.`, 'Refresh Token').then((c) => c && vscode.commands.executeCommand(Cmd.refreshToken));
      return undefined;
    }
    const net = loadNet();
    const portal = { screenName: settings.screenName(), appId: settings.appId() };
    const http = net.createHttpClient(settings.httpOptions());
    const url = controller.endpoints().salesiqUrl;
    const check = () => net.checkToken(http, url, token.accessToken, portal, { clock, names: PORTAL_SETTING_NAMES });
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SalesIQ: validating the ${profile} token…` }, check);
    last.record('Validation', true, `${profile} token valid`, clock.now());
    log.info('validate', `profile ${profile}: token accepted by SalesIQ`);
    vscode.window.setStatusBarMessage(`$(check) SalesIQ accepted the ${profile} token`, 5000);
    deps.statusBar.render();
    return { validity: 'valid', profile };
  }, {
    onError: (e): ValidateOutcome => {
      const profile = deps.controller.profile.name;
      const validity: Validity = isDevKitError(e) ? loadNet().validityOf(e.finding) : 'failed';
      last.record('Validation', false, `${profile}: ${validity}`, deps.clock.now());
      deps.statusBar.render();
      return { validity, profile, finding: isDevKitError(e) ? e.finding : undefined };
    },
  });
}
