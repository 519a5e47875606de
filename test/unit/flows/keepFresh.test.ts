import * as assert from 'node:assert/strict';
import { DevKitError } from '../../../src/core/errors/devkitError';
import { findingFor } from '../../../src/core/errors/catalogue';
import { keepFresh, type KeepFreshDeps, type KeepFreshEvent, type KeepFreshOptions, type KeepFreshResult } from '../../../src/core/flows/keepFresh';
import type { TokenState } from '../../../src/core/token/token';
import { FakeClock } from '../../support/fakeClock';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Lets every pending promise continuation run (the loop awaits its injected deps between timers). */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** A token store plus a scripted Zoho and server; `failures` are thrown by the next refresh/push calls in turn. */
class World {
  readonly clock = new FakeClock();
  readonly ac = new AbortController();
  stored: TokenState | undefined;
  lifetimeMs = HOUR;
  refreshFailures: DevKitError[] = [];
  /** The next refresh finds a token another instance minted (Zoho is not asked). */
  adoptNext = false;
  pushFailures: DevKitError[] = [];
  readonly refreshTimes: number[] = [];
  readonly pushes: { token: string; retry: boolean; at: number }[] = [];
  readonly events: KeepFreshEvent[] = [];
  private n = 0;
  private run: Promise<KeepFreshResult> | undefined;

  deps(withPush = true): KeepFreshDeps {
    return {
      clock: this.clock,
      current: async () => this.stored,
      refresh: async () => {
        this.refreshTimes.push(this.clock.now());
        const f = this.refreshFailures.shift();
        if (f) throw f;
        this.stored = this.mint();
        const adopted = this.adoptNext;
        this.adoptNext = false;
        return { ...this.stored, adopted };
      },
      push: withPush
        ? async (t, o) => {
            this.pushes.push({ token: t.accessToken, retry: o.retry, at: this.clock.now() });
            const f = this.pushFailures.shift();
            if (f) throw f;
            return 'written';
          }
        : undefined,
      onEvent: (e) => this.events.push(e),
    };
  }

  mint(): TokenState {
    return { accessToken: `tok-${++this.n}`, obtainedAt: this.clock.now(), expiresAt: this.clock.now() + this.lifetimeMs };
  }

  async start(opts: Partial<KeepFreshOptions> = {}, withPush = true): Promise<void> {
    this.run = keepFresh(this.deps(withPush), { marginMs: 5 * MIN, signal: this.ac.signal, maxWaitMs: 24 * HOUR, ...opts });
    await settle();
  }

