/**
 * The setup the CLI-over-SSH tests share: the OpenSSH fixture put back before each test (its .env, sudo without
 * a password, no fault), a temporary HOME / config / state directory per test, optionally a Zoho sandbox per
 * test, and the flags that point the CLI at all of them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateStore } from '../../src/core/token/stateFiles';
import { ZohoSandbox } from '../sandbox/zohoSandbox';
import { fixture, newToken } from './hooks';

export interface CliWorkspace {
  /** The temporary directory (HOME and XDG_CONFIG_HOME of the CLI in most tests). */
  dir: string;
  /** `dir/state`, the CLI's --state-dir. */
  stateDir: string;
  /** Present with `{ sandbox: true }`. */
  sandbox: ZohoSandbox;
}

/**
 * Registers the mocha hooks in the calling `describe`; `use` receives each test's workspace before it runs
 * (hooks the caller registers after this call run after it, and see the workspace).
 */
export function useCliWorkspace(name: string, opts: { sandbox?: boolean; envMode?: 'envfile' }, use: (w: CliWorkspace) => void): void {
  let w: CliWorkspace | undefined;
  beforeEach(async () => {
    const fx = fixture();
    fx.resetEnv();
    fx.setSudoMode('nopasswd');
    if (opts.envMode) fx.setEnvMode(opts.envMode);
    fx.setFault('none');
    let sandbox: ZohoSandbox | undefined;
    if (opts.sandbox) {
      sandbox = new ZohoSandbox();
      await sandbox.start();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `devkit-${name}-`));
    w = { dir, stateDir: path.join(dir, 'state'), sandbox: sandbox as ZohoSandbox };
    use(w);
  });
  afterEach(async () => {
    if (opts.sandbox) await w?.sandbox.stop();
    if (w) fs.rmSync(w.dir, { recursive: true, force: true });
    w = undefined;
  });
}

/** The connection and target flags for the fixture; `over` replaces single flags (null: leaves one out). */
export function fixtureFlags(over: Record<string, string | null> = {}): string[] {
  const fx = fixture();
  const all: Record<string, string | null> = {
    '--host': fx.host, '--port': String(fx.port), '--user': fx.user, '--identity': fx.keys.plain,
    '--known-hosts': fx.knownHostsPath, '--env-path': fx.envPath, '--service': fx.service, ...over,
  };
  return Object.entries(all).flatMap(([k, v]) => (v === null ? [] : [k, v]));
}

/** The flags that point the CLI at the sandbox (data centre `in`) and the workspace's state dir. */
export function sandboxFlags(w: CliWorkspace): string[] {
  return ['--dc', 'in', '--accounts-url', w.sandbox.accountsUrlTemplate, '--salesiq-url', w.sandbox.salesiqUrlTemplate, '--state-dir', w.stateDir];
}

/** Caches a new token for profile `default` in `stateDir`, as `refresh` would, with `expiresInMs` left; returns it. */
export async function cacheNewToken(stateDir: string, expiresInMs = 3600_000): Promise<string> {
  const accessToken = newToken();
  const now = Date.now();
  await new StateStore(stateDir).tokenStore('default', undefined).writeToken({ accessToken, obtainedAt: now + expiresInMs - 3600_000, expiresAt: now + expiresInMs });
  return accessToken;
}
