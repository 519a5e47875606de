import * as assert from 'node:assert/strict';
import { DevKitError } from '../../../src/core/errors/devkitError';
import { findingFor } from '../../../src/core/errors/catalogue';
import { type FixDeps, type FixServer, fixSummary, runFix, stepLine, withOneRefresh } from '../../../src/core/flows/fix';
import type { LiveResult } from '../../../src/core/ssh/liveProof';
import type { TokenState } from '../../../src/core/token/token';
import { FakeClock } from '../../support/fakeClock';
import { rejection } from '../../support/findings';

const HOUR = 3600_000;
const MARGIN = 5 * 60_000;
const SETTLE = 1500;

const liveOf = (over: Partial<LiveResult> = {}): LiveResult => ({
  unit: 'llm-chatbot', state: 'active', previousPid: 100, mainPid: 200, proof: 'environ',
  proofNote: 'the SHA-256 of SALESIQ_ACCESS_TOKEN in /proc/200/environ (read on the server) equals the new token\'s',
  environmentFiles: ['/opt/llm-chatbot/.env'], logLine: true, journal: [], proofMs: 30, ...over,
});

/** Every step recorded in `calls`; restart takes 100 ms on the fake clock (30 of them the proof), watch `ms`. */
function deps(clock: FakeClock, cached: TokenState | undefined, over: Partial<FixDeps> = {}, serverOver: Partial<FixServer> = {}) {
  const calls: string[] = [];
  const server: FixServer = {
    key: 'SALESIQ_ACCESS_TOKEN',
    where: '/opt/llm-chatbot/.env on host',
    service: 'llm-chatbot',
    write: async (t) => (calls.push(`push:${t}`), { changed: true, backup: '/opt/llm-chatbot/.env.bak-1' }),
    restart: async () => {
      calls.push('restart');
      await clock.advance(100);
      return liveOf();
    },
    assertActive: async () => (calls.push('state'), 'active'),
    watch: async (_l, ms) => {
      calls.push(`watch:${ms}`);
      await clock.advance(ms);
    },
    ...serverOver,
  };
  const d: FixDeps = {
    clock,
    current: async () => cached,
    refresh: async () => {
      calls.push('refresh');
      await clock.advance(250);
      return { accessToken: 'new', obtainedAt: clock.now(), expiresAt: clock.now() + HOUR };
    },
    server,
    checkApi: async () => (calls.push('check'), 'SalesIQ accepts the token'),
    transfer: async () => {
      calls.push('transfer');
      await clock.advance(100);
      return { detail: 'transfer done' };
    },
    ...over,
  };
  return { d, calls };
}

const token = (clock: FakeClock, leftMs: number): TokenState => ({ accessToken: 'old', obtainedAt: clock.now() + leftMs - HOUR, expiresAt: clock.now() + leftMs });
const names = (r: { steps: Array<{ name: string; ok: boolean }> }) => r.steps.map((s) => [s.name, s.ok]);

