// ~/.ssh/config resolution checked against OpenSSH itself: `ssh -G -F FILE HOST` prints the configuration ssh
// would use, without connecting. Each case is a small config tree (Include, globs, Match, negation, first
// value wins); our hostname, user, port, identity files (as written: ssh -G prints them unexpanded) and
// ProxyJump must equal ssh's. Skipped only where no ssh client is installed. No case uses `Match exec`: ssh
// would run it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localSshEnv, openSshConfig, sshHostValues } from '../../../src/core/ssh/sshConfig';
import { oracleDir, sshG } from './sshG';

/** Files relative to the case's home; `$D` stands for the case's directory (ssh's own `~` is the passwd home). */
interface Case {
  name: string;
  files: Record<string, string>;
  hosts: string[];
}

const CASES: Case[] = [
  {
    name: 'Host patterns, negation, first value wins, identity files accumulate',
    files: {
      '.ssh/config': `
Host prod
  HostName 203.0.113.10
  User deploy
  Port 2222
  IdentityFile ~/.ssh/prod_ed25519
Host prod-* !prod-legacy
  HostName %h.internal.example.com
  User=ops
  IdentityFile "/keys/%r at %h"
Host web? a,b
  HostName 10.0.0.9
Host *
  User fallback
  Port 22
  IdentityFile ~/.ssh/id_ed25519
`,
    },
    hosts: ['prod', 'prod-eu', 'prod-legacy', 'web1', 'web12', 'WEB1', 'a', 'a,b', 'example.org'],
  },
  {
    name: 'Include: globs in order, inside a Host block, nested, a missing one ignored',
    files: {
      '.ssh/config': `
Include $D/.ssh/conf.d/*.conf $D/.ssh/none-*.conf
Host app*
  Include $D/.ssh/app-extra
  ProxyJump ops@bastion:2222,inner
Host *
  User everyone
`,
      '.ssh/conf.d/10-a.conf': 'Host app2\n  Port 2002\n  User first\nHost web1\n  HostName WEB1.Example\n',
      '.ssh/conf.d/20-b.conf': 'Host app2\n  Port 9999\n  IdentityFile ~/.ssh/%r-%h-%p\nInclude $D/.ssh/deeper\n',
      '.ssh/conf.d/.hidden.conf': 'Host app2\n  User hidden\n',
      '.ssh/deeper': 'Host app3\n  HostName deep.example\n',
      '.ssh/app-extra': 'User fromextra\nIdentityFile /k/extra\n',
    },
    hosts: ['app2', 'app3', 'web1', 'other'],
  },
  {
    name: 'Match host / originalhost / user / localuser / all, negated criteria and pattern lists',
    files: {
      '.ssh/config': `
Host db*
  HostName %h.db.example
Match host "*.db.example,!db2.db.example"
  Port 2400
Match !host web1 originalhost web*
  User notweb1
Host web1
  HostName web1.example
Match originalhost app user deploy
  Port 2500
Host app
  User deploy
Match user deploy
  IdentityFile /keys/deploy
Match localuser ${os.userInfo().username} host app
  IdentityFile /keys/local
Match all
  User matchall
`,
    },
    hosts: ['db1', 'db2', 'web1', 'web2', 'app', 'zzz'],
  },
  {
    name: 'ProxyJump: none, several hops, first of ProxyJump/ProxyCommand wins',
    files: {
      '.ssh/config': `
Host direct
  ProxyJump none
Host direct jumpy
  ProxyJump j1
Host jumpy
  HostName 10.1.1.1
Host multi
  ProxyJump me@j1:2201,j2
Host multi
  ProxyJump ignored
Host *
  ProxyJump fallback-jump
`,
    },
    hosts: ['direct', 'jumpy', 'multi', 'j1'],
  },
];

const DEFAULT_IDENTITIES = /^~\/\.ssh\/id_[a-z0-9_]+$/;

describe('~/.ssh/config resolution equals `ssh -G`', function () {
  const root = oracleDir();

  for (const c of CASES) {
    it(c.name, () => {
      const home = fs.mkdtempSync(path.join(root(), 'case-'));
      for (const [rel, text] of Object.entries(c.files)) {
        fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
        fs.writeFileSync(path.join(home, rel), text.replaceAll('$D', home), { mode: 0o644 });
      }
      const cfg = openSshConfig(home);
      const env = localSshEnv(home);
      for (const host of c.hosts) {
        let g: Record<string, string[]>;
        try {
          g = sshG(cfg.file, host);
        } catch {
          // ssh refuses the name (e.g. "a,b": invalid characters): nothing to compare.
          continue;
        }
        const mine = sshHostValues(cfg, host, env);
        assert.equal(mine.hostName, g.hostname[0], `${host}: hostname`);
        assert.equal(mine.user ?? env.localUser, g.user[0], `${host}: user`);
        assert.equal(String(mine.port ?? 22), g.port[0], `${host}: port`);
        const theirs = g.identityfile ?? [];
        if (mine.identityFiles.length) assert.deepEqual(mine.identityFiles, theirs, `${host}: identityfile`);
        else assert.ok(theirs.every((f) => DEFAULT_IDENTITIES.test(f)), `${host}: ssh lists ${theirs.join(', ')} where DevKit has none`);
        assert.equal(mine.proxyJump ?? 'none', g.proxyjump?.[0] ?? 'none', `${host}: proxyjump`);
        assert.deepEqual(mine.warnings, [], `${host}: warnings`);
      }
    });
  }
});
