// ProxyJump and per-host fields checked against OpenSSH itself: `ssh -G HOST -F FILE` prints the configuration
// ssh would use, without connecting. Skipped only where no ssh client is installed.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveJumps, resolveSshHost } from '../../../src/core/ssh/sshConfig';

const CONFIG = `
Host app
  HostName 10.0.0.5
  User deploy
  Port 2200
  ProxyJump ops@bastion:2222,inner

Host bastion
  HostName bastion.example.com
  IdentityFile ~/.ssh/bastion_key

Host inner
  HostName 10.0.0.1
  User jumper
  Port 2022

Host direct
  HostName 192.0.2.7
  ProxyJump none
`;

function sshG(file: string, host: string, home: string): Record<string, string> {
  const out = execFileSync('ssh', ['-G', '-F', file, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, HOME: home } });
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
}

describe('ProxyJump and host fields, with `ssh -G` as the oracle', function () {
  let dir: string;
  let file: string;
  before(function () {
    try {
      execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    } catch {
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-sshg-'));
    file = path.join(dir, 'config');
    fs.writeFileSync(file, CONFIG);
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('the final host and each hop resolve as OpenSSH resolves them', () => {
    const env = { homeDir: dir, localUser: os.userInfo().username };
    for (const host of ['app', 'bastion', 'inner', 'direct']) {
      const g = sshG(file, host, dir);
      const mine = resolveSshHost(CONFIG, host, env);
      assert.equal(mine.hostName, g.hostname, `${host} hostname`);
      assert.equal(String(mine.port ?? 22), g.port, `${host} port`);
      if (mine.user) assert.equal(mine.user, g.user, `${host} user`);
      assert.equal(mine.proxyJump ?? 'none', g.proxyjump ?? 'none', `${host} proxyjump`);
    }
    const hops = resolveJumps(CONFIG, 'app', env);
    assert.deepEqual(hops.map((h) => [h.user, h.host, h.port]), [['ops', 'bastion.example.com', 2222], ['jumper', '10.0.0.1', 2022]]);
    // Each hop's own block, as ssh -G shows it for the hop name.
    assert.equal(hops[0].identityFiles[0], sshG(file, 'bastion', dir).identityfile?.replace(/^~/, dir));
    assert.deepEqual(resolveJumps(CONFIG, 'direct', env), []);
  });
});
