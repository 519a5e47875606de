import * as assert from 'assert';
import { countdownText, freshness, isDue, nextTickMs, relativeText, remainingMs, shownDuration, tokenFromGrant, tokenKind } from '../../../src/core/token/token';

describe('token clock', () => {
  it('shows minutes above five minutes and hours past the hour', () => {
    assert.strictEqual(countdownText(42 * 60_000 + 30_000), '42m');
    assert.strictEqual(countdownText(65 * 60_000), '1h 05m');
    assert.strictEqual(countdownText(5 * 60_000), '5m');
  });

  it('shows seconds in the last five minutes, and "expired" after', () => {
    assert.strictEqual(countdownText(4 * 60_000 + 7_000), '4m 07s');
    assert.strictEqual(countdownText(59_000), '59s');
    assert.strictEqual(countdownText(0), 'expired');
    assert.strictEqual(countdownText(-1000), 'expired');
  });

  it('classifies fresh, warning and expired against the warning threshold', () => {
    const t = { expiresAt: 1_000_000 };
    assert.strictEqual(freshness(t, 1_000_000 - 10 * 60_000, 5 * 60_000), 'fresh');
    assert.strictEqual(freshness(t, 1_000_000 - 4 * 60_000, 5 * 60_000), 'warning');
    assert.strictEqual(freshness(t, 1_000_000, 5 * 60_000), 'expired');
  });

  it('is due for a refresh within the margin, and always once expired', () => {
    const t = { expiresAt: 1_000_000 };
    assert.strictEqual(remainingMs(t, 1_000_000 - 60_000), 60_000);
    assert.strictEqual(isDue(t, 1_000_000 - 5 * 60_000 - 1, 5 * 60_000), false);
    assert.strictEqual(isDue(t, 1_000_000 - 5 * 60_000, 5 * 60_000), true);
    assert.strictEqual(isDue(t, 1_000_001, 0), true);
  });

  it('wakes at the next minute boundary, then every second near the end', () => {
    assert.strictEqual(nextTickMs(42 * 60_000 + 12_345), 12_345);
    assert.strictEqual(nextTickMs(42 * 60_000), 60_000);
    assert.strictEqual(nextTickMs(4 * 60_000 + 250), 250);
    assert.ok(nextTickMs(-5) >= 1000, 'an expired token does not spin');
  });

  it('caps the lifetime at an hour and computes expiry from absolute times', () => {
    const t = tokenFromGrant('1000.a.b', 3_600_000, 1000);
    assert.strictEqual(t.expiresAt, 1000 + 3600 * 1000);
    assert.strictEqual(tokenFromGrant('x', 120, 0).expiresAt, 120_000);
  });

  it('words relative times for humans', () => {
    assert.strictEqual(relativeText(-34 * 60_000), '34 min ago');
    assert.strictEqual(relativeText(12 * 60_000), 'in 12 min');
    assert.strictEqual(relativeText(-125 * 60_000), '2 h 5 min ago');
    assert.strictEqual(relativeText(59_999), 'in less than a minute');
  });

  it('rounds every shown time the same way: whole minutes, down', () => {
    assert.deepStrictEqual(shownDuration(8 * 60_000 + 59_999), { minutes: 8, seconds: 59 });
    assert.deepStrictEqual(shownDuration(-(34 * 60_000 + 40_000)), { minutes: 34, seconds: 40 });
    // 8 min 59 s left: the countdown and the words agree on 8, just before the countdown would turn to 8.
    assert.strictEqual(countdownText(8 * 60_000 + 59_000), '8m');
    assert.strictEqual(relativeText(8 * 60_000 + 59_000), 'in 8 min');
    for (let ms = 5 * 60_000; ms < 2 * 3600_000; ms += 7_777) {
      const countdown = /^(?:(\d+)h )?(\d+)m$/.exec(countdownText(ms));
      const words = /^in (?:(\d+) h )?(\d+) min$/.exec(relativeText(ms));
      assert.ok(countdown && words, `${ms}: ${countdownText(ms)} / ${relativeText(ms)}`);
      assert.strictEqual(Number(countdown[1] ?? 0) * 60 + Number(countdown[2]), Number(words[1] ?? 0) * 60 + Number(words[2]), `${ms} ms`);
    }
  });

  it('hints user vs org tokens by prefix', () => {
    assert.strictEqual(tokenKind('1000.ab.cd'), 'user');
    assert.strictEqual(tokenKind('1005.ab.cd'), 'org');
    assert.strictEqual(tokenKind('abc'), 'unknown');
  });
});
