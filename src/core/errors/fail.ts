/** One place where SSH/sudo/systemd failures become DevKitErrors, so details are always clean strings. */
import { DevKitError } from './devkitError';
import { findingFor } from './catalogue';
import type { Source } from './finding';
import { redact } from '../redact';

export type Details = Record<string, string | number | boolean | undefined>;

export function fail(source: Source, code: string | null, details: Details = {}, cause?: unknown, secrets: string[] = []): DevKitError {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) if (v !== undefined) clean[k] = redact(String(v), secrets);
  return new DevKitError(findingFor(source, code, { details: clean }), cause === undefined ? undefined : { cause });
}
