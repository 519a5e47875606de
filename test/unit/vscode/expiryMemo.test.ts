/**
 * The countdown memo (src/vscode/expiryMemo.ts): what the bootstrap draws at `*` before any secret is read. It must
 * draw what the token itself would, carry nothing secret, and treat every stored value as possibly garbled: an
 * entry that cannot be a real token's is ignored (the item then waits for the secret read, as without a memo).
 */
import * as assert from 'assert';
import type * as vscode from 'vscode';
import { statusView, StatusInput, ShownToken } from '../../../src/core/token/statusView';
import type { StoredToken } from '../../../src/core/token/tokenManager';
import { memoKey, memoOf, readMemo, rememberToken, shownFromMemo } from '../../../src/vscode/expiryMemo';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const MIN = 60_000;
const ACCESS = '1000.11112222333344445555666677778888.99990000aaaabbbbccccddddeeeeffff';

const token = (over: Partial<StoredToken> = {}): StoredToken => ({
  accessToken: ACCESS,
  obtainedAt: NOW - 10 * MIN,
  expiresAt: NOW + 50 * MIN,
  lastRefresh: { at: NOW - 10 * MIN, ok: true, automatic: false },
  origin: { source: 'minted' },
  ...over,
});

const input = (t: ShownToken | undefined): StatusInput => ({
  now: NOW,
  profile: 'user',
  dataCenter: 'in',
  accountsHost: 'accounts.zoho.in',
  hasCredentials: true,
  token: t,
  refreshing: false,
  autoRefresh: true,
  autoRefreshMarginMin: 5,
  warnMs: 5 * MIN,
});

