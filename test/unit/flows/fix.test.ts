import * as assert from 'node:assert/strict';
import { DevKitError } from '../../../src/core/errors/devkitError';
import { findingFor } from '../../../src/core/errors/catalogue';
import { type FixDeps, runFix, withOneRefresh } from '../../../src/core/flows/fix';
import type { TokenState } from '../../../src/core/token';
import { FakeClock } from '../../support/fakeClock';
import { rejection } from '../../support/findings';

const HOUR = 3600_000;
const MARGIN = 5 * 60_000;

/** Every step recorded in `calls`; each one takes `stepMs` on the fake clock. */
function deps(clock: FakeClock, cached: TokenState | undefined, over: Partial<FixDeps> = {}) {
  const calls: string[] = [];
  const took = (name: string) => async () => {
    calls.push(name);
    await clock.advance(100);
    return { detail: `${name} done` };
  };
  const d: FixDeps = {
    clock,
    current: async () => cached,
    refresh: async () => {
      calls.push('refresh');
      await clock.advance(250);
      return { accessToken: 'new', obtainedAt: clock.now(), expiresAt: clock.now() + HOUR };
    },
    push: async (t) => (calls.push(`push:${t.accessToken}`), { detail: 'pushed' }),
    restart: took('restart'),
    verify: took('verify'),
    transfer: took('transfer'),
    ...over,
  };
  return { d, calls };
}

const token = (clock: FakeClock, leftMs: number): TokenState => ({ accessToken: 'old', obtainedAt: clock.now() + leftMs - HOUR, expiresAt: clock.now() + leftMs });

describe('runFix', () => {
  it('refreshes a token close to expiry, then pushes the NEW token, restarts, verifies and transfers', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 2 * 60_000));
    const r = await runFix(d, { marginMs: MARGIN });
    assert.equal(r.ok, true);
    assert.deepEqual(calls, ['refresh', 'push:new', 'restart', 'verify', 'transfer']);
    assert.deepEqual(r.steps.map((s) => [s.name, s.ok]), [['refresh', true], ['push', true], ['restart', true], ['verify', true], ['transfer', true]]);
    assert.match(r.steps[0].detail, /refreshed \(only 2m 00s left\)/);
    assert.equal(r.token?.accessToken, 'new');
    assert.deepEqual(r.steps.map((s) => s.ms), [250, 0, 100, 100, 100], 'each step timed on the injected clock');
    assert.equal(r.totalMs, 550);
  });

  it('keeps a fresh token (refresh listed as skipped) and pushes it', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000));
    const r = await runFix(d, { marginMs: MARGIN });
    assert.equal(r.ok, true);
    assert.deepEqual(calls, ['push:old', 'restart', 'verify', 'transfer']);
    assert.equal(r.steps[0].skipped, true);
    assert.match(r.steps[0].detail, /not needed.*40m left/);
  });

  it('refreshes a token with time left when SalesIQ rejects it, and says why', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), { staleReason: async () => 'SalesIQ rejected the cached token (1001)' });
    const r = await runFix(d, { marginMs: MARGIN });
    assert.equal(calls[0], 'refresh');
    assert.match(r.steps[0].detail, /SalesIQ rejected the cached token \(1001\)/);
  });

  it('refreshes when nothing is cached or the cached token expired', async () => {
    for (const cached of [undefined, token(new FakeClock(), -1000)]) {
      const clock = new FakeClock();
      const { d, calls } = deps(clock, cached);
      await runFix(d, { marginMs: MARGIN });
      assert.equal(calls[0], 'refresh');
    }
  });

  it('stops at the first failure with its error, and lists what was already done', async () => {
    const clock = new FakeClock();
    const crash = new DevKitError(findingFor('systemd', 'crash-after-restart', { details: { unit: 'llm-chatbot' } }));
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), {
      restart: async () => {
        calls.push('restart');
        throw crash;
      },
    });
    const r = await runFix(d, { marginMs: MARGIN });
    assert.equal(r.ok, false);
    assert.equal(r.failedStep, 'restart');
    assert.equal(r.error, crash);
    assert.deepEqual(calls, ['push:old', 'restart'], 'verify and transfer never ran');
    assert.deepEqual(r.steps.map((s) => [s.name, s.ok]), [['refresh', true], ['push', true], ['restart', false]]);
    assert.equal(r.steps[2].detail, crash.finding.title);
  });

  it('a failed refresh stops before the server is touched', async () => {
    const clock = new FakeClock();
    const revoked = new DevKitError(findingFor('oauth', 'invalid_code'));
    const { d, calls } = deps(clock, undefined, { refresh: async () => Promise.reject(revoked) });
    const r = await runFix(d, { marginMs: MARGIN });
    assert.deepEqual([r.ok, r.failedStep, r.error], [false, 'refresh', revoked]);
    assert.deepEqual(calls, []);
    assert.equal(r.token, undefined);
  });

  it('lists a restart or transfer that was not asked for as skipped', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), { restart: undefined, transfer: undefined });
    const r = await runFix(d, { marginMs: MARGIN });
    assert.equal(r.ok, true);
    assert.deepEqual(calls, ['push:old', 'verify']);
    assert.deepEqual(r.steps.filter((s) => s.skipped).map((s) => [s.name, s.detail]), [['refresh', r.steps[0].detail], ['restart', 'skipped (--no-restart)'], ['transfer', 'skipped (--no-transfer)']]);
  });

  it('stops between steps once cancelled', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), { push: async () => (ac.abort(new Error('stopped by signal')), { detail: 'pushed' }) });
    const r = await runFix(d, { marginMs: MARGIN, signal: ac.signal });
    assert.equal(r.ok, false);
    assert.deepEqual(calls, []);
    assert.deepEqual(r.steps.map((s) => s.name), ['refresh', 'push']);
  });
});

describe('withOneRefresh', () => {
  const salesiq = (code: number) => new DevKitError(findingFor('salesiq', code, { httpStatus: 400 }));

  it('on 1001/1008 refreshes once and retries once with the new token', async () => {
    for (const code of [1001, 1008]) {
      const used: string[] = [];
      const r = await withOneRefresh('old', async (t) => {
        used.push(t);
        if (t === 'old') throw salesiq(code);
        return 201;
      }, async () => 'new');
      assert.deepEqual([r.value, r.token, r.refreshed, used], [201, 'new', true, ['old', 'new']]);
    }
  });

  it('reports a second rejection as it is (no loop)', async () => {
    let refreshes = 0;
    const second = await rejection(withOneRefresh('old', async () => Promise.reject(salesiq(1001)), async () => (refreshes++, 'new')));
    assert.equal(second.finding.code, 1001);
    assert.equal(refreshes, 1);
  });

  it('does not refresh for other errors (1009 wrong token type) or without a way to refresh', async () => {
    let refreshes = 0;
    assert.equal((await rejection(withOneRefresh('old', async () => Promise.reject(salesiq(1009)), async () => (refreshes++, 'new')))).finding.code, 1009);
    assert.equal((await rejection(withOneRefresh('old', async () => Promise.reject(salesiq(1001)), undefined))).finding.code, 1001);
    assert.equal(refreshes, 0);
  });
});
