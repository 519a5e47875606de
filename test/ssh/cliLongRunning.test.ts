/** The CLI commands that run until stopped: `keep-fresh` and `logs --follow`, ended by SIGTERM. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateStore } from '../../src/core/token/stateFiles';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { tokenHashPrefix } from '../../src/core/flows/push';
import { RunningCli as Running } from '../support/runningCli';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { fixtureFlags, sandboxFlags, useCliWorkspace } from './cliWorkspace';
import { fixture } from './hooks';

const { org: ORG } = SANDBOX_DEFAULTS;
const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('salesiq-devkit keep-fresh and logs --follow (until SIGTERM)', function () {
  this.timeout(90_000);
  let dir: string;
  let stateDir: string;
  let sandbox: ZohoSandbox;

  useCliWorkspace('clilong', { sandbox: true }, (w) => ({ dir, stateDir, sandbox } = w));
  const sshFlags = () => fixtureFlags();
  const zohoFlags = () => sandboxFlags({ dir, stateDir, sandbox });
  const env = () => ({
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    SALESIQ_CLIENT_ID: ORG.clientId,
    SALESIQ_CLIENT_SECRET: ORG.clientSecret,
    SALESIQ_REFRESH_TOKEN: ORG.refreshTokens[0],
  });

  it('keep-fresh with 12 s tokens refreshes and pushes again and again; SIGTERM ends it with exit 0', async () => {
    const fx = fixture();
    sandbox.tokenLifetimeSec = 12;
    // Margin 6 s: a new token every ~6 s, each one pushed and restarted on.
    const kf = new Running(['keep-fresh', '--json', '--margin-minutes', '0.1', ...sshFlags(), ...zohoFlags()], env());
    const pushed = () => kf.json().filter((e) => e.event === 'pushed');
    await kf.waitFor('three pushes', () => pushed().length >= 3, 60_000);
    const end = await kf.stop();
    assert.deepEqual([end.code, end.signal], [0, null], kf.stderr);

    const events = kf.json();
    assert.equal(events[0].event, 'start');
    assert.deepEqual([events.at(-1)!.event, events.at(-1)!.reason], ['stopped', 'signal']);
    const refreshed = events.filter((e) => e.event === 'refreshed');
    assert.ok(refreshed.length >= 3, `refreshed ${refreshed.length} times`);
    assert.equal(new Set(refreshed.map((e) => e.expiresAt)).size, refreshed.length, 'a new token each time');
    assert.equal(sandbox.stats.tokenRequests[ORG.refreshTokens[0]], refreshed.length, 'one Zoho request per refresh');
    for (const e of events) assert.equal(typeof e.at, 'string');

    // The last token pushed is the one on the server, and the service loaded it.
    const cached = (await new StateStore(stateDir).tokenStore('default', undefined).readToken())!.accessToken;
    const lastPush = pushed().at(-1)!;
    assert.equal(lastPush.expiresAt, refreshed.at(-1)!.expiresAt);
    assert.equal(readEnvKey(fx.readEnv(), KEY), cached);
    assert.ok(fx.journalLog().includes(`sha256:${tokenHashPrefix(cached)}`));
    assert.ok(!kf.lines.join('\n').includes(cached) && !kf.stderr.includes(cached), 'no token in the log lines');
  });

  it('keep-fresh without a server keeps the cache fresh only (human lines, one per action)', async () => {
    sandbox.tokenLifetimeSec = 4;
    const kf = new Running(['keep-fresh', '--margin-minutes', '0.05', ...zohoFlags()], env());
    await kf.waitFor('two refreshes', () => kf.lines.filter((l) => / refreshed: /.test(l)).length >= 2, 30_000);
    const end = await kf.stop();
    assert.equal(end.code, 0, kf.stderr);
    assert.match(kf.lines[0], /keep-fresh started: no cached token yet; no server configured/);
    assert.ok(!kf.lines.some((l) => /pushed/.test(l)));
    assert.match(kf.lines.at(-1)!, /stopped \(signal\)$/);
  });

  it('keep-fresh stops by itself when the refresh token is revoked (exit 3, reauthorize)', async () => {
    sandbox.revoke(ORG.refreshTokens[0]);
    const kf = new Running(['keep-fresh', '--json', ...zohoFlags()], env());
    const end = await kf.exit();
    assert.deepEqual([end.code, end.signal], [3, null], kf.stderr);
    const stopped = kf.json().find((e) => e.event === 'stopped')!;
    assert.deepEqual([stopped.reason, stopped.error.code, stopped.error.action], ['needs-user', 'invalid_code', 'reauthorize']);
  });

  it('logs --follow prints new journal lines as they come, until SIGTERM (exit 0)', async () => {
    const fx = fixture();
    const journal = path.join(fx.svcDir, 'journal.log');
    const line = (text: string) => fs.appendFileSync(journal, `Nov 25 10:00:00 sdk-host llm-chatbot[1]: ${text}\n`);
    const first = `devkit-follow-first ${Date.now()}`;
    line(first);
    const follow = new Running(['logs', '--follow', '-n', '1', ...sshFlags(), '--state-dir', stateDir], { HOME: dir });
    await follow.waitFor('the last journal line', () => follow.lines.some((l) => l.includes(first)), 30_000);
    const next = `devkit-follow-next ${Date.now()}`;
    line(next);
    await follow.waitFor('the new line', () => follow.lines.some((l) => l.includes(next)), 30_000);
    const end = await follow.stop();
    assert.deepEqual([end.code, end.signal], [0, null], follow.stderr);
  });
});
