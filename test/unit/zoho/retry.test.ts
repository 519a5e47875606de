import * as assert from 'node:assert/strict';
import { createHttpClient } from '../../../src/core/net/http';
import type { Finding } from '../../../src/core/errors/finding';
import { refreshWithRetry } from '../../../src/core/zoho/oauth';
import { RefreshGuard } from '../../../src/core/zoho/refreshGuard';
import { ZohoSandbox } from '../../sandbox/zohoSandbox';
import { FakeClock } from '../../support/fakeClock';
import { rejection } from '../../support/findings';
import { MemoryLog, USER_CREDENTIALS } from './helpers';

const user = USER_CREDENTIALS;

describe('zoho/oauth refreshWithRetry', () => {
  let clock: FakeClock;
  let sandbox: ZohoSandbox;
  let url: string;
  const http = createHttpClient();

  beforeEach(async () => {
    clock = new FakeClock(undefined, true);
    sandbox = new ZohoSandbox({ clock });
    await sandbox.start();
    url = sandbox.accountsUrl('in');
  });
  afterEach(() => sandbox.stop());

  it('rides out an HTML 503 and a cut-off body, backing off 2 s then 4 s', async () => {
    sandbox.failNext('html503');
    sandbox.failNext('garbage');
    const retries: [number, number, Finding][] = [];
    const grant = await refreshWithRetry(http, clock, url, user, { onRetry: (a, d, f) => retries.push([a, d, f]) });
    assert.match(grant.accessToken, /^1000\./);
    assert.deepEqual(retries.map(([a, d, f]) => [a, d, f.code]), [[1, 2000, 'html'], [2, 4000, 'bad_json']]);
    assert.deepEqual(clock.waits, [2000, 4000]);
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], 1);
  });

  it('retries a reset connection', async () => {
    sandbox.failNext('reset');
    const retries: Finding[] = [];
    const grant = await refreshWithRetry(http, clock, url, user, { onRetry: (_a, _d, f) => retries.push(f) });
    assert.match(grant.accessToken, /^1000\./);
    assert.deepEqual(retries.map((f) => [f.source, f.code]), [['network', 'ECONNRESET']]);
  });

  it('gives up after the allowed number of attempts', async () => {
    sandbox.failNext('html503', 5);
    const err = await rejection(refreshWithRetry(http, clock, url, user, { attempts: 3 }));
    assert.equal(err.finding.code, 'html');
    assert.equal(sandbox.stats.faultsServed, 3);
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], undefined);
  });

  it('never retries invalid_code', async () => {
    sandbox.revoke(user.refreshToken);
    let retried = false;
    const err = await rejection(refreshWithRetry(http, clock, url, user, { onRetry: () => (retried = true) }));
    assert.equal(err.finding.code, 'invalid_code');
    assert.equal(retried, false);
    assert.equal(sandbox.stats.tokenRequests[user.refreshToken], 1);
  });

  it('never retries a throttle, and says when to try again (10 minutes on)', async () => {
    sandbox.failNext('throttle', 3);
    const err = await rejection(refreshWithRetry(http, clock, url, user));
    assert.equal(err.finding.code, 'Access Denied');
    assert.equal(err.finding.category, 'rate-limit');
    assert.equal(err.finding.details?.nextAllowedAt, new Date(clock.now() + 600_000).toISOString());
    assert.equal(sandbox.stats.faultsServed, 1);
  });

  it('counts every retried request in the guard through beforeRetry', async () => {
    const log = new MemoryLog();
    const guard = new RefreshGuard(log, clock);
    sandbox.failNext('html503', 2);
    await guard.run(() => refreshWithRetry(http, clock, url, user, { beforeRetry: () => guard.admit() }));
    assert.equal(log.saved.length, 3);
  });
});
