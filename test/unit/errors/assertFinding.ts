import * as assert from 'assert';
import type { Finding } from '../../../src/core/errors/finding';

/** The words of the public CLI contract (docs/cli-contract.md), spelled out independently of the types. */
export const SOURCES = ['salesiq', 'oauth', 'http', 'network', 'ssh', 'sudo', 'systemd', 'unknown'];
export const CATEGORIES = [
  'auth', 'grant', 'scope', 'config', 'rate-limit', 'request', 'permission', 'plan', 'server', 'network', 'host-key', 'unknown',
];
export const ACTIONS = [
  'refresh', 'reauthorize', 'fix-config', 'wait', 'fix-request', 'retry', 'trust-host', 'fix-server', 'upgrade-plan',
  'contact-support', 'none',
];

/** Asserts that `f` is a complete Finding using only contract words. */
export function assertValidFinding(f: Finding, where = ''): void {
  const at = `${where} ${JSON.stringify(f)}`;
  assert.ok(f && typeof f === 'object', `not an object: ${at}`);
  assert.ok(SOURCES.includes(f.source), `source: ${at}`);
  assert.ok(CATEGORIES.includes(f.category), `category: ${at}`);
  assert.ok(ACTIONS.includes(f.action), `action: ${at}`);
  assert.strictEqual(typeof f.retryable, 'boolean', `retryable: ${at}`);
  assert.ok(f.code === null || typeof f.code === 'string' || (typeof f.code === 'number' && Number.isFinite(f.code)), `code: ${at}`);
  assert.ok(f.httpStatus === null || (Number.isInteger(f.httpStatus) && f.httpStatus >= 100 && f.httpStatus <= 599), `httpStatus: ${at}`);
  assert.ok(typeof f.title === 'string' && f.title.trim().length > 5 && !f.title.includes('\n'), `title: ${at}`);
  assert.ok(typeof f.explanation === 'string' && f.explanation.trim().length > 20, `explanation: ${at}`);
  assert.ok(!/\{\{|undefined|\[object Object\]/.test(f.title + f.explanation), `unfilled text: ${at}`);
  if (f.details !== undefined) {
    for (const [k, v] of Object.entries(f.details)) assert.strictEqual(typeof v, 'string', `details.${k}: ${at}`);
  }
  assert.doesNotThrow(() => JSON.stringify(f));
}
