import * as vscode from 'vscode';
import type { Clock } from '../../core/token/clock';
import { Check, checkAccessToken, checkClientId, checkClientSecret, checkIssuedMinutesAgo, checkProfileName, checkRefreshToken } from '../../core/credentials/credentialChecks';
import { DATA_CENTERS, DATA_CENTER_IDS, DataCenter, isDataCenter } from '../../core/zoho/datacenters';
import { DEFAULT_ENV_KEY } from '../../core/defaults';
import { error, inputStep, pickOne, warning } from '../input';
import type { Log } from '../log';
import { ProfileInput, saveProfile } from '../profileSetup';
import type { SecretStore } from '../secretStore';
import { settings } from '../settings';
import type { TokenController } from '../tokenController';
import { Cmd } from '../commandIds';
import { registerCommand } from '../command';

const TITLE = 'SalesIQ: Set Up Credentials';
const STEPS = 7;

/** Programmatic form (tests, walkthrough links): skips the wizard. */
export interface SetupArgs {
  profile?: string;
  dataCenter: DataCenter;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken?: string;
  issuedMinutesAgo?: number;
  envKey?: string;
}

export function registerSetupCredentials(secrets: SecretStore, controller: TokenController, clock: Clock, log: Log): vscode.Disposable {
  return registerCommand(Cmd.setupCredentials, log, async (args?: SetupArgs): Promise<boolean> => {
    const input = args ? fromArgs(args, clock.now()) : await wizard(clock.now());
    if (!input) return false;
    log.remember(input.credentials.clientSecret, input.credentials.refreshToken, input.accessToken);
    await saveProfile(secrets, input, clock.now());
    await controller.switchTo(input.name);
    log.info('setup', `stored credentials for profile ${input.name} (${input.dataCenter})`);
    if (!args) await offerRefresh(input);
    return true;
  }, { onError: () => false });
}

function fromArgs(a: SetupArgs, now: number): ProfileInput {
  const problems = [checkClientId(a.clientId), checkClientSecret(a.clientSecret), checkRefreshToken(a.refreshToken), checkAccessToken(a.accessToken ?? '')].filter((c) => c?.level === 'error');
  if (problems.length || !isDataCenter(a.dataCenter)) throw new Error(problems.map((p) => p!.message).join(' ') || `Unknown data centre ${a.dataCenter}`);
  return {
    name: a.profile ?? settings.activeProfileName(),
    dataCenter: a.dataCenter,
    envKey: a.envKey ?? DEFAULT_ENV_KEY,
    credentials: { clientId: a.clientId, clientSecret: a.clientSecret, refreshToken: a.refreshToken },
    accessToken: a.accessToken,
    issuedAt: a.accessToken ? now - (a.issuedMinutesAgo ?? 0) * 60_000 : undefined,
  };
}

async function wizard(now: number): Promise<ProfileInput | undefined> {
  const existing = settings.profiles();
  const name = await inputStep({ title: TITLE, step: 1, totalSteps: STEPS, prompt: 'Profile name (one per token: e.g. "user" for the operator API, "org" for the visitor API)', value: settings.activeProfileName(), validate: (v) => toMessage(checkProfileName(v, existing.map((p) => p.name))) });
  if (name === undefined) return undefined;
  const current = existing.find((p) => p.name === name);
  const dataCenter = await pickDataCenter(current?.dataCenter);
  if (!dataCenter) return undefined;
  const ask = (step: number, prompt: string, check: (v: string) => Check, password = true) =>
    inputStep({ title: TITLE, step, totalSteps: STEPS, prompt, password, validate: (v) => toMessage(check(v)) });
  const clientId = await ask(3, 'Client ID (Zoho API console → your client)', checkClientId, false);
  if (clientId === undefined) return undefined;
  const clientSecret = await ask(4, 'Client secret', checkClientSecret);
  if (clientSecret === undefined) return undefined;
  const refreshToken = await ask(5, 'Refresh token (never expires until revoked)', checkRefreshToken);
  if (refreshToken === undefined) return undefined;
  const accessToken = await ask(6, 'Current access token (optional: leave empty to mint one now)', checkAccessToken);
  if (accessToken === undefined) return undefined;
  let issuedAt: number | undefined;
  if (accessToken) {
    const ago = await ask(7, 'How many minutes ago was it issued? (0–60; empty = just now)', checkIssuedMinutesAgo, false);
    if (ago === undefined) return undefined;
    issuedAt = now - Number(ago || 0) * 60_000;
  }
  const credentials = { clientId, clientSecret, refreshToken };
  return { name, dataCenter, envKey: current?.envKey ?? DEFAULT_ENV_KEY, credentials, accessToken: accessToken || undefined, issuedAt };
}

async function pickDataCenter(current?: DataCenter): Promise<DataCenter | undefined> {
  const items = DATA_CENTER_IDS.map((id) => ({
    label: DATA_CENTERS[id].label,
    description: DATA_CENTERS[id].accountsUrl,
    id,
    picked: id === current,
  }));
  const qp = vscode.window.createQuickPick<(typeof items)[number]>();
  Object.assign(qp, { title: TITLE, step: 2, totalSteps: STEPS, placeholder: 'Data centre of your Zoho account (the domain you log in at: zoho.in → India)', items, ignoreFocusOut: true });
  qp.activeItems = items.filter((i) => i.picked);
  return (await pickOne(qp))?.id;
}

function toMessage(c: Check): vscode.InputBoxValidationMessage | undefined {
  if (!c) return undefined;
  return c.level === 'error' ? error(c.message) : warning(c.message);
}

async function offerRefresh(input: ProfileInput): Promise<void> {
  const msg = input.accessToken ? `SalesIQ profile "${input.name}" is set up.` : `SalesIQ profile "${input.name}" is set up. Mint an access token now?`;
  const choice = await vscode.window.showInformationMessage(msg, ...(input.accessToken ? [] : ['Refresh Now']));
  if (choice === 'Refresh Now') await vscode.commands.executeCommand(Cmd.refreshToken);
}
