import * as assert from 'assert';
import { DevKitError } from '../../../src/core/errors/devkitError';
import { findingFor } from '../../../src/core/errors/catalogue';
import { Lease, RefreshCredentials, StoredToken, TokenManager, TokenStore } from '../../../src/core/token/tokenManager';
import { FakeClock, flush } from '../../support/fakeClock';
import { rejection } from '../../support/findings';

const CREDS: RefreshCredentials = { clientId: '1000.ID', clientSecret: 'secret', refreshToken: '1000.aa.bb' };

/** Stands in for SecretStorage: one store shared by every "window". */
class MemoryStore implements TokenStore {
  token: StoredToken | undefined;
  creds: RefreshCredentials | undefined = CREDS;
  async readToken() {
    return this.token && { ...this.token };
  }
  async writeToken(t: StoredToken) {
    this.token = { ...t };
  }
  async readCredentials() {
    return this.creds;
  }
}

class MemoryLease implements Lease {
  static holder: object | undefined;
  async acquire() {
    if (MemoryLease.holder && MemoryLease.holder !== this) return false;
    MemoryLease.holder = this;
    return true;
  }
  async release() {
    if (MemoryLease.holder === this) MemoryLease.holder = undefined;
  }
}

describe('TokenManager', () => {
  let clock: FakeClock;
  let store: MemoryStore;
  let calls: number;
  const refresher = async () => {
    calls++;
    return { accessToken: `1000.${calls}.ff`, lifetimeSec: 3600 };
  };

  beforeEach(() => {
    clock = new FakeClock();
    store = new MemoryStore();
    calls = 0;
    MemoryLease.holder = undefined;
  });

  it('stores the new token with its expiry and a successful outcome', async () => {
    const m = new TokenManager({ store, refresher, clock });
    const t = await m.refresh({ automatic: false });
    assert.strictEqual(t.expiresAt, clock.now() + 3_600_000);
    assert.deepStrictEqual(store.token?.lastRefresh, { at: clock.now(), ok: true, automatic: false });
  });

  it('makes one request for many concurrent triggers', async () => {
    const m = new TokenManager({ store, refresher, clock });
    const all = await Promise.all([1, 2, 3, 4, 5].map(() => m.refresh({ automatic: true, marginMs: 1e9 })));
    assert.strictEqual(calls, 1);
    assert.ok(all.every((t) => t.accessToken === '1000.1.ff'));
  });

  it('skips an automatic refresh when another window already refreshed', async () => {
    const m = new TokenManager({ store, refresher, clock });
    store.token = { accessToken: '1000.x.y', obtainedAt: clock.now(), expiresAt: clock.now() + 50 * 60_000 };
    const t = await m.refresh({ automatic: true, marginMs: 5 * 60_000 });
    assert.strictEqual(calls, 0);
    assert.strictEqual(t.accessToken, '1000.x.y');
  });

  it('a second window waits for the lease holder and adopts its token', async () => {
    let release!: () => void;
    const slow = () => new Promise<{ accessToken: string; lifetimeSec: number }>((r) => (release = () => r({ accessToken: '1000.win1.ff', lifetimeSec: 3600 })));
    const w1 = new TokenManager({ store, refresher: slow, clock, lease: new MemoryLease() });
    const w2 = new TokenManager({ store, refresher, clock, lease: new MemoryLease() });
    const p1 = w1.refresh({ automatic: true, marginMs: 1e9 });
    await flush();
    const p2 = w2.refresh({ automatic: true, marginMs: 1e9 });
    await clock.advance(500);
    release();
    await p1;
    await clock.advance(500);
    const t2 = await p2;
    assert.strictEqual(t2.accessToken, '1000.win1.ff');
    assert.strictEqual(calls, 0, 'the second window made no request');
  });

  it('keeps the old token and records the failure when Zoho refuses', async () => {
    store.token = { accessToken: '1000.old.ff', obtainedAt: 0, expiresAt: clock.now() + 60_000 };
    const m = new TokenManager({ store, refresher: async () => Promise.reject(new DevKitError(findingFor('oauth', 'invalid_code'))), clock });
    assert.strictEqual((await rejection(m.refresh({ automatic: false }))).finding.action, 'reauthorize');
    assert.strictEqual(store.token?.accessToken, '1000.old.ff');
    assert.strictEqual(store.token?.lastRefresh?.ok, false);
    assert.strictEqual(store.token?.lastRefresh?.finding?.code, 'invalid_code');
  });

  it('says what to do when no credentials are stored', async () => {
    store.creds = undefined;
    const m = new TokenManager({ store, refresher, clock });
    const { finding } = await rejection(m.refresh({ automatic: false }));
    assert.strictEqual(finding.action, 'fix-config');
    assert.match(finding.explanation, /Set Up Credentials/);
  });
});

describe('TokenManager onMint', () => {
  it('reports tokens it minted, not ones adopted from another window', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const minted: string[] = [];
    const m = new TokenManager({ store, clock, refresher: async () => ({ accessToken: '1000.m.ff', lifetimeSec: 3600 }), onMint: (t) => minted.push(t.accessToken) });
    await m.refresh({ automatic: false });
    store.token = { accessToken: '1000.other.ff', obtainedAt: clock.now(), expiresAt: clock.now() + 3_600_000 };
    await m.refresh({ automatic: true, marginMs: 60_000 });
    assert.deepStrictEqual(minted, ['1000.m.ff']);
  });
});
