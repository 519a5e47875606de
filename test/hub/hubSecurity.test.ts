import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { hubSecrets, seal, TamperedError, unseal } from '../../src/core/hub/crypto';
import { parseHubUrl } from '../../src/core/hub/url';
import { SANDBOX_DEFAULTS, ZohoSandbox } from '../sandbox/zohoSandbox';
import { runCli } from '../cli/run';
import { redis } from './hooks';
import { machineFlags, newStateDir, teamEnv } from './instances';

const USER = SANDBOX_DEFAULTS.user;
const RT = USER.refreshTokens[0];

describe('team hub: what the hub holds and who may read it', () => {
  let sandbox: ZohoSandbox;
  before(async () => {
    sandbox = new ZohoSandbox({ tokenLifetimeSec: 600 });
    await sandbox.start();
  });
  after(() => sandbox.stop());
  beforeEach(() => redis().cli(['FLUSHALL']));

  it('a hub URL with a password, another scheme or a path that is no database number is a usage error (exit 2) naming the fix', async () => {
    for (const [url, says] of [
      ['redis://devkit:s3cret@127.0.0.1:6379/0', /SALESIQ_HUB_PASSWORD/],
      ['http://127.0.0.1:6379', /redis:\/\/ or rediss:\/\//],
      ['redis://127.0.0.1:6379/keys', /database number/],
    ] as const) {
      const r = await runCli(['refresh', '--json', '--hub', url, ...machineFlags(sandbox, newStateDir())], teamEnv(undefined));
      assert.strictEqual(r.code, 2, `${url}: ${r.stderr}`);
      assert.match(r.stderr, says);
      assert.ok(!r.stderr.includes('s3cret'), 'the password is not echoed');
    }
    assert.strictEqual(sandbox.stats.tokenRequests[RT] ?? 0, 0, 'nothing was requested');
    assert.deepStrictEqual(parseHubUrl('rediss://devkit@hub.example:6380/2'), { url: 'rediss://devkit@hub.example:6380/2', tls: true, host: 'hub.example', port: 6380, db: 2, username: 'devkit', display: 'rediss://devkit@hub.example:6380/2' });
  });

  it('the hub holds neither the refresh token, the client secret nor the access token in the clear, and key names reveal no key', async () => {
    const r = await runCli(['refresh', '--json', '--print-token', '--margin-minutes', '1', ...machineFlags(sandbox, newStateDir(), redis())], teamEnv(redis()));
    assert.strictEqual(r.code, 0, r.stderr);
    const access: string = r.json.accessToken;
    const keys = redis().cli(['--scan']);
    const values = keys.trim().split('\n').filter((k) => k.endsWith(':token')).map((k) => redis().cli(['HGETALL', k]));
    const dump = [keys, ...values].join('\n');
    assert.strictEqual(values.length, 1, keys);
    for (const secret of [RT, USER.clientSecret, access, access.split('.')[1], RT.split('.')[1]]) assert.ok(!dump.includes(secret), 'no secret on the hub');
    const { namespace, key } = hubSecrets(USER.clientId, RT);
    assert.ok(dump.includes(namespace), 'keys live under the derived namespace');
    assert.ok(!dump.includes(key.toString('hex').slice(0, 16)), 'the namespace is not the encryption key');
    assert.notStrictEqual(hubSecrets(USER.clientId, `${RT}x`).namespace, namespace);
  });

  it('the CLI and the activation bundle do not carry the Redis client: it loads from dist/hub.js when a hub is used', () => {
    const dist = path.resolve(__dirname, '../../../dist');
    const has = (f: string) => fs.readFileSync(path.join(dist, f), 'utf8').includes('SocketClosedUnexpectedlyError');
    assert.deepStrictEqual([has('cli.js'), has('extension.js'), has('hub.js')], [false, false, true]);
  });

  it('a sealed box opens only under its own key and place: a changed byte fails the authentication tag', () => {
    const { key, namespace } = hubSecrets(USER.clientId, RT);
    const token = { accessToken: '1000.aa.bb', obtainedAt: 1, expiresAt: 2, mintedBy: 'host-a' };
    const box = seal(key, token, `${namespace}|7`);
    assert.deepStrictEqual(unseal(key, box, `${namespace}|7`), token);
    const parts = box.split('.');
    const body = Buffer.from(parts[2], 'base64');
    body[0] ^= 1;
    const changed = [parts[0], parts[1], body.toString('base64'), parts[3]].join('.');
    assert.throws(() => unseal(key, changed, `${namespace}|7`), TamperedError);
    assert.throws(() => unseal(key, box, `${namespace}|8`), TamperedError, 'a box replayed under another fencing number');
    assert.throws(() => unseal(hubSecrets(USER.clientId, `${RT}x`).key, box, `${namespace}|7`), TamperedError, 'another refresh token');
  });

  it('a tampered token on the hub is rejected (its tag fails), never used, and replaced by a freshly minted one', async () => {
    const first = await runCli(['refresh', '--json', '--print-token', '--margin-minutes', '1', ...machineFlags(sandbox, newStateDir(), redis())], teamEnv(redis()));
    assert.strictEqual(first.code, 0, first.stderr);
    const [tokenKey] = redis().cli(['--scan', '--pattern', 'salesiq-devkit:*:token']).trim().split('\n');
    const box = redis().cli(['HGET', tokenKey, 'box']).trim();
    const parts = box.split('.');
    const body = Buffer.from(parts[2], 'base64');
    body[5] ^= 0x20;
    redis().cli(['HSET', tokenKey, 'box', [parts[0], parts[1], body.toString('base64'), parts[3]].join('.')]);

    const before = sandbox.stats.tokenRequests[RT];
    const r = await runCli(['refresh', '--json', '--print-token', '--margin-minutes', '1', ...machineFlags(sandbox, newStateDir(), redis())], teamEnv(redis()));
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /rejected the stored token .*authentication tag/);
    assert.strictEqual(r.json.source, 'minted');
    assert.notStrictEqual(r.json.accessToken, first.json.accessToken);
    assert.strictEqual(sandbox.stats.tokenRequests[RT], before + 1);

    const third = await runCli(['refresh', '--json', '--print-token', '--margin-minutes', '1', ...machineFlags(sandbox, newStateDir(), redis())], teamEnv(redis()));
    assert.deepStrictEqual([third.json.source, third.json.accessToken], ['adopted', r.json.accessToken], 'the replacement is what the team adopts');
  });

  it('a wrong password or an unreachable hub: the command works alone and stderr names the fix', async () => {
    const wrong = await runCli(['refresh', '--json', ...machineFlags(sandbox, newStateDir(), redis())], teamEnv(redis(), { SALESIQ_HUB_PASSWORD: 'not-the-password' }));
    assert.strictEqual(wrong.code, 0, wrong.stderr);
    assert.strictEqual(wrong.json.source, 'minted');
    assert.match(wrong.stderr, /refused the password of user devkit; working alone \(fix: set the hub password \(SALESIQ_HUB_PASSWORD/);
    assert.ok(!wrong.stderr.includes('not-the-password'));

    const closed = `redis://devkit@127.0.0.1:${await closedPort()}/0`;
    const away = await runCli(['refresh', '--json', '--hub', closed, ...machineFlags(sandbox, newStateDir())], teamEnv(redis()));
    assert.strictEqual(away.code, 0, away.stderr);
    assert.strictEqual(away.json.source, 'minted');
    assert.match(away.stderr, /cannot reach the hub .*ECONNREFUSED.*working alone \(fix: check salesiq\.hub\.url \/ --hub/);
  });
});

async function closedPort(): Promise<number> {
  const net = await import('net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as import('net').AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
