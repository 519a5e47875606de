/**
 * A team on one refresh token, with the team hub and without it: 5 developer instances and 2 server keep-fresh,
 * each a CLI `keep-fresh` process with its own state directory (separate machines), over more than 10 short
 * sandbox token lifetimes. A stand-in chatbot per server calls SalesIQ every 300 ms with the token its
 * keep-fresh holds (the server's cached token stands for its .env). Zoho's two limits are live in the sandbox:
 * 10 requests per window (the window compressed with the lifetime, loopback only) and 10 live access tokens per
 * refresh token, the oldest invalidated by an 11th.
 * With the hub, halfway through, the next token request stalls and its minter is killed with SIGKILL (and
 * restarted on its state directory, as systemd would): the failover gap is the time until another instance has
 * minted. The minimum is what one instance alone needs: its first token, then one per renewal period.
 * Env: BENCH_HUB_LIFETIME_SEC (12), BENCH_HUB_RUN_SEC (130).
 */
import { isDevKitError } from '../src/core/errors/devkitError';
import { hubSecrets } from '../src/core/hub/crypto';
import { createHttpClient } from '../src/core/net/http';
import { validateToken } from '../src/core/salesiq/api';
import { Machine, machineFlags, newStateDir, sleep, teamEnv } from '../test/hub/instances';
import { RedisFixture } from '../test/hub/redisFixture';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../test/sandbox/zohoSandbox';

const LIFETIME_SEC = Number(process.env.BENCH_HUB_LIFETIME_SEC ?? 12);
const RUN_SEC = Number(process.env.BENCH_HUB_RUN_SEC ?? 130);
const MARGIN_SEC = 4;
/**
 * Servers renew a second later than developers, so with the hub a developer instance is the one that mints and
 * gets killed: the failover is measured on the servers' chatbots, not on a server whose own keep-fresh died.
 */
const SERVER_MARGIN_SEC = 3;
const LEASE_SEC = 2;
/** Zoho: 60-minute tokens, a 10-minute window; the same ratio here. */
const WINDOW_SEC = LIFETIME_SEC / 6;
const DEVELOPERS = 5;
const SERVERS = 2;
const CHATBOT_EVERY_MS = 300;
const { user: USER, portal: PORTAL } = SANDBOX_DEFAULTS;
const RT = USER.refreshTokens[0];

interface Figures {
  requests: number;
  minimum: number;
  maxLive: number;
  invalidated: number;
  calls: number;
  authFailures: number;
  /** Seconds into the run of each auth failure, and of the kill: where the failures were, when there were any. */
  failureAt: string[];
  killedAt?: number;
  failoverMs?: number;
}

async function runTeam(withHub: boolean): Promise<Figures> {
  const redis = withHub ? new RedisFixture() : undefined;
  await redis?.start();
  const sandbox = new ZohoSandbox({ tokenLifetimeSec: LIFETIME_SEC, rateWindowMs: WINDOW_SEC * 1000 });
  await sandbox.start();
  const env = teamEnv(redis, { SALESIQ_SANDBOX_RATE_WINDOW_SEC: String(WINDOW_SEC), SALESIQ_SANDBOX_LEASE_SEC: String(LEASE_SEC) });
  const start = (name: string, dir = newStateDir()) => {
    const margin = name.startsWith('server') ? SERVER_MARGIN_SEC : MARGIN_SEC;
    return new Machine(name, dir, ['keep-fresh', '--json', '--margin-minutes', String(margin / 60), ...machineFlags(sandbox, dir, redis)], env);
  };
  const machines = [...Array.from({ length: DEVELOPERS }, (_, i) => start(`dev${i + 1}`)), ...Array.from({ length: SERVERS }, (_, i) => start(`server${i + 1}`))];
  const servers = () => machines.filter((m) => m.name.startsWith('server'));
  const http = createHttpClient();
  const bot = { calls: 0, authFailures: 0, failureAt: [] as string[] };
  let killedAt: number | undefined;
  let running = true;

  try {
    await Promise.all(machines.map((m) => m.waitFor(/"event":"refreshed"/, 30_000)));
    const began = Date.now();
    const chatbots = servers().map(async (_, i) => {
      while (running) {
        const token = servers()[i].token()?.accessToken ?? '';
        bot.calls++;
        try {
          await validateToken(http, sandbox.salesiqUrl('in'), token, { screenName: PORTAL.screenName });
        } catch (e) {
          if (isDevKitError(e) && e.finding.category === 'auth') {
            bot.authFailures++;
            bot.failureAt.push(`${servers()[i].name}@${((Date.now() - began) / 1000).toFixed(1)}s`);
          }
        }
        await sleep(CHATBOT_EVERY_MS);
      }
    });

    let failoverMs: number | undefined;
    await sleep((RUN_SEC * 1000) / 2);
    if (redis) {
      failoverMs = await killTheMinter(redis, sandbox, machines, start, () => {
        killedAt = (Date.now() - began) / 1000;
      });
    }
    await sleep(Math.max(0, began + RUN_SEC * 1000 - Date.now()));
    running = false;
    await Promise.all(chatbots);

    const elapsedSec = (Date.now() - began) / 1000;
    const stats = sandbox.stats;
    return {
      requests: stats.tokenRequests[RT] ?? 0,
      // What one instance alone needs: its first token, then one per renewal period.
      minimum: 1 + Math.floor(elapsedSec / (LIFETIME_SEC - MARGIN_SEC)),
      maxLive: stats.maxLiveTokens[RT] ?? 0,
      invalidated: stats.invalidated,
      calls: bot.calls,
      authFailures: bot.authFailures,
      failureAt: bot.failureAt,
      ...(killedAt !== undefined ? { killedAt } : {}),
      ...(failoverMs !== undefined ? { failoverMs } : {}),
    };
  } finally {
    running = false;
    await Promise.all(machines.map((m) => m.kill('SIGTERM')));
    await sandbox.stop();
    await redis?.dispose();
  }
}

