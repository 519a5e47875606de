/**
 * Several servers for the CLI fleet tests: the suite's OpenSSH fixture, a second one (its own port, user, .env and
 * unit) started for the describe, and a closed loopback port as the server that is down; a fresh directory and
 * both fixtures reset before each test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSshd, type SshdFixture } from '../sshd/fixture';
import { freePort } from '../support/freePort';
import { fixture } from './hooks';

export interface Fleet {
  second: SshdFixture;
  dir: string;
  downPort: number;
}

export function useFleet(prefix: string): Fleet {
  const fleet = {} as Fleet;
  before(async function () {
    this.timeout(180_000);
    fleet.second = await startSshd();
    fleet.downPort = await freePort();
  });
  after(async function () {
    this.timeout(60_000);
    await fleet.second?.stop();
  });
  beforeEach(() => {
    fleet.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    for (const fx of [fixture(), fleet.second]) {
      fx.resetEnv();
      fx.setSudoMode('nopasswd');
      fx.setFault('none');
      fx.setEnvMode('envfile');
    }
  });
  afterEach(() => fs.rmSync(fleet.dir, { recursive: true, force: true }));
  return fleet;
}

/** One entry of the config file's `servers` list for a fixture (fields as the contract names them). */
export const fleetEntry = (name: string, fx: SshdFixture, over: Record<string, unknown> = {}) => ({
  name, host: fx.host, port: fx.port, user: fx.user, identity: fx.keys.plain, knownHosts: fx.knownHostsPath, envFile: fx.envPath, service: fx.service, sudo: 'nopasswd', ...over,
});
