import * as assert from 'node:assert/strict';
import { findingFor } from '../../../src/core/errors/catalogue';
import { DevKitError } from '../../../src/core/errors/devkitError';
import type { FixServer } from '../../../src/core/flows/fix';
import { type FleetFixDeps, fixOnServers, fleetFixSummary } from '../../../src/core/flows/fixFleet';
import type { LiveResult } from '../../../src/core/ssh/liveProof';
import { FakeClock } from '../../support/fakeClock';

const HOUR = 3600_000;
const live: LiveResult = {
  unit: 'llm-chatbot', state: 'active', previousPid: 100, mainPid: 200, proof: 'environ', proofNote: 'hash equal',
  environmentFiles: ['/opt/llm-chatbot/.env'], logLine: true, journal: [], proofMs: 0,
};
const refused = () => new DevKitError(findingFor('ssh', 'refused', { details: { host: '127.0.0.1', port: '22' } }));
const crashed = () => new DevKitError(findingFor('systemd', 'crash-after-restart', { details: { unit: 'llm-chatbot' } }));

/** A server whose write, restart or watch can be made to fail; every call is recorded as `name:step`. */
function server(name: string, calls: string[], fail: { write?: boolean; watch?: boolean } = {}): FixServer {
  return {
    key: 'SALESIQ_ACCESS_TOKEN', where: `/opt/llm-chatbot/.env on ${name}`, service: 'llm-chatbot',
    write: async (t) => {
      calls.push(`${name}:push:${t}`);
      if (fail.write) throw refused();
      return { changed: true };
    },
    restart: async () => (calls.push(`${name}:restart`), live),
    assertActive: async () => 'active',
    watch: async () => {
      calls.push(`${name}:watch`);
      if (fail.watch) throw crashed();
    },
  };
}

type Faults = Record<string, { write?: boolean; watch?: boolean }>;

function deps(clock: FakeClock, calls: string[], servers: Faults, over: Partial<FleetFixDeps> = {}): FleetFixDeps {
  return {
    clock,
    current: async () => ({ accessToken: 'old', obtainedAt: clock.now() - HOUR + 60_000, expiresAt: clock.now() + 60_000 }),
    refresh: async () => (calls.push('refresh'), { accessToken: 'new', obtainedAt: clock.now(), expiresAt: clock.now() + HOUR }),
    servers: Object.entries(servers).map(([name, f]) => ({ name, server: server(name, calls, f) })),
    checkApi: async () => (calls.push('check'), 'SalesIQ accepts the token'),
    transfer: async () => (calls.push('transfer'), { detail: 'opened' }),
    ...over,
  };
}

describe('fixOnServers: the fix on several servers', () => {
  it('refreshes once, fixes every server, sends one transfer after the servers hold the token, then ends the watches', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const calls: string[] = [];
    const r = await fixOnServers(deps(clock, calls, { a: {}, b: {} }), { marginMs: 5 * 60_000, settleMs: 1500 });
    assert.equal(r.ok, true);
    assert.equal(calls.filter((c) => c === 'refresh').length, 1);
    assert.equal(calls.filter((c) => c === 'transfer').length, 1);
    assert.ok(calls.indexOf('transfer') > calls.indexOf('a:push:new') && calls.indexOf('transfer') > calls.indexOf('b:push:new'));
    assert.deepEqual(r.steps.map((s) => s.name), ['refresh', 'verify', 'transfer']);
    for (const s of r.servers) assert.deepEqual([s.steps.map((x) => x.name), s.holds, s.running], [['push', 'restart', 'live', 'verify', 'watch'], true, true]);
    assert.match(fleetFixSummary(r), /^2 of 2 servers hold the new token: a, b; running on it: a, b\.$/);
  });

  it('one server down and one crashing in its watch: the third is fixed, nothing stops early, the summary names each', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const calls: string[] = [];
    const faults = { down: { write: true }, crashy: { watch: true }, good: {} };
    const r = await fixOnServers(deps(clock, calls, faults), { marginMs: 5 * 60_000, settleMs: 1500 });
    assert.equal(r.ok, false);
    assert.equal(r.failedStep, undefined, 'the shared steps succeeded');
    const by = Object.fromEntries(r.servers.map((s) => [s.name, s]));
    assert.deepEqual([by.down.ok, by.down.failedStep, by.down.holds], [false, 'push', false]);
    assert.deepEqual([by.crashy.ok, by.crashy.failedStep, by.crashy.holds, by.crashy.running], [false, 'watch', true, false]);
    assert.deepEqual([by.good.ok, by.good.running], [true, true]);
    assert.equal(calls.filter((c) => c === 'transfer').length, 1);
    const text = fleetFixSummary(r);
    assert.match(text, /2 of 3 servers hold the new token: crashy, good; running on it: good\./);
    assert.match(text, /Failed: down at push \(.*\); crashy at watch \(.*\)\./);
  });

  it('no server holds the new token: no SalesIQ check and no transfer', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const calls: string[] = [];
    const r = await fixOnServers(deps(clock, calls, { a: { write: true }, b: { write: true } }), { marginMs: 5 * 60_000, settleMs: 0 });
    assert.equal(r.ok, false);
    assert.ok(!calls.includes('transfer') && !calls.includes('check'));
    assert.deepEqual(r.steps.map((s) => [s.name, Boolean(s.skipped)]), [['refresh', false], ['verify', true], ['transfer', true]]);
  });

  it('a refresh that fails touches no server', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const calls: string[] = [];
    const failing = async () => {
      throw refused();
    };
    const r = await fixOnServers(deps(clock, calls, { a: {} }, { refresh: failing }), { marginMs: 5 * 60_000, settleMs: 0 });
    assert.deepEqual([r.ok, r.failedStep, r.servers.length], [false, 'refresh', 0]);
    assert.ok(!calls.some((c) => c.startsWith('a:')));
  });
});
