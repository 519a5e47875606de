import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSshConfig, resolveSshHost, sshConfigFromText } from '../../../src/core/ssh/sshConfig';

const env = { homeDir: '/home/dev', localUser: 'dev', localHost: 'laptop.example', uid: 1000, vars: { AGENT_SOCK: '/run/agent.sock' } };
const fromText = (text: string) => sshConfigFromText(text, env.homeDir);

const CONFIG = `
Host prod
    HostName 203.0.113.10
    User deploy
    Port 2222
    IdentityFile ~/.ssh/prod_ed25519
    IdentityAgent ~/.1password/agent.sock

Host prod-* !prod-legacy
  HostName %h.internal.example.com
  User=ops
  IdentityFile "/keys/%r at %h:%p %n %u %d %i %l %L %%"

Host *
  User fallback
  Port 22
  IdentityFile ~/.ssh/id_ed25519
  IdentityAgent SSH_AUTH_SOCK
`;

describe('resolveSshHost', () => {
  it('resolves an alias, first value wins, identity files accumulate, ~ expanded', () => {
    assert.deepEqual(resolveSshHost(fromText(CONFIG), 'prod', env), {
      hostName: '203.0.113.10',
      user: 'deploy',
      port: 2222,
      identityFiles: ['/home/dev/.ssh/prod_ed25519', '/home/dev/.ssh/id_ed25519'],
      identityAgent: '/home/dev/.1password/agent.sock',
      warnings: [],
    });
  });

  it('matches wildcard patterns, honours negation and expands the % tokens', () => {
    const r = resolveSshHost(fromText(CONFIG), 'prod-eu', env);
    assert.equal(r.hostName, 'prod-eu.internal.example.com');
    assert.equal(r.user, 'ops');
    assert.deepEqual(r.identityFiles, ['/keys/ops at prod-eu.internal.example.com:22 prod-eu dev /home/dev 1000 laptop.example laptop %', '/home/dev/.ssh/id_ed25519']);
    assert.equal(r.identityAgent, 'SSH_AUTH_SOCK');
    assert.equal(resolveSshHost(fromText(CONFIG), 'prod-legacy', env).user, 'fallback');
  });

  it('leaves an unknown name as the host name (lower-cased, as ssh does)', () => {
    assert.equal(resolveSshHost(fromText(CONFIG), 'Example.ORG', env).hostName, 'example.org');
    assert.deepEqual(resolveSshHost(fromText(''), 'h', env), { hostName: 'h', identityFiles: [], warnings: [] });
  });

  it('Host patterns are case-sensitive and a comma is part of the pattern; a bad port is ignored with a warning', () => {
    const cfg = fromText('Host web? a,b\n  HostName 10.0.0.%h\n  Port 99999\n');
    assert.equal(resolveSshHost(cfg, 'web1', env).hostName, '10.0.0.web1');
    assert.equal(resolveSshHost(cfg, 'WEB1', env).hostName, 'web1');
    assert.equal(resolveSshHost(cfg, 'a', env).hostName, 'a');
    const bad = resolveSshHost(cfg, 'web1', env);
    assert.equal(bad.port, undefined);
    assert.match(bad.warnings.join('\n'), /Port 99999 is not a port number/);
  });

  it('IdentityAgent $VAR reads the environment; an unknown % token skips the entry with a warning', () => {
    const r = resolveSshHost(fromText('Host x\n  IdentityAgent $AGENT_SOCK\n  IdentityFile ~/.ssh/%C\n  IdentityFile ~/.ssh/ok\n'), 'x', env);
    assert.equal(r.identityAgent, '/run/agent.sock');
    assert.deepEqual(r.identityFiles, ['/home/dev/.ssh/ok']);
    assert.match(r.warnings.join('\n'), /%C is not expanded/);
  });
});

