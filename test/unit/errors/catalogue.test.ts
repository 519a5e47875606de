import * as assert from 'assert';
import { explanationParts, findingFor, isKnownCode } from '../../../src/core/errors/catalogue';
import type { Source } from '../../../src/core/errors/finding';
import { assertValidFinding } from './assertFinding';

const DOCUMENTED = [
  1001, 1002, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1014, 1015, 1016, 1017, 1018, 1019, 1020, 1021, 1023, 1024,
  1025, 1026, 1027, 1028, 1029, 1031, 1054,
];
const UNDOCUMENTED = [1003, 1012, 1013, 1022, 1030];

describe('errors/catalogue', () => {
  describe('SalesIQ codes', () => {
    it('has a specific, complete entry for every documented code', () => {
      const titles = new Set<string>();
      for (const code of DOCUMENTED) {
        assert.ok(isKnownCode('salesiq', code), `missing ${code}`);
        const f = findingFor('salesiq', code);
        assertValidFinding(f, String(code));
        assert.strictEqual(f.code, code);
        assert.ok(f.title.includes(String(code)), `title names the code: ${f.title}`);
        titles.add(f.title);
      }
      assert.strictEqual(titles.size, DOCUMENTED.length, 'every code has its own title');
    });

    it('treats 1001 as an expired token: refresh, retryable, and explains the documented meaning differs', () => {
      const f = findingFor('salesiq', 1001, { httpStatus: 400 });
      assert.deepStrictEqual([f.category, f.action, f.retryable, f.httpStatus], ['auth', 'refresh', true, 400]);
      assert.match(f.explanation, /internal error/);
      assert.match(f.explanation, /expired/);
    });

    it('1008 refreshes; 1009 is a scope problem naming user 1000. vs org 1005. tokens', () => {
      const f1008 = findingFor('salesiq', 1008);
      assert.deepStrictEqual([f1008.category, f1008.action, f1008.retryable], ['auth', 'refresh', true]);
      const f1009 = findingFor('salesiq', 1009);
      assert.deepStrictEqual([f1009.category, f1009.retryable], ['scope', false]);
      assert.notStrictEqual(f1009.action, 'refresh');
      assert.match(f1009.explanation, /`1000\.`/);
      assert.match(f1009.explanation, /`1005\.`/);
      assert.match(f1009.explanation, /visitor API/);
    });

    it('1005 is configuration: screen name or data-centre host', () => {
      const f = findingFor('salesiq', 1005);
      assert.deepStrictEqual([f.category, f.action], ['config', 'fix-config']);
      assert.match(f.explanation, /screen name/);
      assert.match(f.explanation, /salesiq\.zoho\.in/);
    });

    it('1023 says wait, not retry now', () => {
      const f = findingFor('salesiq', 1023);
      assert.deepStrictEqual([f.category, f.action, f.retryable], ['rate-limit', 'wait', true]);
    });

    it('plan limits ask for an upgrade and keep literal API paths intact', () => {
      assert.strictEqual(findingFor('salesiq', 1021).action, 'upgrade-plan');
      assert.strictEqual(findingFor('salesiq', 1017).category, 'plan');
      assert.match(findingFor('salesiq', 1020).explanation, /\/api\/v2\/\{screen_name\}\/operators/);
    });

    it('gives undocumented codes an honest generic entry that shows the message', () => {
      for (const code of UNDOCUMENTED) {
        assert.ok(!isKnownCode('salesiq', code));
        const f = findingFor('salesiq', code, { message: 'Something odd' });
        assertValidFinding(f, String(code));
        assert.strictEqual(f.code, code);
        assert.strictEqual(f.category, 'unknown');
        assert.match(f.explanation, /not in SalesIQ's published error list/);
        assert.match(f.explanation, /Something odd/);
      }
    });

    it('puts json_key, param and header into details and the explanation', () => {
      const f = findingFor('salesiq', 1011, { details: { json_key: 'app_ids[0]', param: 'department_id', header: 'content-type' } });
      assert.strictEqual(f.details?.json_key, 'app_ids[0]');
      for (const s of ['`app_ids[0]`', '`department_id`', '`content-type`']) assert.ok(f.explanation.includes(s), s);
    });

    it('never lets the message decide the meaning', () => {
      const a = findingFor('salesiq', 1001, { message: 'Invalid OAuthScope.' });
      assert.strictEqual(a.category, 'auth');
      const b = findingFor('salesiq', 1009, { message: 'Unknown authentication error' });
      assert.strictEqual(b.category, 'scope');
    });

    it('accepts a code written as a string of digits', () => {
      assert.strictEqual(findingFor('salesiq', '1008').code, 1008);
      assert.strictEqual(findingFor('salesiq', '1008').action, 'refresh');
    });
  });

  describe('OAuth codes', () => {
    it('invalid_code → grant / reauthorize, naming revoked refresh tokens and expired grant codes', () => {
      const f = findingFor('oauth', 'invalid_code', { httpStatus: 200 });
      assert.deepStrictEqual([f.category, f.action, f.retryable, f.httpStatus], ['grant', 'reauthorize', false, 200]);
      assert.match(f.explanation, /revoked/);
      assert.match(f.explanation, /expired/);
    });

    it('invalid_client → config / fix-config, naming the data centre and client ID', () => {
      const f = findingFor('oauth', 'invalid_client');
      assert.deepStrictEqual([f.category, f.action], ['config', 'fix-config']);
      assert.match(f.explanation, /data centre/);
      assert.match(f.explanation, /client ID/);
    });

    it('Access Denied → rate-limit / wait, warning that retrying extends the lockout', () => {
      const f = findingFor('oauth', 'Access Denied');
      assert.deepStrictEqual([f.category, f.action, f.retryable], ['rate-limit', 'wait', true]);
      assert.match(f.explanation, /extends the lockout/);
      assert.strictEqual(findingFor('oauth', 'access denied').code, 'Access Denied', 'canonical spelling');
    });

    it('covers the other agreed OAuth words', () => {
      for (const code of ['invalid_client_secret', 'invalid_redirect_uri', 'other_dc', 'no_access_token', 'rate-limit-local']) {
        assert.ok(isKnownCode('oauth', code), code);
        assertValidFinding(findingFor('oauth', code), code);
      }
      assert.match(findingFor('oauth', 'other_dc', { details: { user_location: 'eu' } }).explanation, /the eu data centre/);
    });

    it('rate-limit-local shows when the next refresh is allowed', () => {
      const f = findingFor('oauth', 'rate-limit-local', { details: { nextAllowedAt: '2026-11-25T11:47:00.000Z' } });
      assert.deepStrictEqual([f.category, f.action], ['rate-limit', 'wait']);
      assert.match(f.explanation, /2026-11-25T11:47:00\.000Z/);
    });

    it('unknown OAuth words get a generic finding that quotes the description', () => {
      const f = findingFor('oauth', 'weird_thing', { message: 'described here' });
      assertValidFinding(f);
      assert.strictEqual(f.code, 'weird_thing');
      assert.match(f.explanation, /described here/);
    });
  });

  describe('HTTP statuses', () => {
    it('maps the common statuses and fills the status into generic 4xx/5xx text', () => {
      const expect: Array<[number | string, string, string]> = [
        [400, 'request', 'fix-request'], [401, 'auth', 'refresh'], [403, 'permission', 'fix-config'], [404, 'config', 'fix-config'],
        [408, 'network', 'retry'], [429, 'rate-limit', 'wait'], [500, 'server', 'retry'], [502, 'server', 'retry'],
        [503, 'server', 'retry'], [504, 'server', 'retry'], [599, 'server', 'retry'], [418, 'request', 'fix-request'],
        ['html', 'server', 'retry'], ['bad_json', 'server', 'retry'],
      ];
      for (const [code, category, action] of expect) {
        const f = findingFor('http', code);
        assertValidFinding(f, String(code));
        assert.deepStrictEqual([f.category, f.action], [category, action], String(code));
        if (typeof code === 'number') assert.strictEqual(f.httpStatus, code);
      }
      assert.match(findingFor('http', 599).title, /HTTP 599/);
      assert.match(findingFor('http', 418).explanation, /HTTP 418/);
    });

    it('an HTML page under a 4xx points at the URL, under a 5xx at an outage', () => {
      assert.deepStrictEqual([findingFor('http', 'html', { httpStatus: 404 }).action], ['fix-config']);
      assert.deepStrictEqual([findingFor('http', 'html', { httpStatus: 503 }).action], ['retry']);
    });
  });

  describe('network codes', () => {
    it('covers Node and Python spellings', () => {
      for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'CERT', 'ReadTimeout', 'ConnectionError', 'SSLError']) {
        assert.ok(isKnownCode('network', code), code);
        const f = findingFor('network', code);
        assertValidFinding(f, code);
        assert.strictEqual(f.category, 'network');
      }
      assert.strictEqual(findingFor('network', 'ETIMEDOUT').retryable, true);
      assert.strictEqual(findingFor('network', 'CERT').retryable, false);
    });

    it('keeps Node\'s TLS codes whole, explained by the certificate entry; folds undici codes into the agreed words', () => {
      for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
        const f = findingFor('network', code);
        assert.deepStrictEqual([f.code, f.action, f.retryable], [code, 'fix-config', false]);
        assert.strictEqual(f.title, findingFor('network', 'CERT').title);
        assert.ok(isKnownCode('network', code), code);
        assert.notStrictEqual(explanationParts(f).fix, '', 'the view splits it into meaning, cause and fix');
      }
      const timeout = findingFor('network', 'UND_ERR_CONNECT_TIMEOUT');
      assert.deepStrictEqual([timeout.code, timeout.details?.rawCode], ['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
    });
  });

  describe('ssh, sudo and systemd codes', () => {
    const agreed: Array<[Source, string[]]> = [
      ['ssh', ['host-key-unknown', 'host-key-changed', 'auth-failed', 'passphrase', 'refused', 'timeout', 'connection-lost', 'noisy-shell', 'conflict', 'not-regular-file', 'outcome-unknown']],
      ['sudo', ['password-required', 'password-wrong', 'tty-required', 'not-allowed']],
      ['systemd', ['job-failed', 'unit-not-found', 'interactive-auth', 'crash-after-restart', 'timeout', 'inactive']],
    ];
    it('has an entry for every agreed word', () => {
      for (const [source, codes] of agreed) {
        for (const code of codes) {
          assert.ok(isKnownCode(source, code), `${source} ${code}`);
          assertValidFinding(findingFor(source, code), `${source} ${code}`);
        }
      }
    });

    it('host-key-changed is a hard stop that sends the user to the server admin', () => {
      const f = findingFor('ssh', 'host-key-changed', { details: { fingerprint: 'SHA256:abc' } });
      // Not trust-host: DevKit's one-click trust is no answer to a key that changed.
      assert.deepStrictEqual([f.category, f.action, f.retryable], ['host-key', 'contact-support', false]);
      assert.match(f.explanation, /man-in-the-middle/);
      assert.match(f.explanation, /server admin/);
    });

    it('host-key-unknown offers trust only after comparing the fingerprint it shows', () => {
      const f = findingFor('ssh', 'host-key-unknown', { details: { fingerprint: 'SHA256:xyz' } });
      assert.strictEqual(f.action, 'trust-host');
      assert.match(f.explanation, /SHA256:xyz/);
    });

    it('sudo tty-required explains the !requiretty drop-in for the user', () => {
      const f = findingFor('sudo', 'tty-required', { details: { user: 'deploy' } });
      assert.match(f.explanation, /`Defaults:deploy !requiretty`/);
      assert.match(findingFor('sudo', 'tty-required').explanation, /`Defaults:<user> !requiretty`/);
    });

    it('sudo password-required suggests password mode or NOPASSWD', () => {
      const f = findingFor('sudo', 'password-required');
      assert.match(f.explanation, /password/);
      assert.match(f.explanation, /NOPASSWD/);
    });

    it('systemd interactive-auth says the command ran without sudo', () => {
      assert.match(findingFor('systemd', 'interactive-auth').explanation, /not through sudo/);
    });

    it('conflict says nothing was written and to retry', () => {
      const f = findingFor('ssh', 'conflict');
      assert.deepStrictEqual([f.action, f.retryable], ['retry', true]);
      assert.match(f.explanation, /changed/);
      assert.match(f.title, /nothing was written/);
    });
  });

  describe('fallbacks and parts', () => {
    it('never throws and returns a valid generic finding for anything unknown', () => {
      const odd: Array<[Source, string | number | null]> = [
        ['unknown', null], ['ssh', 'nope'], ['sudo', ''], ['systemd', 42], ['network', 'EWHATEVER'], ['http', 200], ['http', -1],
        ['salesiq', null], ['salesiq', 'abc'], ['bogus' as Source, 'x'], ['oauth', '__proto__'], ['oauth', 'constructor'], ['network', '__proto__'], ['http', 'toString'],
        ['salesiq', NaN], ['unknown', {} as unknown as string],
      ];
      for (const [s, c] of odd) assertValidFinding(findingFor(s, c), `${s} ${c}`);
      assert.strictEqual(findingFor('network', 'EWHATEVER').action, 'retry');
    });

    it('splits its own explanations back into meaning, cause and fix', () => {
      const f = findingFor('salesiq', 1007, { details: { json_key: 'department.status', evidence: 'Seen twice.' } });
      const p = explanationParts(f);
      assert.strictEqual([p.meaning, p.cause, p.fix].join(' '), f.explanation);
      assert.match(p.cause, /department\.status/);
      assert.match(p.cause, /Seen twice\./);
      assert.match(p.fix, /Correct the request/);
    });

    it('returns a foreign explanation whole as the meaning', () => {
      const f = { ...findingFor('salesiq', 1008), explanation: 'Custom text from elsewhere.' };
      assert.deepStrictEqual(explanationParts(f), { meaning: 'Custom text from elsewhere.', cause: '', fix: '' });
    });
  });
});
