/**
 * The same work on several servers at once: one connection each (the work opens its own), at most
 * `concurrency` at a time, every server to the end whatever the others do. Nothing is rolled back: a server
 * that failed says why, the ones that succeeded hold the new state, and the result says exactly which is which.
 */
import type { Clock } from '../token/clock';
import { isDevKitError } from '../errors/devkitError';

export const DEFAULT_FLEET_CONCURRENCY = 4;

export type FleetState = 'waiting' | 'running' | 'ok' | 'failed';

export interface FleetOutcome<T> {
  name: string;
  ok: boolean;
  ms: number;
  value?: T;
  error?: unknown;
}

export interface FleetOptions {
  clock: Clock;
  concurrency?: number;
  signal?: AbortSignal;
  /** Told each change of a server's state (a progress line per server). */
  onState?: (name: string, state: FleetState, detail?: string) => void;
}

export async function runFleet<T>(names: string[], work: (name: string) => Promise<T>, opts: FleetOptions): Promise<FleetOutcome<T>[]> {
  const limit = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_FLEET_CONCURRENCY));
  const results: FleetOutcome<T>[] = new Array(names.length);
  let next = 0;
  for (const n of names) opts.onState?.(n, 'waiting');
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const name = names[i];
      const t0 = opts.clock.now();
      if (opts.signal?.aborted) {
        results[i] = { name, ok: false, ms: 0, error: opts.signal.reason ?? new Error('stopped') };
        opts.onState?.(name, 'failed', 'stopped before it started');
        continue;
      }
      opts.onState?.(name, 'running');
      try {
        const value = await work(name);
        results[i] = { name, ok: true, ms: opts.clock.now() - t0, value };
        opts.onState?.(name, 'ok');
      } catch (error) {
        results[i] = { name, ok: false, ms: opts.clock.now() - t0, error };
        opts.onState?.(name, 'failed', errorTitle(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, names.length) }, worker));
  return results;
}

export function errorTitle(e: unknown): string {
  return isDevKitError(e) ? e.finding.title : e instanceof Error ? e.message : String(e);
}

/** "2 of 3 servers hold the new token: staging, prod-1. Failed: prod-2 (The SSH connection was refused.)" */
export function fleetSummary(results: FleetOutcome<unknown>[], what = 'succeeded'): string {
  const ok = results.filter((r) => r.ok).map((r) => r.name);
  const failed = results.filter((r) => !r.ok).map((r) => `${r.name} (${errorTitle(r.error)})`);
  const head = `${ok.length} of ${results.length} servers ${what}${ok.length ? `: ${ok.join(', ')}` : ''}.`;
  return failed.length ? `${head} Failed: ${failed.join('; ')}.` : head;
}
