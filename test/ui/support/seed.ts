// The seed file the extension imports at activation when SALESIQ_DEVKIT_SEED names it (src/vscode/sandboxSeed.ts):
// sandbox credentials plus an access token whose expiry the test chooses, so any status bar state shows at once.
// A changed file is imported again on the next window (re)load.
import * as fs from 'fs';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../../sandbox/zohoSandbox';

export const USER = SANDBOX_DEFAULTS.user;

export interface SeedOptions {
  /** Milliseconds from now until the seeded token expires (negative: already expired). Default: a fresh hour. */
  expiresInMs?: number;
}

/** Writes a one-profile (`user`) seed minted by the sandbox; 0600 because it holds secrets. */
export function writeSeed(file: string, sandbox: ZohoSandbox, opts: SeedOptions = {}): void {
  const refreshToken = USER.refreshTokens[0];
  const { accessToken, obtainedAt, expiresAt } = sandbox.mint(refreshToken);
  const expiry = opts.expiresInMs === undefined ? expiresAt : Date.now() + opts.expiresInMs;
  const seed = {
    accountsUrl: sandbox.accountsUrlTemplate,
    salesiqUrl: sandbox.salesiqUrlTemplate,
    profiles: [
      {
        name: 'user',
        dataCenter: USER.dc,
        clientId: USER.clientId,
        clientSecret: USER.clientSecret,
        refreshToken,
        accessToken,
        obtainedAt: expiry - (expiresAt - obtainedAt),
        expiresAt: expiry,
        envKey: 'SALESIQ_ACCESS_TOKEN',
      },
    ],
  };
  fs.writeFileSync(file, JSON.stringify(seed, null, 2), { mode: 0o600 });
}
