import type { Clock, TimerHandle } from '../../src/core/token/clock';

/** The moment every fake clock starts at unless told otherwise. */
export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);

/**
 * The one clock unit tests move by hand: timers fire in order as time advances, never by real waiting.
 * With `auto`, a timer fires on the next turn of the event loop and moves `now` to its due time, so backoff
 * code runs at once while still seeing the time it waited for.
 */
export class FakeClock implements Clock {
  /** Every delay asked of setTimeout, in order. */
  readonly waits: number[] = [];
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;

  constructor(
    private t = T0,
    private readonly auto = false,
  ) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.waits.push(ms);
    const id = ++this.seq;
    const at = this.t + Math.max(0, ms);
    if (this.auto) {
      let live = true;
      setImmediate(() => {
        if (!live) return;
        this.t = Math.max(this.t, at);
        fn();
      });
      return { cancel: () => void (live = false) };
    }
    this.timers.push({ at, fn, id });
    return { cancel: () => (this.timers = this.timers.filter((x) => x.id !== id)) };
  }

  /** Advances time, firing due timers (and letting their promise continuations run) on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
