/**
 * The hub over TLS (`rediss://`), as hosted Redis services offer it: a real redis-server with only a TLS port and a
 * certificate from a private CA made here with openssl. Trusted through NODE_EXTRA_CA_CERTS (docs/hub.md), the team
 * shares one token; untrusted, the handshake fails, the command works alone and says which fix applies.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../cli/run';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { machineFlags, newStateDir, teamEnv } from './instances';
import { RedisFixture, type RedisTls } from './redisFixture';

const RT = SANDBOX_DEFAULTS.user.refreshTokens[0];

/** A CA and a server certificate for 127.0.0.1 (an IP SAN: the client checks the address it dialled). */
function makeCertificates(dir: string): RedisTls {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 20_000 });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=DevKit test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  return { certFile: f('server.pem'), keyFile: f('server.key'), caFile: f('ca.pem') };
}

describe('team hub over TLS (rediss://)', () => {
  let sandbox: ZohoSandbox;
  let tlsRedis: RedisFixture;
  let certDir: string;
  let caFile: string;
  before(async function () {
    this.timeout(60_000);
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-redis-tls-'));
    const tls = makeCertificates(certDir);
    caFile = tls.caFile;
    tlsRedis = new RedisFixture(tls);
    await tlsRedis.start();
    sandbox = new ZohoSandbox({ tokenLifetimeSec: 600 });
    await sandbox.start();
  });
  after(async () => {
    await sandbox?.stop();
    await tlsRedis?.dispose();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('with the private CA trusted, a second machine adopts the token the first minted through the TLS hub', async () => {
    const env = teamEnv(tlsRedis, { NODE_EXTRA_CA_CERTS: caFile });
    const first = await runCli(['refresh', '--json', ...machineFlags(sandbox, newStateDir(), tlsRedis)], env);
    assert.strictEqual(first.code, 0, first.stderr);
    assert.strictEqual(first.json.source, 'minted');
    assert.doesNotMatch(first.stderr, /working alone/, 'the hub was reached');
    const second = await runCli(['refresh', '--json', ...machineFlags(sandbox, newStateDir(), tlsRedis)], env);
    assert.strictEqual(second.code, 0, second.stderr);
    assert.strictEqual(second.json.source, 'adopted', second.stderr);
    assert.strictEqual(second.json.expiresAt, first.json.expiresAt, 'the same token');
    assert.strictEqual(sandbox.stats.tokenRequests[RT], 1, 'one token for both machines');
    assert.match(tlsRedis.cli(['--scan']), /salesiq-devkit:/, 'the team state lives on the TLS server');
  });

  it('with the CA not trusted, the handshake fails: the command still refreshes alone and names the fix', async () => {
    const before = sandbox.stats.tokenRequests[RT] ?? 0;
    const r = await runCli(['refresh', '--json', ...machineFlags(sandbox, newStateDir(), tlsRedis)], teamEnv(tlsRedis));
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /team hub: the TLS handshake with rediss:\/\/devkit@127\.0\.0\.1:\d+\/0 failed/);
    assert.match(r.stderr, /NODE_EXTRA_CA_CERTS/);
    assert.ok(!r.stderr.includes(tlsRedis.userPassword), 'the hub password is not echoed');
    assert.strictEqual(r.json.source, 'minted');
    assert.strictEqual(sandbox.stats.tokenRequests[RT], before + 1);
  });
});