describe('runFix', () => {
  it('refreshes a token close to expiry, pushes the NEW token, restarts, proves it live, verifies, transfers, watches', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 2 * 60_000));
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r.ok, true);
    assert.deepEqual(calls, ['refresh', 'push:new', 'restart', 'check', 'transfer', 'watch:1400']);
    assert.deepEqual(names(r), [['refresh', true], ['push', true], ['restart', true], ['live', true], ['verify', true], ['transfer', true], ['watch', true]]);
    assert.match(r.steps[0].detail, /refreshed \(only 2m 00s left\)/);
    assert.equal(r.token?.accessToken, 'new');
    assert.deepEqual(r.steps.map((s) => s.ms), [250, 0, 70, 30, 0, 100, 1400], 'the proof\'s share of the restart script is the live step');
    assert.equal(r.liveMs, 350, 'live at the end of the restart script');
    assert.equal(r.totalMs, 1850);
    assert.match(r.steps[3].detail, /environ hash.*\/proc\/200\/environ.*logged the new token/);
    assert.match(r.steps[2].detail, /main PID 100 → 200/);
    assert.match(fixSummary(r), /^new token live in 350 ms; fixed in 1850 ms \(incl\. 1400 ms watch\)$/);
  });

  it('watches for what is left of the settle window after the live moment (one check when the transfer took longer)', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), {
      transfer: async () => {
        await clock.advance(2000);
        return { detail: 'slow transfer' };
      },
    });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r.ok, true);
    assert.equal(calls.at(-1), 'watch:0');
  });

  it('a crash during the watch fails the watch step, after every other step succeeded', async () => {
    const clock = new FakeClock();
    const crash = new DevKitError(findingFor('systemd', 'crash-after-restart', { details: { unit: 'llm-chatbot', journal: '401 Unauthorized' } }));
    const { d } = deps(clock, token(clock, 40 * 60_000), {}, { watch: async () => Promise.reject(crash) });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.deepEqual([r.ok, r.failedStep, r.error], [false, 'watch', crash]);
    assert.deepEqual(names(r).at(-1), ['watch', false]);
    assert.equal(r.liveMs, 100, 'the token was live before the crash, and the result says so');
  });

  it('with backgroundWatch returns at once and hands the watch over; a crash then is an ok:false watch step', async () => {
    const clock = new FakeClock();
    const crash = new DevKitError(findingFor('systemd', 'crash-after-restart'));
    let fail!: (e: unknown) => void;
    const { d } = deps(clock, token(clock, 40 * 60_000), {}, { watch: () => new Promise((_, rej) => (fail = rej)) });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE, backgroundWatch: true });
    assert.equal(r.ok, true);
    assert.ok(!r.steps.some((s) => s.name === 'watch'));
    assert.ok(r.watching);
    fail(crash);
    const w = await r.watching!;
    assert.deepEqual([w.name, w.ok, w.error], ['watch', false, crash]);
  });

  it('--settle-seconds 0 skips the watch; --no-restart skips restart, live and watch and verifies the unit\'s state', async () => {
    const clock = new FakeClock();
    const a = deps(clock, token(clock, 40 * 60_000));
    const r = await runFix(a.d, { marginMs: MARGIN, settleMs: 0 });
    assert.equal(r.ok, true);
    assert.ok(!a.calls.some((c) => c.startsWith('watch')));
    assert.deepEqual(r.steps.at(-1), { name: 'watch', ok: true, ms: 0, detail: 'skipped (settle window 0)', skipped: true });

    const b = deps(clock, token(clock, 40 * 60_000), {}, { restart: undefined });
    const r2 = await runFix(b.d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r2.ok, true);
    assert.deepEqual(b.calls, ['push:old', 'state', 'check', 'transfer']);
    assert.deepEqual(r2.steps.filter((s) => s.skipped).map((s) => s.name), ['refresh', 'restart', 'live', 'watch']);
    assert.equal(r2.liveMs, undefined);
  });

  it('keeps a fresh token (refresh listed as skipped) and pushes it', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000));
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r.ok, true);
    assert.equal(calls[0], 'push:old');
    assert.equal(r.steps[0].skipped, true);
    assert.match(r.steps[0].detail, /not needed.*40m left/);
  });

  it('refreshes a token with time left when SalesIQ rejects it, and says why', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), { staleReason: async () => 'SalesIQ rejected the cached token (1001)' });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(calls[0], 'refresh');
    assert.match(r.steps[0].detail, /SalesIQ rejected the cached token \(1001\)/);
  });

  it('refreshes when nothing is cached or the cached token expired', async () => {
    for (const cached of [undefined, token(new FakeClock(), -1000)]) {
      const clock = new FakeClock();
      const { d, calls } = deps(clock, cached);
      await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
      assert.equal(calls[0], 'refresh');
    }
  });

  it('stops at the first failure with its error, and lists what was already done', async () => {
    const clock = new FakeClock();
    const failed = new DevKitError(findingFor('systemd', 'job-failed', { details: { unit: 'llm-chatbot' } }));
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), {}, {
      restart: async () => {
        calls.push('restart');
        throw failed;
      },
    });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r.ok, false);
    assert.equal(r.failedStep, 'restart');
    assert.equal(r.error, failed);
    assert.deepEqual(calls, ['push:old', 'restart'], 'verify, transfer and watch never ran');
    assert.deepEqual(names(r), [['refresh', true], ['push', true], ['restart', false]]);
    assert.equal(r.steps[2].detail, failed.finding.title);
    assert.match(stepLine(r.steps[2]), /^✗ restart /);
    assert.match(fixSummary(r), /^stopped at restart after \d+ ms:$/);
  });

  it('a service that is not active fails verify', async () => {
    const clock = new FakeClock();
    const inactive = new DevKitError(findingFor('systemd', 'inactive', { details: { unit: 'llm-chatbot', state: 'failed' } }));
    const { d } = deps(clock, token(clock, 40 * 60_000), {}, { restart: undefined, assertActive: async () => Promise.reject(inactive) });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.deepEqual([r.ok, r.failedStep, r.error], [false, 'verify', inactive]);
  });

  it('a failed refresh stops before the server is touched', async () => {
    const clock = new FakeClock();
    const revoked = new DevKitError(findingFor('oauth', 'invalid_code'));
    const { d, calls } = deps(clock, undefined, { refresh: async () => Promise.reject(revoked) });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.deepEqual([r.ok, r.failedStep, r.error], [false, 'refresh', revoked]);
    assert.deepEqual(calls, []);
    assert.equal(r.token, undefined);
  });

  it('lists a transfer that was not asked for as skipped', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), { transfer: undefined });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r.ok, true);
    assert.ok(!calls.includes('transfer'));
    assert.deepEqual(r.steps.find((s) => s.name === 'transfer'), { name: 'transfer', ok: true, ms: 0, detail: 'skipped (--no-transfer)', skipped: true });
  });

  it('stops between steps once cancelled', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const { d, calls } = deps(clock, token(clock, 40 * 60_000), {}, { write: async () => (ac.abort(new Error('stopped by signal')), { changed: true }) });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE, signal: ac.signal });
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
  it('prepares the server (connect, read) before the refresh, and reports a failed preparation at the push step', async () => {
    const clock = new FakeClock();
    const refused = new DevKitError(findingFor('sudo', 'not-allowed'));
    const { d, calls } = deps(clock, undefined, {}, { prepare: async () => (calls.push('prepare'), Promise.reject(refused)) });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.deepEqual(calls, ['prepare', 'refresh'], 'prepared first, the refresh alongside; nothing written');
    assert.deepEqual([r.ok, r.failedStep, r.error], [false, 'push', refused]);
    assert.deepEqual(names(r), [['refresh', true], ['push', false]]);
  });

  it('a failed refresh with a failed preparation: the refresh is the reason, and no rejection is left unhandled', async () => {
    const clock = new FakeClock();
    const revoked = new DevKitError(findingFor('oauth', 'invalid_code'));
    const unhandled: unknown[] = [];
    const seen = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', seen);
    try {
      const { d } = deps(clock, undefined, { refresh: async () => Promise.reject(revoked) }, { prepare: async () => Promise.reject(new Error('connect failed')) });
      const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
      assert.deepEqual([r.ok, r.failedStep, r.error], [false, 'refresh', revoked]);
      await new Promise((res) => setImmediate(res));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', seen);
    }
  });

  it('with pushLive: write and restart in one call; push reports the write, restart/live the proof, verify the service\'s own line', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, undefined, {}, {
      pushLive: (t) => {
        calls.push(`pushLive:${t}`);
        const live = clock.advance(100).then(() => liveOf({ logLine: false }));
        return { written: Promise.resolve({ changed: true, backup: '/opt/llm-chatbot/.env.bak-2' }), live, done: live.then((l) => ({ ...l, logLine: true, journal: ['ok'] })) };
      },
    });
    const r = await runFix(d, { marginMs: MARGIN, settleMs: SETTLE });
    assert.equal(r.ok, true);
    assert.deepEqual(calls.slice(0, 3), ['refresh', 'pushLive:new', 'check'], 'no separate write or restart');
    assert.match(r.steps[1].detail, /backup \/opt\/llm-chatbot\/\.env\.bak-2/);
    assert.match(r.steps[3].detail, /environ hash/);
    assert.match(r.steps[4].detail, /it logged the new token under its PID/);
    assert.deepEqual(r.live?.journal, ['ok']);
  });
});
