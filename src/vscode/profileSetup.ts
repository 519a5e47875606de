import type { DataCenter } from '../core/zoho/datacenters';
import { DEFAULT_ENV_KEY } from '../core/defaults';
import { tokenFromGrant } from '../core/token/token';
import type { StoredCredentials } from './profileStore';
import { ProfileStore } from './profileStore';
import type { SecretStore } from './secretStore';
import { ProfileSetting, settings } from './settings';

/** Everything needed to create or replace a profile, however it was gathered (wizard, .env, seed). */
export interface ProfileInput {
  name: string;
  dataCenter: DataCenter;
  envKey: string;
  credentials: StoredCredentials;
  accessToken?: string;
  /** When the given access token was issued (ms epoch); defaults to now. */
  issuedAt?: number;
  /** Explicit expiry (ms epoch), when known (e.g. from the sandbox seed). */
  expiresAt?: number;
}

/** Writes secrets first, settings second: a keyring failure then leaves no half-made profile visible. */
export async function saveProfile(secrets: SecretStore, input: ProfileInput, now: number): Promise<void> {
  const store = new ProfileStore(secrets, input.name);
  await store.writeCredentials(input.credentials);
  if (input.accessToken) {
    const issued = input.issuedAt ?? now;
    const t = tokenFromGrant(input.accessToken, 3600, issued);
    await store.writeToken({ ...t, expiresAt: input.expiresAt ?? t.expiresAt });
  }
  const profile: ProfileSetting = { name: input.name, dataCenter: input.dataCenter, envKey: input.envKey };
  const others = settings.profiles().filter((p) => p.name !== input.name && !(p.name === 'default' && isUntouchedDefault(p)));
  await settings.saveProfiles([...others, profile]);
  await settings.setActiveProfile(input.name);
}

/** The built-in placeholder profile disappears once the user defines a real one. */
function isUntouchedDefault(p: ProfileSetting): boolean {
  return p.dataCenter === 'com' && p.envKey === DEFAULT_ENV_KEY && !settings.hasExplicitProfiles();
}