/**
 * The next token request hangs; whoever holds the lease for it is killed with SIGKILL and restarted on its own
 * state directory. Returns the time from the kill until another instance has published a new token on the hub.
 */
async function killTheMinter(
  redis: RedisFixture,
  sandbox: ZohoSandbox,
  machines: Machine[],
  start: (name: string, dir: string) => Machine,
  killed: () => void,
): Promise<number> {
  const base = `salesiq-devkit:${hubSecrets(USER.clientId, RT).namespace}`;
  sandbox.failNext('stall', 1);
  let owner = '';
  for (let i = 0; i < 600 && !owner; i++) {
    owner = redis.cli(['GET', `${base}:lease`]).trim();
    if (!owner) await sleep(50);
  }
  const victim = machines.find((m) => owner.startsWith(`${m.pid}.`));
  if (!victim) throw new Error(`no machine holds the lease (${owner || 'none'})`);
  const published = () => redis.cli(['HGET', `${base}:token`, 'fence']).trim();
  const before = published();
  await victim.kill('SIGKILL');
  const killedAt = Date.now();
  killed();
  machines[machines.indexOf(victim)] = start(victim.name, victim.stateDir);
  for (let i = 0; i < 1200; i++) {
    if (published() !== before) return Date.now() - killedAt;
    await sleep(50);
  }
  throw new Error('no instance published a new token within 60 s of the kill');
}

function row(name: string, value: string, target: string, met: boolean | undefined): string {
  return `  ${name.padEnd(34)} ${value.padEnd(26)} target ${target.padEnd(22)} ${met === undefined ? '' : met ? 'met' : 'NOT MET'}`;
}

async function main(): Promise<void> {
  const alone = await runTeam(false);
  const hub = await runTeam(true);
  console.log(`team hub: ${DEVELOPERS} developer + ${SERVERS} server keep-fresh instances on one refresh token, ${RUN_SEC} s with ${LIFETIME_SEC} s tokens (margin ${MARGIN_SEC} s, servers ${SERVER_MARGIN_SEC} s; ${(RUN_SEC / LIFETIME_SEC).toFixed(1)} lifetimes), chatbot on each server every ${CHATBOT_EVERY_MS} ms; lease ${LEASE_SEC} s, Zoho window ${WINDOW_SEC} s`);
  for (const [label, f] of [['without the hub', alone], ['with the hub', hub]] as const) {
    const withHub = label === 'with the hub';
    console.log(` ${label}:`);
    console.log(row('token requests vs the minimum', `${f.requests} vs ${f.minimum} (${(f.requests / f.minimum).toFixed(2)}×)`, '≤ 1.1×', withHub ? f.requests <= 1.1 * f.minimum : undefined));
    console.log(row('most live tokens per refresh token', `${f.maxLive} (${f.invalidated} invalidated)`, '≤ 2', withHub ? f.maxLive <= 2 : undefined));
    console.log(row('auth failures at the chatbots', `${f.authFailures} of ${f.calls} calls`, '0', withHub ? f.authFailures === 0 : undefined));
    if (f.failureAt.length) console.log(`    (at ${f.failureAt.join(', ')}${f.killedAt !== undefined ? `; minter killed at ${f.killedAt.toFixed(1)}s` : ''})`);
    console.log(row('failover gap (minter SIGKILLed)', f.failoverMs === undefined ? 'n/a (everyone mints)' : `${(f.failoverMs / 1000).toFixed(1)} s`, `≤ lease (${LEASE_SEC} s) + 1 s`, f.failoverMs === undefined ? undefined : f.failoverMs <= (LEASE_SEC + 1) * 1000));
  }
  if (hub.authFailures > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
