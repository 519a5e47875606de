import * as assert from 'assert';
import { decodeText, type DecodeContext } from '../../../src/core/errors/decode';
import type { Finding } from '../../../src/core/errors/finding';
import { assertValidFinding } from './assertFinding';
import { SAMPLES } from './samples';

const NOW = Date.parse('2026-11-25T11:11:00Z');
const MIN = 60_000;
const SCOPE_BODY = '{"error":{"code":1009,"message":"Invalid OAuthScope."}}';

function decodeOne(text: string, ctx: DecodeContext): Finding {
  const [f, ...rest] = decodeText(text, ctx);
  assert.strictEqual(rest.length, 0);
  assertValidFinding(f);
  return f;
}

describe('errors/decode: evidence from the context', () => {
  it('says when the stored token expired, in local time and UTC (1001)', () => {
    const f = decodeOne(SAMPLES.salesiqAfterStatus, { now: NOW, token: { expiresAt: NOW - 34 * MIN } });
    assert.match(f.details?.evidence ?? '', /expired 34 min ago at \d\d:\d\d local \(10:37 UTC\)/);
    assert.ok(f.explanation.includes(f.details!.evidence), 'evidence is part of the explanation');
  });

  it('says a still-valid token may have been revoked or replaced (1008)', () => {
    const f = decodeOne(SAMPLES.journal, { now: NOW, token: { expiresAt: NOW + 12 * MIN } });
    assert.match(f.details?.evidence ?? '', /still valid for 12 min/);
    assert.match(f.explanation, /revoked or replaced/);
  });

  it('names a user token on 1009, from the stored token, the hint, or the pasted Authorization header', () => {
    const stored = decodeOne(SCOPE_BODY, { token: { expiresAt: NOW, accessToken: '1000.aaaa.bbbb' } });
    assert.match(stored.details?.evidence ?? '', /`1000\.` \(a user token\); the visitor API only accepts an org token \(starts `1005\.`\)/);
    const hinted = decodeOne(SCOPE_BODY, { tokenKindHint: 'user' });
    assert.match(hinted.details?.evidence ?? '', /user token/);
    const pasted = decodeOne(`POST /api/visitor/v1/zylker/conversations\nAuthorization: Zoho-oauthtoken 1000.abcd.ef01\n\n${SCOPE_BODY}`, {});
    assert.match(pasted.details?.evidence ?? '', /user token\) and the request went to the visitor API, which only accepts an org token/);
  });

  it('says an org token has the right type on 1009, so the scope is missing', () => {
    const f = decodeOne(SCOPE_BODY, { tokenKindHint: 'org' });
    assert.match(f.details?.evidence ?? '', /org token.*scope itself is probably missing/);
  });

  it('names the data centre in use for invalid_client and suggests another', () => {
    const com = decodeOne(SAMPLES.oauthInvalidClient, { dataCenter: 'com' });
    assert.match(com.details?.evidence ?? '', /US \(zoho\.com\) data centre \(accounts\.zoho\.com\).*accounts\.zoho\.in/);
    assert.strictEqual(com.details?.dataCenter, 'com');
    const india = decodeOne(SAMPLES.oauthInvalidClient, { dataCenter: 'in' });
    assert.match(india.details?.evidence ?? '', /India \(zoho\.in\) data centre \(accounts\.zoho\.in\).*accounts\.zoho\.com/);
    const url = decodeOne(SAMPLES.oauthInvalidClient, { dataCenter: 'https://accounts.zohocloud.ca' });
    assert.match(decodeOne(SAMPLES.oauthInvalidClient, { dataCenter: 'http://127.0.0.1:9/x' }).details?.evidence ?? '', /accounts server http:\/\/127\.0\.0\.1:9\/x/);
    assert.match(url.details?.evidence ?? '', /Canada \(zohocloud\.ca\) data centre \(accounts\.zohocloud\.ca\)/);
  });

  it('adds no evidence without context, and ignores unusable context', () => {
    assert.strictEqual(decodeOne(SAMPLES.salesiqRaw, {}).details?.evidence, undefined);
    const bad = { now: Number.NaN, token: { expiresAt: Number.NaN } } as DecodeContext;
    assert.strictEqual(decodeOne(SAMPLES.salesiqRaw, bad).details?.evidence, undefined);
    assert.doesNotThrow(() => decodeText(SAMPLES.salesiqRaw, null as unknown as DecodeContext));
  });

  it('does not attach token evidence to errors it does not explain', () => {
    const f = decodeOne('{"error":{"code":1025,"message":"Invalid Department IDs"}}', { now: NOW, token: { expiresAt: NOW - MIN } });
    assert.strictEqual(f.details?.evidence, undefined);
  });
});
