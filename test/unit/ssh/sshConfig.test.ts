import * as assert from 'node:assert/strict';
import { resolveSshHost } from '../../../src/core/ssh/sshConfig';

const env = { homeDir: '/home/dev', localUser: 'dev' };

const CONFIG = `
# global defaults come first only if placed before Host lines
Host prod
    HostName 203.0.113.10
    User deploy
    Port 2222
    IdentityFile ~/.ssh/prod_ed25519
    IdentityAgent ~/.1password/agent.sock

Host prod-* !prod-legacy
  HostName %h.internal.example.com
  User=ops
  IdentityFile "/keys/%r at %h"

Host *
  User fallback
  Port 22
  IdentityFile ~/.ssh/id_ed25519
  IdentityAgent SSH_AUTH_SOCK

Match host whatever
  User never
`;

describe('resolveSshHost', () => {
  it('resolves an alias, first value wins, identity files accumulate, ~ expanded', () => {
    assert.deepEqual(resolveSshHost(CONFIG, 'prod', env), {
      hostName: '203.0.113.10',
      user: 'deploy',
      port: 2222,
      identityFiles: ['/home/dev/.ssh/prod_ed25519', '/home/dev/.ssh/id_ed25519'],
      identityAgent: '/home/dev/.1password/agent.sock',
    });
  });

  it('matches wildcard patterns, honours negation and expands %h and %r', () => {
    const r = resolveSshHost(CONFIG, 'prod-eu', env);
    assert.equal(r.hostName, 'prod-eu.internal.example.com');
    assert.equal(r.user, 'ops');
    assert.equal(r.port, 22);
    assert.deepEqual(r.identityFiles, ['/keys/ops at prod-eu.internal.example.com', '/home/dev/.ssh/id_ed25519']);
    assert.equal(r.identityAgent, 'SSH_AUTH_SOCK');
    assert.equal(resolveSshHost(CONFIG, 'prod-legacy', env).user, 'fallback');
  });

  it('leaves an unknown name as the host name, and skips Match blocks', () => {
    const r = resolveSshHost(CONFIG, 'example.org', env);
    assert.equal(r.hostName, 'example.org');
    assert.equal(r.user, 'fallback');
    assert.deepEqual(resolveSshHost('', 'h', env), { hostName: 'h', identityFiles: [] });
  });

  it('matches host patterns with ? and case-insensitively, ignores a bad port', () => {
    const cfg = 'Host web?\n  HostName 10.0.0.%h\n  Port 99999\n';
    assert.equal(resolveSshHost(cfg, 'WEB1', env).hostName, '10.0.0.WEB1');
    assert.equal(resolveSshHost(cfg, 'web12', env).hostName, 'web12');
    assert.equal(resolveSshHost(cfg, 'web1', env).port, undefined);
  });
});
