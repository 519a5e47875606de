/**
 * `--hub URL` / config `hub.url` with SALESIQ_HUB_PASSWORD: the team hub for refresh, keep-fresh and fix.
 * The URL is checked before anything connects (a password in it is a usage error); the Redis client loads
 * from dist/hub.js on first use, never at CLI start. Hub trouble is one stderr line, and the command goes on alone.
 */
import * as os from 'os';
import type { HubState } from '../core/hub/connection';
import type * as HubChunk from '../core/hub/chunk';
import { type LazyHub, lazyHub } from '../core/hub/lazyHub';
import { HubUrlError, parseHubUrl, type HubAddress } from '../core/hub/url';
import { redact } from '../core/redact';
import { UsageError } from './args';
import type { CliContext } from './context';

export function hubAddress(ctx: CliContext): HubAddress | undefined {
  const raw = ctx.parsed.values['--hub'] ?? ctx.config.hub?.url;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new UsageError('hub.url in the config file must be a string');
  try {
    return parseHubUrl(raw);
  } catch (e) {
    if (e instanceof HubUrlError) throw new UsageError(`${ctx.parsed.values['--hub'] !== undefined ? '--hub' : 'hub.url'}: ${e.message}`);
    throw e;
  }
}

export function openHub(
  ctx: CliContext,
  address: HubAddress,
  timing: { rate?: { limit: number; windowMs: number; reserve: number }; leaseTtlMs?: number } = {},
): LazyHub {
  const password = ctx.env.SALESIQ_HUB_PASSWORD || undefined;
  if (password) ctx.io.secrets.add(password);
  let wasDown = false;
  const say = (line: string) => ctx.io.stderr(redact(line, ctx.io.secrets));
  return lazyHub(loadHubChunk, {
    address,
    password,
    hostName: os.hostname(),
    clock: ctx.clock,
    ...timing,
    onState: (s: HubState) => {
      if (s.kind === 'down') {
        wasDown = true;
        say(`team hub: ${s.reason}; working alone (fix: ${s.fix})`);
      } else if (s.kind === 'connected' && wasDown) {
        wasDown = false;
        say(`team hub: connected to ${s.display} again`);
      }
    },
    onNote: say,
  });
}

function loadHubChunk(): typeof HubChunk {
  // dist/hub.js, beside dist/cli.js (esbuild.js leaves this require in place).
  return require('./hub.js') as typeof HubChunk;
}
