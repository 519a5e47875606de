/**
 * Mocha root hooks: one OpenSSH test server for the whole SSH suite.
 * Run: npx mocha --require out/test/ssh/hooks.js 'out/test/ssh/**\/*.test.js'   (as root)
 */
import { randomBytes } from 'node:crypto';
import { startSshd, type SshdFixture } from '../sshd/fixture';

let current: SshdFixture | undefined;

export function fixture(): SshdFixture {
  if (!current) throw new Error('The SSH fixture is not running: run mocha with --require out/test/ssh/hooks.js');
  return current;
}

/** The fixture back at its defaults: the initial .env, NOPASSWD sudo, a service without a fault. */
export function freshFixture(): SshdFixture {
  const fx = fixture();
  fx.resetEnv();
  fx.setSudoMode('nopasswd');
  fx.setFault('none');
  return fx;
}

/** A fresh token shaped like Zoho's (`1000.<32 hex>.<32 hex>`). */
export function newToken(): string {
  return `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
}

/** An interrupted run must not leave a user, a sudoers rule and an sshd behind. */
function stopOnSignal(signal: NodeJS.Signals): void {
  const f = current;
  current = undefined;
  try {
    f?.stopSync();
  } finally {
    process.kill(process.pid, signal);
  }
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    current = await startSshd();
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    const f = current;
    current = undefined;
    await f?.stop();
  },
};
