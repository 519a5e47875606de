import { DevKitError } from '../../core/errors/devkitError';
import { countdownText } from '../../core/token/token';
import { UsageError } from '../args';
import { missingCredentials } from '../config';
import type { Command } from '../context';
import { printOk } from '../output';

const DEFAULT_MARGIN_MIN = 5;

/**
 * `refresh [--print-token]`: one refresh-token grant through the shared guard; caches the token 0600. With a team
 * hub it adopts the team's token when that is valid for more than --margin-minutes (default 5), else mints.
 */
export const refresh: Command = {
  summary: 'refreshes the access token (or adopts the team hub\'s), caches it, prints expiry',
  flags: { values: ['--margin-minutes'], switches: ['--print-token'] },
  async run(ctx) {
    const marginMs = margin(ctx.parsed.values['--margin-minutes']);
    if (!ctx.profile.credentials) throw new DevKitError(missingCredentials(ctx.profile));
    const t = await ctx.tokenManager().refresh({ automatic: false, marginMs, signal: ctx.signal });
    const print = ctx.parsed.switches.has('--print-token');
    const left = t.expiresAt - ctx.clock.now();
    if (print && !ctx.io.json) {
      ctx.io.stdout(t.accessToken);
      return 0;
    }
    const source = t.origin?.source ?? 'minted';
    const from = source === 'adopted' ? `adopted from ${t.origin?.via === 'hub' ? `the team hub (minted by ${t.origin.mintedBy ?? 'another instance'})` : 'another process on this machine'}` : 'new token';
    return printOk(
      ctx.io,
      {
        profile: ctx.profile.name,
        expiresAt: new Date(t.expiresAt).toISOString(),
        remainingSeconds: Math.floor(left / 1000),
        obtainedAt: new Date(t.obtainedAt).toISOString(),
        dataCenter: ctx.profile.dataCenter,
        source,
        ...(print ? { accessToken: t.accessToken } : {}),
      },
      `profile ${ctx.profile.name}: ${from}, expires in ${countdownText(left)} (${new Date(t.expiresAt).toISOString()})`,
    );
  },
};

function margin(given: string | undefined): number {
  if (given === undefined) return DEFAULT_MARGIN_MIN * 60_000;
  const m = Number(given);
  if (!Number.isFinite(m) || m < 0 || m >= 60) throw new UsageError(`--margin-minutes must be a number from 0 to below 60 (got "${given}")`);
  return Math.round(m * 60_000);
}