describe('Match blocks DevKit cannot evaluate', () => {
  it('never runs Match exec: the block does not apply, and the caller gets a warning', () => {
    const marker = path.join(os.tmpdir(), `devkit-match-exec-${process.pid}`);
    const cfg = fromText(`Match exec "touch ${marker}" host srv\n  User fromexec\nMatch !exec "true"\n  Port 2999\nHost srv\n  User plain\n`);
    const r = resolveSshHost(cfg, 'srv', env);
    assert.equal(r.user, 'plain');
    assert.equal(r.port, undefined);
    assert.equal(fs.existsSync(marker), false);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0], /Match exec .* skipped .*never runs commands/);
  });

  it('an unsupported criterion skips its block with a warning; one whose other criteria fail is skipped silently', () => {
    const cfg = fromText('Match localnetwork 10.0.0.0/8\n  User lan\nMatch host other exec "x"\n  User other\nMatch canonical\n  Port 2\n');
    const r = resolveSshHost(cfg, 'srv', env);
    assert.equal(r.user, undefined);
    assert.equal(r.port, undefined);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0], /localnetwork 10\.0\.0\.0\/8.*does not evaluate/);
    assert.match(r.warnings[1], /canonical/);
  });

  it('a ProxyCommand is not run: connecting without it is said', () => {
    const r = resolveSshHost(fromText('Host srv\n  ProxyCommand nc %h %p\n  ProxyJump ignored\n'), 'srv', env);
    assert.equal(r.proxyJump, undefined);
    assert.match(r.warnings.join('\n'), /ProxyCommand is not run/);
  });
});

describe('Include, read from disk', () => {
  let home: string;
  const write = (rel: string, text: string, mode = 0o644) => {
    const f = path.join(home, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text, { mode });
    fs.chmodSync(f, mode);
    return f;
  };
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'devkit-include-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('a relative path is under ~/.ssh; globs in sorted order; the first value wins across files', () => {
    write('.ssh/config', 'Include conf.d/*\nHost *\n  User last\n');
    write('.ssh/conf.d/b', 'Host srv\n  User second\n  Port 2202\n');
    write('.ssh/conf.d/a', 'Host srv\n  User first\n');
    const r = resolveSshHost(openSshConfig(home), 'srv', env);
    assert.deepEqual([r.user, r.port], ['first', 2202]);
  });

  it('an Include loop stops at depth 16 with an error naming the fix', () => {
    write('.ssh/config', 'Include loop\n');
    write('.ssh/loop', 'Include loop\n');
    assert.throws(() => resolveSshHost(openSshConfig(home), 'srv', env), (e: { finding?: { title: string; explanation: string } }) =>
      /nested more than 16 deep/.test(e.finding?.title ?? '') && /Include loop/.test(e.finding?.explanation ?? ''));
  });

  it('refuses a FIFO, a file too large, and a file others may write (as ssh does)', () => {
    write('.ssh/config', 'Include extra\n');
    const extra = path.join(home, '.ssh', 'extra');
    const refused = (re: RegExp) => (e: { finding?: { title: string } }) => re.test(e.finding?.title ?? '');
    execFileSync('mkfifo', [extra]);
    assert.throws(() => resolveSshHost(openSshConfig(home), 'srv', env), refused(/is not a regular file/));
    fs.rmSync(extra);
    fs.mkdirSync(extra);
    assert.throws(() => resolveSshHost(openSshConfig(home), 'srv', env), refused(/is not a regular file/));
    fs.rmdirSync(extra);
    write('.ssh/extra', `# ${'x'.repeat(300 * 1024)}\n`);
    assert.throws(() => resolveSshHost(openSshConfig(home), 'srv', env), refused(/larger than/));
    write('.ssh/extra', 'Host srv\n  User evil\n', 0o666);
    assert.throws(() => resolveSshHost(openSshConfig(home), 'srv', env), refused(/bad owner or permissions/));
  });

  it('reads nothing through an Include in a block that does not apply', () => {
    write('.ssh/config', 'Host other\n  Include bad\nHost srv\n  User ok\n');
    write('.ssh/bad', 'User evil\n', 0o666);
    assert.equal(resolveSshHost(openSshConfig(home), 'srv', env).user, 'ok');
  });

  it('no ~/.ssh/config: the host as given', () => {
    assert.deepEqual(resolveSshHost(openSshConfig(home), 'srv', env), { hostName: 'srv', identityFiles: [], warnings: [] });
  });
});
