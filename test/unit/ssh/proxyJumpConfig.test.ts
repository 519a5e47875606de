// ProxyJump hops checked against OpenSSH itself: `ssh -G -F FILE HOP` prints what ssh uses for each hop name
// (OpenSSH reaches each hop with its own Host block, `-l`/`-p` from the hop spec winning). Skipped only where no
// ssh client is installed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveJumps } from '../../../src/core/ssh/jumpHosts';
import { localSshEnv, openSshConfig, sshConfigFromText } from '../../../src/core/ssh/sshConfig';
import { oracleDir, sshG } from './sshG';

const CONFIG = `
Host app
  HostName 10.0.0.5
  User deploy
  Port 2200
  ProxyJump ops@bastion:2222,inner

Host bastion
  HostName bastion.example.com
  IdentityFile ~/.ssh/bastion_key
  ProxyJump outer

Host inner
  HostName 10.0.0.1
  User jumper
  Port 2022
  ProxyJump not-followed

Host outer
  HostName outer.example.com

Host direct
  HostName 192.0.2.7
  ProxyJump none
`;

describe('ProxyJump hops, with `ssh -G` as the oracle', function () {
  const dir = oracleDir();
  let home: string;
  before(() => {
    home = dir();
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'config'), CONFIG);
  });

  it('each hop resolves as OpenSSH resolves it; the first hop\'s own ProxyJump comes before it, the others\' not', () => {
    const cfg = openSshConfig(home);
    const env = localSshEnv(home);
    const hops = resolveJumps(cfg, 'app', env);
    assert.deepEqual(hops.map((h) => h.name), ['outer', 'bastion', 'inner']);
    for (const h of hops) {
      const g = Object.fromEntries(Object.entries(sshG(cfg.file, h.name)).map(([k, v]) => [k, v[0]]));
      assert.equal(h.host, g.hostname, `${h.name} hostname`);
      assert.equal(h.user ?? env.localUser, h.name === 'bastion' ? 'ops' : g.user, `${h.name} user`);
      assert.equal(String(h.port ?? 22), h.name === 'bastion' ? '2222' : g.port, `${h.name} port`);
    }
    assert.deepEqual(sshG(cfg.file, 'app').proxyjump, ['ops@bastion:2222,inner']);
    assert.equal(hops[1].identityFiles[0], path.join(home, '.ssh', 'bastion_key'));
    assert.deepEqual(sshG(cfg.file, 'bastion').identityfile, ['~/.ssh/bastion_key']);
    assert.deepEqual(resolveJumps(cfg, 'direct', env), []);
  });
});

describe('ProxyJump mistakes', () => {
  const env = { homeDir: '/home/dev', localUser: 'dev' };
  it('a loop through the first hops\' own ProxyJump is an error, not an endless chain', () => {
    const cfg = sshConfigFromText('Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n', env.homeDir);
    assert.throws(() => resolveJumps(cfg, 'a', env), (e: { finding?: { code: string; title: string } }) => e.finding?.code === 'bad-proxyjump' && /longer than 8 hops/.test(e.finding.title));
  });
  it('a hop that is not [user@]host[:port] is refused, naming it', () => {
    const cfg = sshConfigFromText('Host a\n  ProxyJump "bad hop"\n', env.homeDir);
    assert.throws(() => resolveJumps(cfg, 'a', env), (e: { finding?: { code: string; title: string } }) => e.finding?.code === 'bad-proxyjump' && /bad hop/.test(e.finding.title));
  });
  it('reads ssh:// and [IPv6]:port hops', () => {
    const cfg = sshConfigFromText('Host a\n  ProxyJump ssh://u@j1:2200,[2001:db8::1]:2201\n', env.homeDir);
    assert.deepEqual(resolveJumps(cfg, 'a', env).map((h) => [h.user, h.host, h.port]), [['u', 'j1', 2200], [undefined, '2001:db8::1', 2201]]);
  });
});
