/**
 * The setup every CLI contract test shares: a Zoho sandbox (fresh per test by default, so Zoho's
 * 10-tokens-per-10-minutes limit never links one test to another), a temporary state and config dir per test,
 * the flags that point the CLI at both, and a token cached as `refresh` would cache it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CREDENTIAL_VARS } from '../../src/core/defaults';
import { StateStore } from '../../src/core/token/stateFiles';
import { ZohoSandbox } from '../sandbox/zohoSandbox';

/** A sandbox client's credentials as the CLI reads them from its environment. */
export function credentialsEnv(c: { clientId: string; clientSecret: string; refreshTokens: string[] }): Record<string, string> {
  const { clientId, clientSecret, refreshToken } = CREDENTIAL_VARS;
  return { [clientId]: c.clientId, [clientSecret]: c.clientSecret, [refreshToken]: c.refreshTokens[0] };
}

export interface CliSandbox {
  readonly sandbox: ZohoSandbox;
  readonly stateDir: string;
  /** --dc in, the sandbox's URLs and --state-dir. */
  flags(): string[];
  /** The environment's XDG_CONFIG_HOME (so no real config file is read), plus `extra`. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Mints a token at the sandbox and caches it for profile `default`; returns it. */
  cache(refreshToken: string): Promise<string>;
}

/** Registers the mocha hooks in the calling `describe` and returns the live fixture. */
export function useCliSandbox(name: string, opts: { sandboxPerSuite?: boolean } = {}): CliSandbox {
  let sandbox: ZohoSandbox | undefined;
  let stateDir = '';
  const start = async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
  };
  const stop = async () => {
    await sandbox?.stop();
    sandbox = undefined;
  };
  if (opts.sandboxPerSuite) {
    before(start);
    after(stop);
  } else {
    beforeEach(start);
    afterEach(stop);
  }
  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `devkit-${name}-`));
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  const fixture: CliSandbox = {
    get sandbox() {
      if (!sandbox) throw new Error('the sandbox runs only inside a test');
      return sandbox;
    },
    get stateDir() {
      return stateDir;
    },
    flags: () => [
      '--dc', 'in',
      '--accounts-url', fixture.sandbox.accountsUrlTemplate,
      '--salesiq-url', fixture.sandbox.salesiqUrlTemplate,
      '--state-dir', stateDir,
    ],
    env: (extra = {}) => ({ XDG_CONFIG_HOME: stateDir, ...extra }),
    async cache(refreshToken) {
      const { accessToken, obtainedAt, expiresAt } = fixture.sandbox.mint(refreshToken);
      await new StateStore(stateDir).tokenStore('default', undefined).writeToken({ accessToken, obtainedAt, expiresAt });
      return accessToken;
    },
  };
  return fixture;
}
