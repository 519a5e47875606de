import * as assert from 'node:assert/strict';
import { createHttpClient } from '../../../src/core/net/http';
import { requestRefresh } from '../../../src/core/zoho/oauth';
import { RefreshGuard } from '../../../src/core/zoho/refreshGuard';
import { ZohoSandbox } from '../../sandbox/zohoSandbox';
import { FakeClock, T0 } from '../../support/fakeClock';
import { rejection } from '../../support/findings';
import { MemoryLog, USER_CREDENTIALS } from './helpers';

const user = USER_CREDENTIALS;

describe('zoho/refreshGuard', () => {
  let clock: FakeClock;
  let sandbox: ZohoSandbox;
  let log: MemoryLog;
  let guard: RefreshGuard;
  const http = createHttpClient();
  const refresh = () => requestRefresh(http, sandbox.accountsUrl('in'), user);

  beforeEach(async () => {
    clock = new FakeClock();
    sandbox = new ZohoSandbox({ clock });
    await sandbox.start();
    log = new MemoryLog();
    guard = new RefreshGuard(log, clock);
  });
  afterEach(() => sandbox.stop());

  it('makes one request for five concurrent refreshes and gives all of them its token', async () => {
    const grants = await Promise.all([1, 2, 3, 4, 5].map(() => guard.run(refresh)));
    assert.equal(new Set(grants.map((g) => g.accessToken)).size, 1);
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], 1);
    assert.equal(log.saved.length, 1);
  });

  it('refuses the 11th request in ten minutes before Zoho sees it, and says when the next is allowed', async () => {
    for (let i = 0; i < 10; i++) {
      await guard.run(refresh);
      await clock.advance(1000);
    }
    assert.equal(await guard.nextAllowedAt(), T0 + 600_000);
    const err = await rejection(guard.run(refresh));
    assert.equal(err.finding.code, 'rate-limit-local');
    assert.equal(err.finding.category, 'rate-limit');
    assert.equal(err.finding.details?.nextAllowedAt, new Date(T0 + 600_000).toISOString());
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], 10);

    await clock.advance(T0 + 600_000 - clock.now());
    assert.equal(await guard.nextAllowedAt(), null);
    await guard.run(refresh);
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], 11);
  });

  it('records the attempt before sending, so a failed request still counts', async () => {
    let loggedBeforeSend = 0;
    sandbox.revoke(user.refreshToken);
    await rejection(
      guard.run(async () => {
        loggedBeforeSend = (await log.load()).length;
        return refresh();
      }),
    );
    assert.equal(loggedBeforeSend, 1);
    assert.deepEqual(log.saved, [T0]);
  });

  it('keeps the last request of the window for a human: automatic refreshes stop at nine', async () => {
    for (let i = 0; i < 9; i++) await guard.run(refresh, { automatic: true });
    assert.notEqual(await guard.nextAllowedAt({ automatic: true }), null);
    assert.equal((await rejection(guard.run(refresh, { automatic: true }))).finding.code, 'rate-limit-local');
    assert.equal(await guard.nextAllowedAt(), null);
    await guard.run(refresh);
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], 10);
  });

  it('after a Zoho throttle, holds every refresh back for ten minutes from then', async () => {
    await clock.advance(42_000);
    sandbox.failNext('throttle');
    assert.equal((await rejection(guard.run(refresh))).finding.code, 'Access Denied');
    const until = clock.now() + 600_000;
    assert.equal(await guard.nextAllowedAt(), until);
    assert.equal((await rejection(guard.run(refresh))).finding.code, 'rate-limit-local');
    await clock.advance(600_000);
    assert.equal(await guard.nextAllowedAt(), null);
  });

  it('shares the log: a second guard (another window) sees the first one\'s requests', async () => {
    for (let i = 0; i < 10; i++) await guard.run(refresh);
    const other = new RefreshGuard(log, clock);
    assert.equal((await rejection(other.run(refresh))).finding.code, 'rate-limit-local');
  });
});
