import { DevKitError } from '../../core/errors/devkitError';
import { countdownText } from '../../core/token';
import { missingCredentials } from '../config';
import type { Command } from '../context';
import { printOk } from '../output';

/** `refresh [--print-token]`: one refresh-token grant through the shared guard; caches the token 0600. */
export const refresh: Command = {
  summary: 'refreshes the access token, caches it, prints expiry',
  flags: { values: [], switches: ['--print-token'] },
  async run(ctx) {
    if (!ctx.profile.credentials) throw new DevKitError(missingCredentials(ctx.profile));
    const t = await ctx.tokenManager().refresh({ automatic: false, signal: ctx.signal });
    const print = ctx.parsed.switches.has('--print-token');
    const left = t.expiresAt - ctx.clock.now();
    if (print && !ctx.io.json) {
      ctx.io.stdout(t.accessToken);
      return 0;
    }
    return printOk(
      ctx.io,
      {
        profile: ctx.profile.name,
        expiresAt: new Date(t.expiresAt).toISOString(),
        remainingSeconds: Math.floor(left / 1000),
        obtainedAt: new Date(t.obtainedAt).toISOString(),
        dataCenter: ctx.profile.dataCenter,
        ...(print ? { accessToken: t.accessToken } : {}),
      },
      `profile ${ctx.profile.name}: new token, expires in ${countdownText(left)} (${new Date(t.expiresAt).toISOString()})`,
    );
  },
};
