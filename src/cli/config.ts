/**
 * Where the CLI's settings come from: flags, then environment, then the JSON config file. Secrets are read
 * only from the environment or the config file, never from flags.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataCenter, endpointsFor, isDataCenter } from '../core/datacenters';
import { DevKitError } from '../core/errors/devkitError';
import type { Finding } from '../core/errors/finding';
import type { RefreshCredentials } from '../core/tokenManager';
import { UsageError, type Parsed } from './args';

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

export function configPath(p: Parsed, env: NodeJS.ProcessEnv): string {
  return p.values['--config'] ?? path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'salesiq-devkit', 'config.json');
}

export function loadConfig(file: string, explicit: boolean): ConfigFile {
  if (!fs.existsSync(file)) {
    if (explicit) throw new DevKitError(configProblem(`The config file ${file} does not exist.`, 'Check the --config path.'));
    return {};
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ConfigFile;
  } catch (e) {
    throw new DevKitError(configProblem(`The config file ${file} is not valid JSON.`, `Fix it: ${(e as Error).message}`));
  }
}

export function resolveProfile(p: Parsed, env: NodeJS.ProcessEnv, cfg: ConfigFile): Profile {
  const name = p.values['--profile'] ?? 'default';
  const fromFile = cfg.profiles?.[name] ?? {};
  const dc = p.values['--dc'] ?? fromFile.dataCenter ?? 'com';
  if (!isDataCenter(dc)) throw new UsageError(`unknown data centre "${dc}" (use com, eu, in, com.au, jp, com.cn, ca, sa or uk)`);
  const urls = endpointsFor(dc, { accountsUrl: p.values['--accounts-url'] ?? fromFile.accountsUrl, salesiqUrl: p.values['--salesiq-url'] ?? fromFile.salesiqUrl });
  const clientId = env.SALESIQ_CLIENT_ID || fromFile.clientId;
  const clientSecret = env.SALESIQ_CLIENT_SECRET || fromFile.clientSecret;
  const refreshToken = env.SALESIQ_REFRESH_TOKEN || fromFile.refreshToken;
  return {
    name,
    dataCenter: dc,
    envKey: fromFile.envKey ?? 'SALESIQ_ACCESS_TOKEN',
    ...urls,
    credentials: clientId && clientSecret && refreshToken ? { clientId, clientSecret, refreshToken } : undefined,
    accessToken: env.SALESIQ_ACCESS_TOKEN || undefined,
  };
}

export function missingCredentials(profile: Profile): Finding {
  return configProblem(
    `No refresh credentials for profile "${profile.name}".`,
    'Set SALESIQ_CLIENT_ID, SALESIQ_CLIENT_SECRET and SALESIQ_REFRESH_TOKEN in the environment (or in the config file under profiles.' + profile.name + ').',
    'no-credentials',
  );
}

export function configProblem(title: string, fix: string, code = 'config'): Finding {
  return { source: 'unknown', code, httpStatus: null, category: 'config', action: 'fix-config', retryable: false, title, explanation: fix };
}
