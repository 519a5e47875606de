import * as assert from 'node:assert/strict';
import { isDevKitError, type DevKitError } from '../../src/core/errors/devkitError';

/** Awaits a promise that must reject with a DevKitError (a decoded failure) and returns it for its finding. */
export async function rejection(p: Promise<unknown>): Promise<DevKitError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isDevKitError(err), `expected a DevKitError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}
