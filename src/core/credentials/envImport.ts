/**
 * Pulls SalesIQ credentials out of a local .env. It reads only the keys below and nothing else, so
 * importing never touches (or logs) the rest of a project's secrets.
 */
import { CREDENTIAL_VARS, VISITOR_CREDENTIAL_VARS } from '../defaults';
import { readEnvKey } from '../dotenv/setKey';

const MAIN_KEYS = CREDENTIAL_VARS;
const VISITOR_KEYS = VISITOR_CREDENTIAL_VARS;

export interface ImportedSet {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessToken?: string;
  /** The .env key the access token maps back to when pushed. */
  envKey: string;
  /** Keys of this set found in the file (to blank them afterwards). */
  keys: string[];
}

export interface EnvImport {
  main?: ImportedSet;
  visitor?: ImportedSet;
  /** Sets that were present but incomplete, with what is missing. */
  incomplete: string[];
}

export function credentialsFromEnv(content: Buffer): EnvImport {
  const out: EnvImport = { incomplete: [] };
  out.main = readSet(content, MAIN_KEYS, 'SALESIQ_*', out.incomplete);
  out.visitor = readSet(content, VISITOR_KEYS, 'SALESIQ_VISITOR_*', out.incomplete);
  return out;
}

function readSet(
  content: Buffer,
  names: typeof MAIN_KEYS | typeof VISITOR_KEYS,
  label: string,
  incomplete: string[],
): ImportedSet | undefined {
  const get = (k: string) => readEnvKey(content, k)?.trim() || undefined;
  const values = {
    clientId: get(names.clientId),
    clientSecret: get(names.clientSecret),
    refreshToken: get(names.refreshToken),
    accessToken: get(names.accessToken),
  };
  const keys = Object.entries(names).filter(([field]) => values[field as keyof typeof values]).map(([, k]) => k);
  if (!keys.length) return undefined;
  const missing = (['clientId', 'clientSecret', 'refreshToken'] as const).filter((f) => !values[f]).map((f) => names[f]);
  if (missing.length) {
    incomplete.push(`${label}: missing ${missing.join(', ')}`);
    return undefined;
  }
  return {
    clientId: values.clientId!,
    clientSecret: values.clientSecret!,
    refreshToken: values.refreshToken!,
    accessToken: values.accessToken,
    envKey: names.accessToken,
    keys,
  };
}
