/**
 * The private OpenSSH server of test/sshd as the integration suites see it: test/sshd/withFixture passes its
 * state directory in SALESIQ_SSHD_STATE, and the extension host (root) checks results on the files directly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { setSetting } from './helpers';

export interface SshdState {
  dir: string;
  host: string;
  port: number;
  user: string;
  password: string;
  passphrase: string;
  service: string;
  envPath: string;
  initialEnvPath: string;
  keys: { plain: string; encrypted: string; stranger: string };
  agentSocket: string;
  knownHosts: string;
  fingerprints: { ed25519: string; ecdsa: string };
  sudoLog: string;
  sudoersDir: string;
  dropin: string;
  svcDir: string;
}

/** The running server's state; without it a suite fails here rather than skipping. */
export function attach(): SshdState {
  const dir = process.env.SALESIQ_SSHD_STATE;
  if (!dir) {
    const why = process.env.SALESIQ_SSHD_ERROR ?? 'SALESIQ_SSHD_STATE is not set';
    throw new Error(`The OpenSSH test server is not running (${why}). Run the vscode suite through test/sshd/withFixture, as root.`);
  }
  return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as SshdState;
}

export const serviceState = (fx: SshdState) => fs.readFileSync(path.join(fx.svcDir, 'state'), 'utf8').trim();

/** Back to the initial .env (root:<group> 0640), no backups. */
export function resetEnv(fx: SshdState): void {
  const appDir = path.dirname(fx.envPath);
  for (const n of fs.readdirSync(appDir)) if (n.startsWith('.env.bak-') || n.startsWith('.env.devkit-')) fs.rmSync(path.join(appDir, n));
  const tmpFile = path.join(appDir, '.env.test-tmp');
  fs.copyFileSync(fx.initialEnvPath, tmpFile);
  fs.chownSync(tmpFile, 0, fs.statSync(appDir).gid);
  fs.chmodSync(tmpFile, 0o640);
  fs.renameSync(tmpFile, fx.envPath);
}

/** Installs one of the fixture's sudoers variants (sudo ignores names with a dot while it is copied). */
export function setSudoMode(fx: SshdState, mode: 'nopasswd' | 'password'): void {
  const t = `${fx.dropin}.tmp`;
  fs.copyFileSync(path.join(fx.sudoersDir, mode), t);
  fs.chmodSync(t, 0o440);
  fs.renameSync(t, fx.dropin);
}

export const setFault = (fx: SshdState, mode: 'none' | 'restart-fail' | `crash ${number}`) => fs.writeFileSync(path.join(fx.svcDir, 'fault'), `${mode}\n`);

/** Points salesiq.remote.* at the test server (known_hosts of the fixture, key file, auto sudo). */
export async function useServer(fx: SshdState): Promise<void> {
  const remote = { host: fx.host, port: fx.port, user: fx.user, identityFile: fx.keys.plain, knownHostsFile: fx.knownHosts, hostFingerprint: undefined, envPath: fx.envPath, service: fx.service, sudo: 'auto' };
  for (const [k, v] of Object.entries(remote)) await setSetting(`remote.${k}`, v);
}
