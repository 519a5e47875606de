/**
 * Several servers: two real OpenSSH fixtures (two ports, users, .env files and units) plus one that is down
 * (a closed loopback port), driven through the built CLI's `--server` / `--all-servers`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvKey } from '../../src/core/dotenv/setKey';
import { StateStore } from '../../src/core/token/stateFiles';
import { runCli } from '../cli/run';
import { fleetEntry, useFleet } from './fleetServers';
import { fixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('several servers through the CLI (two OpenSSH fixtures and one down)', function () {
  this.timeout(120_000);
  const fleet = useFleet('devkit-fleet-');
  const entry = fleetEntry;
  function writeConfig(extra: Record<string, unknown>[] = []): string {
    const file = path.join(fleet.dir, 'config.json');
    const servers = [entry('staging', fixture()), entry('prod', fleet.second), ...extra];
    fs.writeFileSync(file, JSON.stringify({ servers }), { mode: 0o600 });
    return file;
  }
  const run = (args: string[]) => runCli([...args, '--config', path.join(fleet.dir, 'config.json'), '--state-dir', path.join(fleet.dir, 'state')], { HOME: fleet.dir }, '', 100_000);
  async function cacheToken(): Promise<string> {
    const accessToken = newToken();
    await new StateStore(path.join(fleet.dir, 'state')).tokenStore('default', undefined).writeToken({ accessToken, obtainedAt: Date.now(), expiresAt: Date.now() + 3600_000 });
    return accessToken;
  }

  it('push-env --all-servers: both live servers hold the new token, the down one fails alone; exit non-zero; the JSON says which', async () => {
    writeConfig([entry('down', fixture(), { port: fleet.downPort })]);
    const token = await cacheToken();
    const r = await run(['push-env', '--all-servers', '--json']);
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.json.ok, false);
    assert.deepEqual(r.json.servers.map((s: { name: string; ok: boolean }) => [s.name, s.ok]), [['staging', true], ['prod', true], ['down', false]]);
    assert.equal(r.json.servers[2].error.category, 'network');
    for (const fx of [fixture(), fleet.second]) {
      assert.equal(readEnvKey(fx.readEnv(), KEY), token);
      assert.equal(fx.serviceEnv()[KEY], token, 'restarted onto the new token');
    }
    assert.ok(r.json.servers[0].tokenLive && r.json.servers[1].tokenLive);
    assert.ok(!r.stdout.includes(token));
  });

  it('--server picks by name (repeatable); an unknown name is a usage error naming it', async () => {
    writeConfig();
    const token = await cacheToken();
    const before = fleet.second.readEnv();
    const r = await run(['push-env', '--server', 'staging', '--no-restart']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^server\s+result\s+time\s+what was done$/m);
    assert.match(r.stdout, /1 of 1 servers hold the new token\./);
    assert.equal(readEnvKey(fixture().readEnv(), KEY), token);
    assert.ok(fleet.second.readEnv().equals(before), 'prod untouched');
    const bad = await run(['push-env', '--server', 'staging', '--server', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown server "nope"/);
  });

  it('a host key changed on one server only: that one stops with host-key-changed, the other is pushed', async () => {
    const stranger = fs.readFileSync(`${fleet.second.keys.stranger}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const badKnownHosts = path.join(fleet.dir, 'known_hosts.changed');
    fs.writeFileSync(badKnownHosts, `[127.0.0.1]:${fleet.second.port} ${stranger}\n`);
    const file = path.join(fleet.dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ servers: [entry('staging', fixture()), entry('prod', fleet.second, { knownHosts: badKnownHosts })] }));
    const token = await cacheToken();
    const r = await run(['push-env', '--all-servers', '--json']);
    assert.equal(r.json.servers[0].ok, true);
    assert.equal(r.json.servers[1].ok, false);
    assert.equal(r.json.servers[1].error.code, 'host-key-changed');
    assert.equal(readEnvKey(fixture().readEnv(), KEY), token);
    assert.notEqual(readEnvKey(fleet.second.readEnv(), KEY), token);
  });

  it('doctor --all-servers: the profile checks once, then each server with its own checks; the down one fails at host-key', async () => {
    writeConfig([entry('down', fixture(), { port: fleet.downPort })]);
    await cacheToken();
    const r = await run(['doctor', '--all-servers', '--json']);
    assert.notEqual(r.code, 0);
    assert.deepEqual(r.json.checks.map((c: { id: string }) => c.id), ['credentials', 'data-centre', 'refresh', 'token-kind', 'scope', 'portal']);
    assert.deepEqual(r.json.servers.map((s: { name: string }) => s.name), ['staging', 'prod', 'down']);
    const down = r.json.servers[2];
    assert.equal(down.ok, false);
    assert.equal(down.checks[0].id, 'host-key');
    assert.equal(down.checks[0].status, 'fail');
    for (const s of r.json.servers.slice(0, 2)) {
      const st = Object.fromEntries(s.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
      assert.deepEqual([st['host-key'], st.login, st.sudo, st['env-key'], st['unit-reads-env']], ['pass', 'pass', 'pass', 'pass', 'pass']);
    }
  });

  it('logs --all-servers: each line prefixed with [its server], as --follow does', async () => {
    writeConfig();
    const r = await run(['logs', '--all-servers', '-n', '5']);
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.trim().split('\n').filter(Boolean)) assert.match(line, /^\[(staging|prod)\] /);
  });
});
