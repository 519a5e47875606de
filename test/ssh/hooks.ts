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

/** A fresh token shaped like Zoho's (`1000.<32 hex>.<32 hex>`). */
export function newToken(): string {
  return `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    current = await startSshd();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const f = current;
    current = undefined;
    await f?.stop();
  },
};
