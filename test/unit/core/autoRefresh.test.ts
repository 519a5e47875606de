import * as assert from 'assert';
import { AutoRefreshBackoff, autoRefreshDue } from '../../../src/core/token/autoRefresh';
import type { Finding } from '../../../src/core/errors/finding';

const f = (over: Partial<Finding>): Finding => ({ source: 'network', code: 'ECONNREFUSED', httpStatus: null, category: 'network', action: 'retry', retryable: true, title: 't', explanation: 'e', ...over });

describe('auto-refresh policy', () => {
  it('is due within the margin (plus this window’s jitter), not before', () => {
    const expiresAt = 10 * 60_000;
    assert.strictEqual(autoRefreshDue({ now: 0, expiresAt, marginMs: 5 * 60_000, jitterMs: 0 }), false);
    assert.strictEqual(autoRefreshDue({ now: 5 * 60_000, expiresAt, marginMs: 5 * 60_000, jitterMs: 0 }), true);
    assert.strictEqual(autoRefreshDue({ now: 4 * 60_000, expiresAt, marginMs: 5 * 60_000, jitterMs: 60_000 }), true);
    assert.strictEqual(autoRefreshDue({ now: 0, expiresAt: undefined, marginMs: 0, jitterMs: 0 }), false);
  });

  it('backs off exponentially after retryable failures, capped at five minutes', () => {
    const b = new AutoRefreshBackoff();
    b.failed(f({}), 0);
    assert.strictEqual(b.allowed(29_999), false);
    assert.strictEqual(b.allowed(30_000), true);
    for (let i = 0; i < 10; i++) b.failed(f({}), 0);
    assert.strictEqual(b.allowed(300_000), true);
  });

  it('waits for the rate-limit window to reopen', () => {
    const b = new AutoRefreshBackoff();
    b.failed(f({ category: 'rate-limit', action: 'wait', details: { nextAllowedAt: new Date(120_000).toISOString() } }), 0);
    assert.strictEqual(b.allowed(119_999), false);
    assert.strictEqual(b.allowed(120_000), true);
  });

  it('stops after a failure that needs the user, until reset', () => {
    const b = new AutoRefreshBackoff();
    const revoked = f({ source: 'oauth', code: 'invalid_code', category: 'grant', action: 'reauthorize', retryable: false });
    b.failed(revoked, 0);
    assert.strictEqual(b.allowed(10 * 3_600_000), false);
    assert.strictEqual(b.stoppedBy, revoked);
    b.reset();
    assert.strictEqual(b.allowed(0), true);
  });
});
