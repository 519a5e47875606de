import * as assert from 'node:assert/strict';
import { findingFor } from '../../../src/core/errors/catalogue';
import { DevKitError } from '../../../src/core/errors/devkitError';
import { doctorExitCode, lineTime, PROFILE_CHECKS, type ProfileDeps, type ProfileInput, profileChecks, runDoctor, SERVER_CHECKS, serverChecks } from '../../../src/core/flows/doctor';
import type { SshSession } from '../../../src/core/ssh/session';
import { environmentFiles, probePrivileged, probeUnit } from '../../../src/core/ssh/unitProbe';
import { FakeClock } from '../../support/fakeClock';
import { fakeSession } from '../ssh/fakeSession';

const HOUR = 3600_000;
const USER_TOKEN = '1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210';

const input = (over: Partial<ProfileInput> = {}): ProfileInput => ({
  name: 'default', dataCenter: 'in', accountsUrl: 'https://accounts.zoho.in', salesiqUrl: 'https://salesiq.zoho.in', missingCredentials: [], screenName: 'zylker', ...over,
});

function deps(clock: FakeClock, over: Partial<ProfileDeps> = {}) {
  const calls: string[] = [];
  const d: ProfileDeps = {
    clock,
    cached: async () => undefined,
    mint: async () => (calls.push('mint'), { accessToken: USER_TOKEN, obtainedAt: clock.now(), expiresAt: clock.now() + HOUR }),
    validate: async () => (calls.push('validate'), { endpoint: '/api/v2/zylker/departments', status: 200 }),
    ...over,
  };
  return { d, calls };
}

const byId = (checks: { id: string; status: string }[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('doctor: profile checks', () => {
  it('with a valid cached token reports on it and requests nothing from Zoho Accounts', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, {
      cached: async () => ({ accessToken: USER_TOKEN, obtainedAt: clock.now(), expiresAt: clock.now() + 40 * 60_000 }),
    });
    const r = await profileChecks(input(), d);
    assert.deepEqual(r.checks.map((c) => c.id), [...PROFILE_CHECKS]);
    assert.deepEqual(calls, ['validate']);
    assert.equal(r.token, USER_TOKEN);
    assert.deepEqual(byId(r.checks), { credentials: 'pass', 'data-centre': 'pass', refresh: 'pass', 'token-kind': 'pass', scope: 'pass', portal: 'pass' });
    assert.match(r.checks[2].title, /valid for 40m/);
  });

  it('mints only when the cached token has expired', async () => {
    const clock = new FakeClock();
    const { d, calls } = deps(clock, { cached: async () => ({ accessToken: 'old', obtainedAt: clock.now() - 2 * HOUR, expiresAt: clock.now() - HOUR }) });
    const r = await profileChecks(input(), d);
    assert.deepEqual(calls, ['mint', 'validate']);
    assert.match(r.checks.find((c) => c.id === 'refresh')!.title, /Minted a new token/);
  });

  it('invalid_client fails the data centre (needs the user) and skips the refresh', async () => {
    const clock = new FakeClock();
    const { d } = deps(clock, { mint: async () => { throw new DevKitError(findingFor('oauth', 'invalid_client')); } });
    const r = await profileChecks(input(), d);
    const s = byId(r.checks);
    assert.deepEqual([s['data-centre'], s.refresh, s['token-kind'], s.scope], ['fail', 'skip', 'skip', 'skip']);
    assert.equal(r.checks[1].action, 'fix-config');
    assert.equal(doctorExitCode({ ok: false, checks: r.checks }), 3);
  });

  it('a 1009 fails the scope with reauthorize; a 1005 passes the scope and fails the portal', async () => {
    const clock = new FakeClock();
    const scope = await profileChecks(input(), deps(clock, { validate: async () => { throw new DevKitError(findingFor('salesiq', 1009)); } }).d);
    assert.equal(byId(scope.checks).scope, 'fail');
    assert.equal(scope.checks.find((c) => c.id === 'scope')!.action, 'reauthorize');
    const portal = await profileChecks(input(), deps(clock, { validate: async () => { throw new DevKitError(findingFor('salesiq', 1005)); } }).d);
    assert.deepEqual([byId(portal.checks).scope, byId(portal.checks).portal], ['pass', 'fail']);
  });

  it('no credentials and no token: credentials fail (authorize), everything after it is skipped', async () => {
    const clock = new FakeClock();
    const r = await profileChecks(input({ missingCredentials: ['client id', 'refresh token'] }), deps(clock).d);
    assert.equal(r.checks[0].status, 'fail');
    assert.equal(r.checks[0].fix?.kind, 'authorize');
    assert.ok(r.checks.slice(1).every((c) => c.status === 'skip'));
  });

  it('a hung SalesIQ fails the scope check with the time limit, not the whole doctor', async () => {
    const clock = new FakeClock();
    const { d } = deps(clock, { validate: (_t, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) });
    const r = await profileChecks(input(), d, { timeoutMs: 50 });
    const scope = r.checks.find((c) => c.id === 'scope')!;
    assert.equal(scope.status, 'fail');
    assert.match(scope.title, /No answer within/);
    assert.equal(byId(r.checks).refresh, 'pass');
  });
});

