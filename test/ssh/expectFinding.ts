import * as assert from 'node:assert/strict';
import { isDevKitError } from '../../src/core/errors/devkitError';
import type { Finding } from '../../src/core/errors/finding';

/** Awaits work that must fail with a DevKitError and returns its Finding for the test to inspect. */
export async function findingOf(work: Promise<unknown> | (() => Promise<unknown>)): Promise<Finding> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e) {
    assert.ok(isDevKitError(e), `expected a DevKitError, got ${String(e)}`);
    return e.finding;
  }
  assert.fail('expected a failure');
}
