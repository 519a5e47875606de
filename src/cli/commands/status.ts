import { DevKitError } from '../../core/errors/devkitError';
import { countdownText, freshness } from '../../core/token/token';
import type { Command } from '../context';
import { isoTime, printOk } from '../output';
import { noToken } from '../tokens';

/** `status`: the cached token of the profile, its expiry and remaining time. Makes no request. */
export const status: Command = {
  summary: 'the cached token of the profile: expiry and remaining time',
  flags: { values: [], switches: [] },
  async run(ctx) {
    const t = await ctx.state.tokenStore(ctx.profile.name, undefined).readToken();
    if (!t) throw new DevKitError(noToken(ctx));
    const now = ctx.clock.now();
    const left = t.expiresAt - now;
    const state = freshness(t, now, 5 * 60_000);
    return printOk(
      ctx.io,
      {
        profile: ctx.profile.name,
        expiresAt: isoTime(t.expiresAt),
        remainingSeconds: Math.max(0, Math.floor(left / 1000)),
        state,
        obtainedAt: isoTime(t.obtainedAt),
        lastRefresh: t.lastRefresh && {
          at: isoTime(t.lastRefresh.at),
          ok: t.lastRefresh.ok,
          title: t.lastRefresh.finding?.title,
        },
      },
      `profile ${ctx.profile.name}: ${left > 0 ? `expires in ${countdownText(left)}` : 'expired'} (${isoTime(t.expiresAt)})`,
    );
  },
};
