import * as assert from 'node:assert/strict';
import { envKeyProblem, envPathProblem, hostProblem, inputError, unitNameProblem, userProblem } from '../../../src/core/ssh/targetRules';

describe('target rules (checked before any connection)', () => {
  it('accept the usual .env paths', () => {
    for (const p of ['/opt/llm-chatbot/.env', '/srv/app/prod.env', '/home/deploy/app/.env.production', '/tmp/sdk-sshd.AbC123/app/.env', '/.env', '/opt/my app/.env']) {
      assert.equal(envPathProblem(p), undefined, p);
    }
  });

  it('refuse a relative path, odd characters, . and .. segments, a trailing slash', () => {
    const cases: [string, RegExp][] = [
      ['app/.env', /not an absolute path/],
      ["/opt/it's/.env", /a single quote/],
      ['/opt/a\nb/.env', /control character \(0x0a\)/],
      ['/opt/$(reboot)/.env', /the character "\$"/],
      ['/opt/a!b/.env', /the character "!"/],
      ['/opt/../etc/.env', /\. or \.\. segments/],
      ['/opt/./app/.env', /\. or \.\. segments/],
      ['/opt//app/.env', /double slash/],
      ['/opt/app/', /names a directory/],
      ['', /empty/],
      [`/${'a'.repeat(5000)}/.env`, /longer than 4096/],
    ];
    for (const [p, why] of cases) assert.match(envPathProblem(p) ?? '', why, JSON.stringify(p));
  });

  it('refuse system directories whatever the name, and also with --allow-any-name', () => {
    for (const p of ['/etc/shadow', '/etc/app/.env', '/proc/self/environ', '/sys/x.env', '/dev/zero', '/boot/.env', '/usr/lib/app/.env', '/bin/.env', '/sbin/.env', '/lib/.env', '/lib64/.env']) {
      assert.match(envPathProblem(p, { allowAnyName: true }) ?? '', /system directory/, p);
    }
    assert.equal(envPathProblem('/etcetera/.env'), undefined, 'a name that only starts like /etc is fine');
  });

  it('want an env-like name unless allowAnyName', () => {
    for (const p of ['/opt/app/config.json', '/opt/app/.envrc', '/opt/app/env', '/opt/app/.env.']) {
      assert.match(envPathProblem(p) ?? '', /not a \.env file name/, p);
    }
    assert.equal(envPathProblem('/opt/app/config.json', { allowAnyName: true }), undefined);
  });

  it("never target DevKit's own backups or temp files", () => {
    for (const p of ['/opt/app/.env.bak-20250101120000', '/opt/app/.env.devkit-AbC123']) {
      assert.match(envPathProblem(p, { allowAnyName: true }) ?? '', /DevKit's own/, p);
    }
  });

  it('want shell-style keys', () => {
    for (const k of ['SALESIQ_ACCESS_TOKEN', '_x', 'a1']) assert.equal(envKeyProblem(k), undefined, k);
    for (const k of ['', '1A', 'A-B', 'A.B', 'A B', 'A=B', '-q', 'A;B', 'X'.repeat(129)]) assert.ok(envKeyProblem(k), k);
  });

  it('want unit names that no tool reads as an option', () => {
    for (const u of ['llm-chatbot', 'app@1.service', 'a_b:c']) assert.equal(unitNameProblem(u), undefined, u);
    for (const u of ['-q', '--no-block', '-Hroot@x', 'a b', "a'b", 'a;b', '']) assert.ok(unitNameProblem(u), u);
  });

  it('want plain host and user names', () => {
    for (const h of ['127.0.0.1', 'chatbot-prod', '[::1]', 'fe80::1%eth0']) assert.equal(hostProblem(h), undefined, h);
    for (const h of ['-oProxyCommand=x', 'a b', 'a;b', '']) assert.ok(hostProblem(h), h);
    for (const u of ['deploy', 'first.last@corp', 'svc$']) assert.equal(userProblem(u), undefined, u);
    for (const u of ['-l', 'a b', 'a:b', '']) assert.ok(userProblem(u), u);
  });

  it('word a refusal for what it is, as a config problem that names the input', () => {
    const e = inputError('--key', 'bad');
    assert.deepEqual([e.finding.code, e.finding.category, e.finding.action], ['invalid-input', 'config', 'fix-config']);
    assert.equal(e.finding.title, '--key: bad.');
    assert.match(e.finding.explanation, /Nothing was sent to the server/);
  });
});
