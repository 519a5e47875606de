/**
 * Where the CLI's settings come from: flags, then environment, then the JSON config file. Secrets are read
 * only from the environment or the config file, never from flags.
 */
// Plain requires (`import x = require()`): esbuild copies every export of a namespace import (`import * as`) at start.
import fs = require('fs');
import os = require('os');
import path = require('path');
import { CREDENTIAL_VARS, DEFAULT_DATA_CENTER, DEFAULT_ENV_KEY, DEFAULT_PROFILE_NAME } from '../core/defaults';
import { DataCenter, endpointsFor, isDataCenter } from '../core/zoho/datacenters';
import { DevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import type { RefreshCredentials } from '../core/token/tokenManager';
import { UsageError, type Parsed } from './args';
import { BoundedReadError, readBoundedFile, type Refusal } from './boundedRead';

export interface ConfigFile {
  profiles?: Record<
    string,
    Partial<{
      dataCenter: string;
      clientId: string;
      clientSecret: string;
      refreshToken: string;
      envKey: string;
      accountsUrl: string;
      salesiqUrl: string;
    }>
  >;
  server?: Record<string, string | number | boolean>;
  salesiq?: Partial<{ screenName: string; appId: string; departmentId: string }>;
  /** The team hub (`redis://` or `rediss://`, no password: that comes from SALESIQ_HUB_PASSWORD). */
  hub?: { url?: string };
}

export interface Profile {
  name: string;
  dataCenter: DataCenter;
  envKey: string;
  accountsUrl: string;
  salesiqUrl: string;
  credentials?: RefreshCredentials;
  /** SALESIQ_ACCESS_TOKEN from the environment, when given. */
  accessToken?: string;
}

/** A config file is a small JSON document; anything larger is the wrong file. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function configPath(p: Parsed, env: NodeJS.ProcessEnv): string {
  return p.values['--config'] ?? path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'salesiq-devkit', 'config.json');
}

export function loadConfig(file: string, explicit: boolean): ConfigFile {
  let text: string;
  try {
    text = readBoundedFile(file, MAX_CONFIG_BYTES).toString('utf8');
  } catch (e) {
    if (!(e instanceof BoundedReadError)) throw e;
    if (e.code === 'ENOENT' && !explicit) return {};
    if (e.code === 'ENOENT') throw new DevKitError(configProblem(`The config file ${file} does not exist.`, 'Check the --config path.'));
    throw new DevKitError(configProblem(`The config file ${file} cannot be used: ${e.message}.`, CONFIG_FIX[e.refusal]));
  }
  try {
    return JSON.parse(text) as ConfigFile;
  } catch (e) {
    throw new DevKitError(configProblem(`The config file ${file} is not valid JSON.`, `Fix it: ${(e as Error).message}`));
  }
}

const CONFIG_FIX: Record<Refusal, string> = {
  'not-a-file': 'Point --config at a plain JSON file (not a directory, device or pipe).',
  'too-large': 'A config file is a small JSON document (at most 1 MiB); check the --config path.',
  timeout: 'Point --config at a plain JSON file.',
  unreadable: 'Check the --config path and the file\'s permissions.',
};

export function resolveProfile(p: Parsed, env: NodeJS.ProcessEnv, cfg: ConfigFile): Profile {
  const name = p.values['--profile'] ?? DEFAULT_PROFILE_NAME;
  const fromFile = cfg.profiles?.[name] ?? {};
  const dc = p.values['--dc'] ?? fromFile.dataCenter ?? DEFAULT_DATA_CENTER;
  if (!isDataCenter(dc)) throw new UsageError(`unknown data centre "${dc}" (use com, eu, in, com.au, jp, com.cn, ca, sa or uk)`);
  const urls = endpointsFor(dc, { accountsUrl: p.values['--accounts-url'] ?? fromFile.accountsUrl, salesiqUrl: p.values['--salesiq-url'] ?? fromFile.salesiqUrl });
  const { clientId, clientSecret } = clientOf(env, cfg, name) ?? {};
  const refreshToken = env[CREDENTIAL_VARS.refreshToken] || fromFile.refreshToken;
  return {
    name,
    dataCenter: dc,
    envKey: fromFile.envKey ?? DEFAULT_ENV_KEY,
    ...urls,
    credentials: clientId && clientSecret && refreshToken ? { clientId, clientSecret, refreshToken } : undefined,
    accessToken: env[CREDENTIAL_VARS.accessToken] || undefined,
  };
}

export function missingCredentials(profile: Profile): Finding {
  return configProblem(
    `No refresh credentials for profile "${profile.name}".`,
    `Set ${CREDENTIAL_VARS.clientId}, ${CREDENTIAL_VARS.clientSecret} and ${CREDENTIAL_VARS.refreshToken} in the environment (or in the config file under profiles.${profile.name}).`,
    'no-credentials',
  );
}

export function configProblem(title: string, fix: string, code = 'config'): Finding {
  return { source: 'unknown', code, httpStatus: null, category: 'config', action: 'fix-config', retryable: false, title, explanation: fix };
}

/**
 * Checks, before a grant code is spent, that the config file can take the new refresh token: absent (it will
 * be created 0600), or a regular file of JSON object that only its owner can read. A file others can read is
 * refused rather than fixed: it may already have leaked what it holds.
 */
export function checkConfigWritable(file: string): ConfigFile {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new DevKitError(configProblem(`Cannot read the config file ${file}.`, (e as Error).message));
  }
  if (!st.isFile()) throw new DevKitError(configProblem(`The config file ${file} is not a regular file.`, 'Point --config at a plain file (not a symlink, directory or device).'));
  const mode = st.mode & 0o777;
  if (mode & 0o077) {
    throw new DevKitError(configProblem(`The config file ${file} is readable by other users (mode ${mode.toString(8)}).`, `It holds secrets, so DevKit will not add a refresh token to it. Run: chmod 600 ${file}`, 'config-permissions'));
  }
  if (st.size > MAX_CONFIG_BYTES) throw new DevKitError(configProblem(`The config file ${file} is larger than 1 MiB.`, 'A config file is a small JSON document; check the --config path.'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DevKitError(configProblem(`The config file ${file} is not valid JSON.`, `Fix it first (nothing was changed): ${(e as Error).message}`));
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DevKitError(configProblem(`The config file ${file} is not a JSON object.`, 'Fix it first; nothing was changed.'));
  const profiles = (parsed as ConfigFile).profiles;
  if (profiles !== undefined && (!profiles || typeof profiles !== 'object' || Array.isArray(profiles))) {
    throw new DevKitError(configProblem(`"profiles" in ${file} is not an object.`, 'Fix it first; nothing was changed.'));
  }
  return parsed as ConfigFile;
}

/**
 * Stores a profile's new refresh token and data centre, keeping every other key: re-read and re-checked, written
 * to a 0600 temp file beside it and renamed over it, so a crash leaves the old file or the new one.
 */
export function storeRefreshToken(file: string, profile: string, values: { refreshToken: string; dataCenter: DataCenter }): void {
  const cfg = checkConfigWritable(file);
  const profiles = { ...(cfg.profiles ?? {}) };
  profiles[profile] = { ...(profiles[profile] ?? {}), refreshToken: values.refreshToken, dataCenter: values.dataCenter };
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, `${JSON.stringify({ ...cfg, profiles }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The client half of the credentials (environment first, then the config file), for `authorize`. */
export function clientOf(env: NodeJS.ProcessEnv, cfg: ConfigFile, profile: string): { clientId: string; clientSecret: string } | undefined {
  const fromFile = cfg.profiles?.[profile] ?? {};
  const clientId = env[CREDENTIAL_VARS.clientId] || fromFile.clientId;
  const clientSecret = env[CREDENTIAL_VARS.clientSecret] || fromFile.clientSecret;
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}
