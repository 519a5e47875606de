import * as vscode from 'vscode';
import { isDataCenter } from '../core/zoho/datacenters';
import { isLoopbackHost, isLoopbackUrl } from '../core/loopback';
import type { Log } from './log';
import { saveProfile } from './profileSetup';
import { ProfileStore } from './profileStore';
import type { SecretStore } from './secretStore';
import { settings } from './settings';
import { pendingClientKey } from './commands/authorize';
import { readSeedFile, rememberSeedImported, seedImportedBefore } from './seedFile';

/**
 * `npm start` preloads sandbox credentials: the sandbox writes a seed file (0600, in a temp dir that
 * start.sh removes on exit) and passes its path in SALESIQ_DEVKIT_SEED. A seed is imported once per
 * SecretStorage: code-server keeps secrets in the browser, so a second browser imports it again.
 * Without the variable this does nothing. An installed extension (Production mode) imports only a seed
 * whose servers are all on loopback: an environment variable must never point a user's credentials,
 * endpoints or server settings elsewhere.
 */
interface Seed {
  accountsUrl: string;
  salesiqUrl: string;
  /** The portal for the test transfer (sandbox defaults). */
  salesiq?: { screenName: string; appId: string; departmentId: string };
  /** The private test server `npm start` runs as root: salesiq.remote.* values. */
  remote?: Record<string, string | number>;
  /** A profile without `refreshToken` is offered unauthorized: only its client is kept, for Authorize with Zoho. */
  profiles: Array<{
    name: string;
    dataCenter: string;
    clientId: string;
    clientSecret: string;
    refreshToken?: string;
    clientType?: string;
    accessToken?: string;
    obtainedAt?: number;
    expiresAt?: number;
    envKey: string;
  }>;
}

export async function importSandboxSeed(context: vscode.ExtensionContext, secrets: SecretStore, log: Log): Promise<string | undefined> {
  const file = readSeedFile();
  if (!file) return undefined;
  const seed = JSON.parse(file.raw) as Seed;
  const refused = context.extensionMode === vscode.ExtensionMode.Production ? notLoopback(seed) : undefined;
  if (refused) {
    log.warn('sandbox', `ignored the seed named by SALESIQ_DEVKIT_SEED: ${refused}, and an installed extension only takes a seed that stays on loopback (127.0.0.1, localhost)`);
    return undefined;
  }
  const first = seed.profiles[0]?.name;
  const present = first !== undefined && (await new ProfileStore(secrets, first).readCredentials()) !== undefined;
  if (seedImportedBefore(context, file) && present) return undefined;
  await settings.setEndpoints(seed.accountsUrl, seed.salesiqUrl);
  const cfg = vscode.workspace.getConfiguration('salesiq');
  const values: Record<string, unknown> = { ...seed.salesiq, ...prefixed('remote.', seed.remote ?? {}) };
  if (seed.salesiq) values.transferProfile = seed.profiles.find((p) => p.name === 'org')?.name ?? 'org';
  for (const [k, v] of Object.entries(values)) await cfg.update(k, v, vscode.ConfigurationTarget.Global);
  for (const p of seed.profiles) {
    if (!isDataCenter(p.dataCenter)) continue;
    log.remember(p.clientSecret, p.refreshToken, p.accessToken);
    if (!p.refreshToken) {
      await secrets.setJson(pendingClientKey(p.name), { clientId: p.clientId, clientSecret: p.clientSecret, clientType: p.clientType });
      await new ProfileStore(secrets, p.name).forget();
      const others = settings.profiles().filter((o) => o.name !== p.name && settings.hasExplicitProfiles());
      await settings.saveProfiles([...others, { name: p.name, dataCenter: p.dataCenter, envKey: p.envKey }]);
      continue;
    }
    await saveProfile(
      secrets,
      {
        name: p.name,
        dataCenter: p.dataCenter,
        envKey: p.envKey,
        credentials: { ...p, refreshToken: p.refreshToken },
        accessToken: p.accessToken,
        issuedAt: p.obtainedAt,
        expiresAt: p.expiresAt,
      },
      Date.now(),
    );
  }
  if (first) await settings.setActiveProfile(first);
  await rememberSeedImported(context, file);
  log.info('sandbox', `imported ${seed.profiles.length} sandbox profile(s); Zoho Accounts at ${seed.accountsUrl}`);
  return first;
}

/** What in the seed points off this machine, or undefined when every server it names is loopback. */
function notLoopback(seed: Seed): string | undefined {
  const urls = [seed.accountsUrl, seed.salesiqUrl].filter((u) => typeof u === 'string' && !isLoopbackUrl(u));
  if (urls.length) return `it points the Zoho endpoints at ${urls.join(' and ')}`;
  const host = seed.remote?.host;
  if (host !== undefined && !isLoopbackHost(String(host))) return `it points salesiq.remote.host at ${host}`;
  if (typeof seed.accountsUrl !== 'string' || typeof seed.salesiqUrl !== 'string') return 'it names no sandbox endpoints';
  return undefined;
}

function prefixed(prefix: string, o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [prefix + k, v]));
}
