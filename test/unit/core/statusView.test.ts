import * as assert from 'assert';
import { statusView, StatusInput } from '../../../src/core/token/statusView';

const NOW = Date.UTC(2026, 10, 25, 11, 0, 0);
const base: StatusInput = {
  now: NOW,
  profile: 'default',
  dataCenter: 'in',
  accountsHost: 'accounts.zoho.in',
  hasCredentials: true,
  refreshing: false,
  autoRefresh: true,
  autoRefreshMarginMin: 5,
  warnMs: 5 * 60_000,
};
const token = (minutesLeft: number) => ({ accessToken: '1000.aaaa.bbbb', obtainedAt: NOW - 10 * 60_000, expiresAt: NOW + minutesLeft * 60_000 });

describe('status bar view', () => {
  it('fresh: countdown in minutes, no background', () => {
    const v = statusView({ ...base, token: token(42) });
    assert.strictEqual(v.text, '$(key) SalesIQ 42m');
    assert.strictEqual(v.background, undefined);
    assert.strictEqual(v.state, 'fresh');
  });

  it('the text, its accessible label and the tooltip say the same minutes (8 min 59 s left reads 8 everywhere)', () => {
    const v = statusView({ ...base, token: token(8 + 59 / 60) });
    assert.strictEqual(v.text, '$(key) SalesIQ 8m');
    assert.match(v.accessibilityLabel, /expires in 8 min\b/);
    assert.match(v.tooltip, /\(in 8 min\)/);
  });

  it('warning: seconds and the warning background below the threshold', () => {
    const v = statusView({ ...base, token: token(3.5) });
    assert.strictEqual(v.text, '$(key) SalesIQ 3m 30s');
    assert.strictEqual(v.background, 'warning');
  });

  it('expired: error background', () => {
    const v = statusView({ ...base, token: token(-2) });
    assert.strictEqual(v.text, '$(error) SalesIQ expired');
    assert.strictEqual(v.background, 'error');
  });

  it('last refresh failed: error background even with time left, reason in the tooltip', () => {
    const t = { ...token(30), lastRefresh: { at: NOW - 60_000, ok: false, automatic: true, finding: { source: 'oauth', code: 'invalid_code', httpStatus: 200, category: 'grant', action: 'reauthorize', retryable: false, title: 'The refresh token was rejected.', explanation: '' } as const } };
    const v = statusView({ ...base, token: t });
    assert.strictEqual(v.state, 'failed');
    assert.strictEqual(v.background, 'error');
    assert.ok(v.tooltip.includes('The refresh token was rejected.'));
  });

  it('names the profile when it is not the default one, and shows a spinner while refreshing', () => {
    assert.strictEqual(statusView({ ...base, profile: 'org', token: token(42) }).text, '$(key) SalesIQ org 42m');
    assert.strictEqual(statusView({ ...base, token: token(42), refreshing: true }).text, '$(sync~spin) SalesIQ refreshing…');
  });

  it('asks to set up when nothing is stored', () => {
    const v = statusView({ ...base, hasCredentials: false });
    assert.strictEqual(v.state, 'setup');
    assert.ok(v.tooltip.includes('command:salesiq.setupCredentials'));
  });

  it('tooltip: profile, data centre, expiry in local and UTC, auto-refresh state, command links, never the token', () => {
    const v = statusView({ ...base, token: token(42) });
    assert.ok(v.tooltip.includes('`default`') && v.tooltip.includes('IN (accounts.zoho.in)'));
    assert.ok(v.tooltip.includes('11:42 UTC'), v.tooltip);
    assert.ok(v.tooltip.includes('on, 5 min before expiry'));
    assert.ok(v.tooltip.includes('command:salesiq.refreshToken'));
    assert.ok(!v.tooltip.includes('1000.aaaa.bbbb'));
    assert.strictEqual(statusView({ ...base, token: token(42), autoRefresh: false }).tooltip.includes('| Auto-refresh | off |'), true);
  });
});