/** A Memento as VS Code keeps it: values stored as JSON, reads synchronous. */
class FakeMemento {
  readonly map = new Map<string, unknown>();
  updates = 0;
  get(key: string): unknown {
    return this.map.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.updates++;
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
  keys(): readonly string[] {
    return [...this.map.keys()];
  }
  get memento(): vscode.Memento {
    return this as unknown as vscode.Memento;
  }
}

const stored = (t: StoredToken) => JSON.parse(JSON.stringify(memoOf(t))) as unknown;

describe('countdown memo', () => {
  it('keeps the times and the last refresh outcome, and nothing of the token, its origin or a failure text', () => {
    const failed = token({
      lastRefresh: { at: NOW - MIN, ok: false, automatic: true, finding: { source: 'oauth', code: 'invalid_code', httpStatus: 400, category: 'auth', action: 'reauthorize', retryable: false, title: 'T', explanation: `saw ${ACCESS}` } },
      origin: { source: 'adopted', mintedBy: 'build-box', via: 'hub' },
    });
    const text = JSON.stringify(memoOf(failed));
    for (const part of [ACCESS, ACCESS.slice(5, 21), ACCESS.slice(-16), 'build-box', 'explanation', 'finding']) assert.ok(!text.includes(part), `${part} in ${text}`);
    const lastRefresh = { at: NOW - MIN, ok: false, automatic: true };
    assert.deepStrictEqual(JSON.parse(text), { v: 1, obtainedAt: failed.obtainedAt, expiresAt: failed.expiresAt, lastRefresh });
  });

  it('draws the same text, colour and spoken label as the token itself', () => {
    const cases = [
      token(),
      token({ expiresAt: NOW + 3 * MIN + 7000 }),
      token({ expiresAt: NOW - 2 * MIN }),
      token({ lastRefresh: { at: NOW - MIN, ok: false, automatic: true } }),
      token({ lastRefresh: undefined }),
      token({ obtainedAt: NOW, expiresAt: NOW + 60 * MIN }),
    ];
    for (const t of cases) {
      const fromSecret = statusView(input(t));
      const fromMemo = statusView(input(shownFromMemo(stored(t), NOW)));
      assert.deepStrictEqual(
        { text: fromMemo.text, state: fromMemo.state, background: fromMemo.background, label: fromMemo.accessibilityLabel },
        { text: fromSecret.text, state: fromSecret.state, background: fromSecret.background, label: fromSecret.accessibilityLabel },
      );
    }
    assert.strictEqual(statusView(input(shownFromMemo(stored(token()), NOW))).text, '$(key) SalesIQ user 50m');
  });

  it('ignores every value that cannot be a real token entry', () => {
    const good = stored(token()) as Record<string, unknown>;
    const hostile: unknown[] = [
      undefined,
      null,
      'a string',
      42,
      [good],
      {},
      { ...good, v: 2 },
      { ...good, v: '1' },
      { ...good, expiresAt: String(NOW + 50 * MIN) },
      { ...good, expiresAt: NaN },
      { ...good, expiresAt: Infinity },
      { ...good, obtainedAt: -1 },
      { ...good, obtainedAt: 0, expiresAt: 3_600_000 },
      { ...good, obtainedAt: null },
      { ...good, expiresAt: NOW - 20 * MIN },
      { ...good, obtainedAt: NOW + 60 * MIN, expiresAt: NOW + 61 * MIN },
      { ...good, expiresAt: NOW + 2 * 60 * MIN },
      { ...good, expiresAt: NOW + 365 * 24 * 60 * MIN },
      { ...good, expiresAt: Number.MAX_VALUE },
      { ...good, lastRefresh: 'ok' },
      { ...good, lastRefresh: null },
      { ...good, lastRefresh: { at: NOW, ok: 'yes', automatic: false } },
      { ...good, lastRefresh: { at: NaN, ok: true, automatic: false } },
      { ...good, lastRefresh: { at: NOW, ok: true } },
      { ...good, lastRefresh: { at: NOW + 24 * 60 * MIN, ok: true, automatic: false } },
    ];
    for (const raw of hostile) assert.strictEqual(shownFromMemo(raw, NOW), undefined, JSON.stringify(raw) ?? String(raw));
  });

  it('accepts a token minted a moment ago by a window whose clock runs a little ahead, and an expired one', () => {
    assert.ok(shownFromMemo(stored(token({ obtainedAt: NOW + 2 * MIN, expiresAt: NOW + 62 * MIN })), NOW));
    assert.strictEqual(statusView(input(shownFromMemo(stored(token({ expiresAt: NOW - 5 * MIN })), NOW))).state, 'expired');
  });

  it('carries nothing but the known fields out of a stored entry', () => {
    const lastRefresh = { at: NOW, ok: true, automatic: false, finding: { title: ACCESS } };
    const raw = { ...(stored(token()) as object), accessToken: ACCESS, lastRefresh };
    const shown = shownFromMemo(raw, NOW);
    const kept = { at: NOW, ok: true, automatic: false };
    assert.deepStrictEqual(shown, { obtainedAt: NOW - 10 * MIN, expiresAt: NOW + 50 * MIN, lastRefresh: kept });
  });

  it('follows the stored token: written when it changes, left alone when equal, removed with the token', async () => {
    const m = new FakeMemento();
    await rememberToken(m.memento, 'user', token());
    assert.deepStrictEqual(readMemo(m.memento, 'user', NOW), { obtainedAt: NOW - 10 * MIN, expiresAt: NOW + 50 * MIN, lastRefresh: { at: NOW - 10 * MIN, ok: true, automatic: false } });
    assert.strictEqual(rememberToken(m.memento, 'user', token()), undefined, 'an equal entry is not written again');
    await rememberToken(m.memento, 'user', token({ expiresAt: NOW + 55 * MIN }));
    assert.strictEqual(readMemo(m.memento, 'user', NOW)?.expiresAt, NOW + 55 * MIN);
    assert.strictEqual(readMemo(m.memento, 'org', NOW), undefined, 'per profile');
    assert.ok(!JSON.stringify([...m.map]).includes(ACCESS.slice(5, 21)), 'no part of the token in the memento');
    await rememberToken(m.memento, 'user', undefined);
    assert.deepStrictEqual(m.keys(), []);
    const before = m.updates;
    assert.strictEqual(rememberToken(m.memento, 'user', undefined), undefined, 'nothing to remove');
    assert.strictEqual(m.updates, before);
  });

  it('replaces a garbled entry with the token', async () => {
    const m = new FakeMemento();
    m.map.set(memoKey('user'), { v: 1, obtainedAt: 'x', expiresAt: NaN });
    assert.strictEqual(readMemo(m.memento, 'user', NOW), undefined);
    await rememberToken(m.memento, 'user', token());
    assert.strictEqual(readMemo(m.memento, 'user', NOW)?.expiresAt, NOW + 50 * MIN);
  });
});