describe('doctor: server checks (scripted server)', () => {
  it('a refused connection fails the host-key check with the reason and skips every later server check', async () => {
    const r = await serverChecks(
      { name: 'prod', connect: { host: '127.0.0.1', port: 9, username: 'x' }, envPath: '/opt/a/.env', key: 'SALESIQ_ACCESS_TOKEN', service: 'llm-chatbot', sudo: 'auto' },
      { clock: new FakeClock(), devkitToken: Promise.resolve(undefined), open: async () => { throw new DevKitError(findingFor('ssh', 'refused')); } },
    );
    assert.deepEqual(r.checks.map((c) => c.id), [...SERVER_CHECKS]);
    assert.equal(r.checks[0].status, 'fail');
    assert.ok(r.checks.slice(1).every((c) => c.status === 'skip'));
    assert.equal(r.ok, false);
  });

  it('without a server the report still lists every server check, as skipped', async () => {
    const clock = new FakeClock();
    const report = await runDoctor({ profile: input(), profileDeps: deps(clock).d, servers: [] });
    assert.deepEqual(report.checks.map((c) => c.id), [...PROFILE_CHECKS, ...SERVER_CHECKS]);
    assert.ok(report.checks.slice(PROFILE_CHECKS.length).every((c) => c.status === 'skip'));
  });

  it('every probe script is a constant one-liner any login shell passes through (the privileged reads in one run, with or without a password)', async () => {
    const s = fakeSession(() => ({ stdout: '' }));
    const target = { envPath: '/opt/llm-chatbot/.env', key: 'SALESIQ_ACCESS_TOKEN', service: 'llm-chatbot', journalLines: 200 };
    await probeUnit(s as SshSession, 'llm-chatbot', 10).catch(() => undefined);
    await probePrivileged(s as SshSession, { mode: 'nopasswd' }, target, 10);
    assert.equal(s.calls.length, 2, 'one sudo run reads everything');
    await probePrivileged(s as SshSession, { mode: 'password', password: 'pw' }, target, 10);
    assert.equal(s.calls.length, 3, 'with a password one run, so a wrong password is tried once');
    for (const { cmd } of s.calls) {
      assert.ok(!/[!\\\n]/.test(cmd), `no !, backslash or newline: ${cmd}`);
      assert.match(cmd, /^env LC_ALL=C (sudo -n |sudo -S -k -p '' )?timeout -k 2 10 sh -c '[^']*' devkit-doctor /);
    }
    for (const { cmd } of s.calls.slice(1)) assert.match(cmd, /devkit-doctor '\/opt\/llm-chatbot\/\.env' 'SALESIQ_ACCESS_TOKEN' 'llm-chatbot' 200 1048576$/);
  });

  it('refuses a hostile key or unit before anything runs', async () => {
    const s = fakeSession(() => ({ stdout: '' }));
    await assert.rejects(probePrivileged(s as SshSession, { mode: 'nopasswd' }, { envPath: '/opt/a/.env', key: 'A;rm', service: 'x', journalLines: 1 }, 5));
    await assert.rejects(probePrivileged(s as SshSession, { mode: 'nopasswd' }, { envPath: '/opt/a/.env', key: 'A', service: '--now', journalLines: 1 }, 5));
    await assert.rejects(probeUnit(s as SshSession, 'a b', 5));
    assert.equal(s.calls.length, 0);
  });
});

describe('doctor: parsing what systemd and journalctl print', () => {
  it('EnvironmentFiles= lines, with optional (-) files and spaces in paths', () => {
    assert.deepEqual(environmentFiles('/opt/app/.env (ignore_errors=no)\n/etc/default/my app (ignore_errors=yes)'), [
      { path: '/opt/app/.env', optional: false },
      { path: '/etc/default/my app', optional: true },
    ]);
    assert.deepEqual(environmentFiles(''), []);
  });

  it('journal times in short-iso and the classic form (year and zone from the server)', () => {
    assert.equal(lineTime('2026-11-25T10:00:00+0100 host unit[1]: x', undefined), Date.UTC(2026, 10, 25, 9, 0, 0) / 1000);
    const now = Date.UTC(2026, 0, 2, 0, 0, 0) / 1000;
    assert.equal(lineTime('Jan 01 23:00:00 host unit[1]: x', { now }), Date.UTC(2026, 0, 1, 23, 0, 0) / 1000);
    assert.equal(lineTime('Dec 31 23:00:00 host unit[1]: x', { now }), Date.UTC(2025, 11, 31, 23, 0, 0) / 1000, 'last year, not the future');
    assert.equal(lineTime('no time here', { now }), undefined);
  });
});
