/** Root hooks of the `hub` suite: one real redis-server for every test, stopped (and its directory removed) after. */
import { RedisFixture } from './redisFixture';

let fixture: RedisFixture | undefined;

export function redis(): RedisFixture {
  if (!fixture) throw new Error('the redis fixture is not started (run with --require out/test/hub/hooks.js)');
  return fixture;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(20_000);
    fixture = new RedisFixture();
    await fixture.start();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(20_000);
    await fixture?.dispose();
    fixture = undefined;
  },
};
