import * as assert from 'assert';
import type { Team, TeamPlan } from '../../src/core/hub/team';
import { type StoredToken, TokenManager } from '../../src/core/token/tokenManager';
import { FakeClock } from '../support/fakeClock';

const CREDS = { clientId: '1000.CLIENT', clientSecret: 'secret', refreshToken: '1000.rt.rt' };

/** The token manager's side of the hub, with a scripted team: what it adopts, when it mints, what it publishes. */
describe('token manager with a team hub', () => {
  let clock: FakeClock;
  let stored: StoredToken | undefined;
  let mints: number;
  let published: StoredToken[];
  let released: number;
  let asked: number;

  const manager = (plan: (clockNow: number) => TeamPlan) => {
    const team: Team = {
      beforeMint: async () => {
        asked++;
        return plan(clock.now());
      },
    };
    return new TokenManager({
      clock,
      team,
      store: { readToken: async () => stored, writeToken: async (t) => void (stored = t), readCredentials: async () => CREDS },
      refresher: async () => {
        mints++;
        return { accessToken: `1000.minted${mints}`, lifetimeSec: 3600 };
      },
    });
  };
  const ticket = (): TeamPlan => ({ ticket: { publish: async (t) => void published.push(t), release: async () => void released++ } });

  beforeEach(() => {
    clock = new FakeClock();
    stored = undefined;
    mints = 0;
    published = [];
    released = 0;
    asked = 0;
  });

  it('adopts the team token instead of minting, stores it and says where it came from', async () => {
    const teamToken: StoredToken = { accessToken: '1000.team', obtainedAt: 0, expiresAt: 0, origin: { source: 'adopted', via: 'hub', mintedBy: 'host-b' } };
    const m = manager((now) => ({ adopt: { ...teamToken, obtainedAt: now - 600_000, expiresAt: now + 3_000_000 } }));
    const t = await m.refresh({ automatic: false, marginMs: 300_000 });
    assert.deepStrictEqual([t.accessToken, t.origin?.source, t.origin?.mintedBy, mints], ['1000.team', 'adopted', 'host-b', 0]);
    assert.strictEqual(stored?.accessToken, '1000.team');
  });

  it('mints under the ticket, publishes exactly what it minted, and releases the lease even when minting fails', async () => {
    const m = manager(ticket);
    const t = await m.refresh({ automatic: false });
    assert.deepStrictEqual([mints, published.map((p) => p.accessToken), released, t.origin?.source], [1, ['1000.minted1'], 1, 'minted']);

    const failing = new TokenManager({
      clock,
      team: { beforeMint: async () => ticket() },
      store: { readToken: async () => stored, writeToken: async (x) => void (stored = x), readCredentials: async () => CREDS },
      refresher: async () => {
        throw new Error('Zoho is down');
      },
    });
    await assert.rejects(failing.refresh({ automatic: false }), /Zoho is down/);
    assert.deepStrictEqual([published.length, released], [1, 2], 'nothing published, lease released');
  });

  it('an automatic refresh of a token that is not due asks neither the hub nor Zoho', async () => {
    stored = { accessToken: '1000.local', obtainedAt: clock.now(), expiresAt: clock.now() + 3_600_000 };
    const m = manager(ticket);
    const t = await m.refresh({ automatic: true, marginMs: 300_000 });
    assert.deepStrictEqual([t.accessToken, asked, mints], ['1000.local', 0, 0]);
  });
});
