import * as fs from 'fs';
import * as vscode from 'vscode';
import type { Clock } from '../../core/token/clock';
import { DATA_CENTERS, DATA_CENTER_IDS, DataCenter } from '../../core/zoho/datacenters';
import { CREDENTIAL_VARS } from '../../core/defaults';
import { setEnvKey } from '../../core/dotenv/setKey';
import { credentialsFromEnv, ImportedSet } from '../../core/credentials/envImport';
import { registerCommand } from '../command';
import { Cmd } from '../commandIds';
import type { Log } from '../log';
import { saveProfile } from '../profileSetup';
import type { SecretStore } from '../secretStore';
import type { TokenController } from '../tokenController';

export interface ImportArgs {
  path: string;
  dataCenter: DataCenter;
  /** What to do with the file afterwards; the UI asks when omitted. */
  afterwards?: 'leave' | 'blank';
}

/** SalesIQ: Import Credentials from .env… — reads only the SALESIQ_* credential keys. */
export function registerImportEnv(secrets: SecretStore, controller: TokenController, clock: Clock, log: Log): vscode.Disposable {
  return registerCommand(Cmd.importFromEnv, log, async (args?: ImportArgs): Promise<boolean> => {
    const path = args?.path ?? (await pickFile());
    if (!path) return false;
    const content = fs.readFileSync(path);
    const found = credentialsFromEnv(content);
    const sets = [found.main && { name: 'user', set: found.main }, found.visitor && { name: 'org', set: found.visitor }].filter((s): s is { name: string; set: ImportedSet } => !!s);
    if (!sets.length) {
      const why = found.incomplete.length ? ` (${found.incomplete.join('; ')})` : '';
      void vscode.window.showWarningMessage(`No complete SalesIQ credentials found in ${path}${why}. It needs ${CREDENTIAL_VARS.clientId}, ${CREDENTIAL_VARS.clientSecret} and ${CREDENTIAL_VARS.refreshToken}.`);
      return false;
    }
    const dataCenter = args?.dataCenter ?? (await pickDataCenter());
    if (!dataCenter) return false;
    for (const { name, set } of sets) {
      log.remember(set.clientSecret, set.refreshToken, set.accessToken);
      // An imported access token's age is unknown: assume it is old rather than promise a fresh hour.
      const issuedAt = set.accessToken ? clock.now() - 55 * 60_000 : undefined;
      const profile = { name, dataCenter, envKey: set.envKey, credentials: set, accessToken: set.accessToken, issuedAt };
      await saveProfile(secrets, profile, clock.now());
    }
    await controller.switchTo(sets[0].name);
    log.info('import', `imported profile(s) ${sets.map((s) => s.name).join(', ')} from ${path}`);
    await afterImport(path, content, sets.flatMap((s) => s.set.keys), args?.afterwards, found.incomplete);
    return true;
  }, { onError: () => false });
}

async function pickFile(): Promise<string | undefined> {
  const uris = await vscode.window.showOpenDialog({ title: 'Import SalesIQ credentials from a .env file', canSelectMany: false, openLabel: 'Import', filters: { 'Env files': ['env', '*'] } });
  return uris?.[0]?.fsPath;
}

async function pickDataCenter(): Promise<DataCenter | undefined> {
  const pick = await vscode.window.showQuickPick(
    DATA_CENTER_IDS.map((id) => ({ label: DATA_CENTERS[id].label, description: DATA_CENTERS[id].accountsUrl, id })),
    { title: 'Data centre of these credentials', placeHolder: 'Where is the Zoho account? (zoho.in → India)', ignoreFocusOut: true },
  );
  return pick?.id;
}

async function afterImport(path: string, content: Buffer, keys: string[], choice: ImportArgs['afterwards'], incomplete: string[]): Promise<void> {
  const note = incomplete.length ? ` Skipped: ${incomplete.join('; ')}.` : '';
  const answer =
    choice ??
    ((await vscode.window.showInformationMessage(
      `Imported ${keys.length} SalesIQ values into VS Code's secret storage.${note} Blank them in ${path} so the secrets live only in SecretStorage?`,
      'Leave File Alone',
      'Blank Values in File',
    )) === 'Blank Values in File'
      ? 'blank'
      : 'leave');
  if (answer !== 'blank') return;
  let next = content;
  for (const k of keys) next = setEnvKey(next, k, '').content;
  fs.writeFileSync(path, next);
}
