import * as vscode from 'vscode';
import { isDevKitError } from '../../core/errors/devkitError';
import type { Finding } from '../../core/errors/finding';
import { tokenKind } from '../../core/token';
import type { FeatureDeps } from '../deps';
import { loadNet } from '../lazy';
import { showFailure } from '../notify';
import { settings } from '../settings';
import type { LastResults } from './lastResults';

export type Validity = 'valid' | 'expired' | 'missing-scope' | 'wrong-portal' | 'failed';

export interface ValidateOutcome {
  validity: Validity;
  profile: string;
  finding?: Finding;
}

/** SalesIQ: Validate Token — a harmless authenticated GET that says whether the token works, and if not why. */
export function registerValidate(deps: FeatureDeps, last: LastResults): vscode.Disposable {
  return vscode.commands.registerCommand('salesiq.validateToken', async (): Promise<ValidateOutcome | undefined> => {
    const { controller, log, clock } = deps;
    const token = controller.token;
    const profile = controller.profile.name;
    if (!token) {
      void vscode.window.showWarningMessage(`Profile "${profile}" has no access token yet.`, 'Refresh Token').then((c) => c && vscode.commands.executeCommand('salesiq.refreshToken'));
      return undefined;
    }
    const net = loadNet();
    const org = tokenKind(token.accessToken) === 'org';
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SalesIQ: validating the ${profile} token…` }, () =>
        net.validateToken(net.createHttpClient(settings.httpOptions()), controller.endpoints().salesiqUrl, token.accessToken, {
          screenName: settings.screenName(),
          appId: org ? settings.appId() : undefined,
        }),
      );
      last.record('Validation', true, `${profile} token valid`, clock.now());
      log.info('validate', `profile ${profile}: token accepted by SalesIQ`);
      vscode.window.setStatusBarMessage(`$(check) SalesIQ accepted the ${profile} token`, 5000);
      deps.statusBar.render();
      return { validity: 'valid', profile };
    } catch (e) {
      const validity = isDevKitError(e) ? validityOf(e.finding) : 'failed';
      last.record('Validation', false, `${profile}: ${validity}`, clock.now());
      deps.statusBar.render();
      void showFailure(e, log);
      return { validity, profile, finding: isDevKitError(e) ? e.finding : undefined };
    }
  });
}

/** The four answers a developer wants: it works, it expired, it lacks a scope, or it points at the wrong portal. */
export function validityOf(f: Finding): Validity {
  if (f.source === 'salesiq' && (f.code === 1001 || f.code === 1008)) return 'expired';
  if (f.category === 'scope') return 'missing-scope';
  if (f.source === 'salesiq' && (f.code === 1005 || f.code === 1006)) return 'wrong-portal';
  return 'failed';
}
