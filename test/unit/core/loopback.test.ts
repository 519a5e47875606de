import * as assert from 'assert';
import { isLoopbackHost, isLoopbackUrl } from '../../../src/core/loopback';

describe('loopback (the sandbox seed gate)', () => {
  it('accepts this machine only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['10.0.0.5', 'accounts.zoho.in', '127.0.0.1.evil.example', 'localhost.example', '0.0.0.0', '']) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });

  it('reads URL templates with {dc}, and refuses what is not a URL', () => {
    assert.ok(isLoopbackUrl('http://127.0.0.1:7357/accounts/{dc}'));
    assert.ok(isLoopbackUrl('http://localhost:7357/salesiq/{dc}'));
    assert.ok(!isLoopbackUrl('https://accounts.zoho.{dc}'));
    assert.ok(!isLoopbackUrl('http://127.0.0.1@attacker.example/'));
    assert.ok(!isLoopbackUrl('not a url'));
  });
});
