/** Shared fixtures for the Zoho tests: a controllable clock, an in-memory refresh log, error capture. */
import * as assert from 'node:assert/strict';
import type { Clock, TimerHandle } from '../../../src/core/clock';
import { isDevKitError, type DevKitError } from '../../../src/core/errors/devkitError';
import type { RefreshLog } from '../../../src/core/zoho/refreshGuard';

export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

/**
 * Time moves only when told. With `auto`, a timer fires on the next turn of the event loop and moves `now`
 * to its due time, so backoff code runs at once while still seeing the time it waited for.
 */
export class FakeClock implements Clock {
  /** Every delay asked of setTimeout, in order. */
  readonly waits: number[] = [];
  private t: number;
  private timers: { due: number; fn: () => void; live: boolean }[] = [];

  constructor(
    start = T0,
    private readonly auto = false,
  ) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.waits.push(ms);
    const timer = { due: this.t + Math.max(0, ms), fn, live: true };
    if (this.auto) {
      setImmediate(() => {
        if (!timer.live) return;
        this.t = Math.max(this.t, timer.due);
        fn();
      });
    } else {
      this.timers.push(timer);
    }
    return { cancel: () => void (timer.live = false) };
  }

  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.live && x.due <= this.t);
    this.timers = this.timers.filter((x) => !due.includes(x));
    for (const x of due) x.fn();
  }
}

export class MemoryLog implements RefreshLog {
  saved: number[] = [];
  async load(): Promise<number[]> {
    return [...this.saved];
  }
  async save(timestamps: number[]): Promise<void> {
    this.saved = [...timestamps];
  }
}

/** Awaits a promise that must reject with a DevKitError and returns it. */
export async function rejection(p: Promise<unknown>): Promise<DevKitError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isDevKitError(err), `expected a DevKitError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}