  async advance(ms: number, step = 1000): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      await this.clock.advance(Math.min(step, ms - done));
      await settle();
    }
  }

  async stop(): Promise<KeepFreshResult> {
    this.ac.abort(new Error('SIGTERM'));
    return this.run!;
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

const outage = () => new DevKitError(findingFor('http', 503, { httpStatus: 503 }));

describe('keepFresh', () => {
  it('refreshes ahead of expiry and pushes each new token once; SIGTERM ends it cleanly', async () => {
    const w = new World();
    await w.start();
    assert.deepEqual(w.pushes.map((p) => p.token), ['tok-1'], 'no token yet: refreshed and pushed at once');
    await w.advance(54 * MIN, 60_000);
    assert.equal(w.refreshTimes.length, 1, 'nothing to do while the token is fresh');
    await w.advance(1 * MIN, 60_000);
    assert.deepEqual(w.pushes.map((p) => p.token), ['tok-1', 'tok-2'], 'refreshed 5 minutes before expiry and pushed');
    assert.equal(w.refreshTimes[1] - w.refreshTimes[0], 55 * MIN);
    const r = await w.stop();
    assert.deepEqual([r.reason, r.refreshes, r.pushes, r.failures], ['signal', 2, 2, 0]);
    assert.deepEqual(w.types(), ['start', 'refreshed', 'pushed', 'refreshed', 'pushed', 'stopped']);
  });

  it('without a server it only keeps the cache fresh', async () => {
    const w = new World();
    await w.start({}, false);
    await w.advance(56 * MIN, 60_000);
    const r = await w.stop();
    assert.deepEqual([r.refreshes, r.pushes], [2, 0]);
  });

  it('rides out a Zoho outage with backoff and still refreshes before the token expires', async () => {
    const w = new World();
    w.stored = w.mint();
    w.refreshFailures = [outage(), outage()];
    await w.start();
    await w.advance(55 * MIN, 60_000);
    await w.advance(2 * MIN);
    const r = await w.stop();
    const t0 = w.refreshTimes[0];
    assert.deepEqual(w.refreshTimes.map((t) => (t - t0) / 1000), [0, 30, 90], 'backoff 30 s, then 60 s');
    assert.ok(w.stored!.accessToken === 'tok-2' && w.refreshTimes[2] < t0 + 5 * MIN, 'the new token came before the old one expired');
    assert.deepEqual(w.types().filter((t) => t.startsWith('refresh')), ['refresh-failed', 'refresh-failed', 'refreshed']);
    assert.deepEqual([r.refreshes, r.failures], [1, 2]);
  });

  it('waits out DevKit’s own rate limit until the time it names, without asking again before', async () => {
    const w = new World();
    w.stored = w.mint();
    await w.start();
    const nextAllowedAt = w.clock.now() + 58 * MIN;
    w.refreshFailures = [new DevKitError(findingFor('oauth', 'rate-limit-local', { details: { nextAllowedAt: new Date(nextAllowedAt).toISOString() } }))];
    await w.advance(55 * MIN, 60_000);
    await w.advance(2 * MIN, 5000);
    assert.equal(w.refreshTimes.length, 1, 'no request while the window is closed');
    await w.advance(1 * MIN, 5000);
    assert.equal(w.refreshTimes.length, 2);
    assert.ok(w.refreshTimes[1] >= nextAllowedAt && w.refreshTimes[1] < nextAllowedAt + 10_000);
    await w.stop();
  });

  it('stops when a failure needs a person (revoked refresh token): no retries that burn the quota', async () => {
    const w = new World();
    w.refreshFailures = [new DevKitError(findingFor('oauth', 'invalid_code'))];
    await w.start();
    await w.advance(10 * MIN, 60_000);
    const r = await w.stop();
    assert.deepEqual([r.reason, r.finding?.code, r.finding?.action], ['needs-user', 'invalid_code', 'reauthorize']);
    assert.equal(w.refreshTimes.length, 1);
    assert.deepEqual(w.types(), ['start', 'refresh-failed', 'stopped']);
  });

  it('retries a push the server refused while rebooting (network), marked as a retry', async () => {
    const w = new World();
    w.pushFailures = [new DevKitError(findingFor('ssh', 'refused', { details: { host: 'h' } }))];
    await w.start();
    await w.advance(40_000);
    const r = await w.stop();
    assert.deepEqual(w.pushes.map((p) => [p.token, p.retry]), [['tok-1', false], ['tok-1', true]]);
    assert.equal(w.pushes[1].at - w.pushes[0].at, 30_000);
    assert.deepEqual([r.reason, r.pushes, r.failures], ['signal', 1, 1]);
  });

  it('stops on a push failure that needs a person (changed host key)', async () => {
    const w = new World();
    w.pushFailures = [new DevKitError(findingFor('ssh', 'host-key-changed', { details: { fingerprint: 'SHA256:x' } }))];
    await w.start();
    const r = await w.stop();
    assert.deepEqual([r.reason, r.finding?.code], ['needs-user', 'host-key-changed']);
    assert.equal(w.pushes.length, 1);
  });

  it('says "adopted", not "refreshed", when the refresh took a token another instance minted', async () => {
    const w = new World();
    w.stored = w.mint();
    w.adoptNext = true;
    await w.start();
    await w.advance(56 * MIN, 60_000);
    const r = await w.stop();
    assert.deepEqual(w.types(), ['start', 'pushed', 'adopted', 'pushed', 'stopped']);
    assert.equal(r.refreshes, 0, 'an adopted token is not counted as a refresh of this instance');
  });

  it('pushes a token another process refreshed, without refreshing itself', async () => {
    const w = new World();
    w.stored = w.mint();
    await w.start({ maxWaitMs: 60_000 });
    await w.advance(10 * MIN, 60_000);
    w.stored = w.mint();
    await w.advance(61_000, 60_000);
    await w.stop();
    assert.equal(w.refreshTimes.length, 0);
    assert.deepEqual(w.pushes.map((p) => p.token), ['tok-1', 'tok-2']);
  });

  it('cuts a margin longer than half the token lifetime to half, so short tokens are not refreshed in a loop', async () => {
    const w = new World();
    w.lifetimeMs = 20_000;
    await w.start({ marginMs: 5 * MIN });
    await w.advance(25_000);
    await w.stop();
    const t0 = w.refreshTimes[0];
    assert.deepEqual(w.refreshTimes.map((t) => (t - t0) / 1000), [0, 10, 20]);
  });

  it('is bounded by maxCycles', async () => {
    const w = new World();
    w.lifetimeMs = 20_000;
    const r = await keepFresh(w.deps(), { marginMs: 5000, signal: w.ac.signal, maxCycles: 1 });
    assert.deepEqual([r.reason, r.refreshes, r.pushes], ['max-cycles', 1, 1]);
  });
});
