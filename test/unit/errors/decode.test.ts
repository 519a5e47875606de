import * as assert from 'assert';
import { findingFor } from '../../../src/core/errors/catalogue';
import { decodeText } from '../../../src/core/errors/decode';
import { formatFindingsMarkdown } from '../../../src/core/errors/format';
import { isDecodingFailure } from '../../../src/core/errors/internal';
import type { Finding } from '../../../src/core/errors/finding';
import { assertValidFinding } from './assertFinding';
import { SAMPLES } from './samples';

/** [source, code, httpStatus] of each finding, in order: the part of a decode a user reads first. */
function keys(text: string): Array<[string, string | number | null, number | null]> {
  const findings = decodeText(text);
  findings.forEach((f) => assertValidFinding(f));
  return findings.map((f) => [f.source, f.code, f.httpStatus]);
}

function one(text: string): Finding {
  const f = decodeText(text);
  assert.strictEqual(f.length, 1, JSON.stringify(f));
  return f[0];
}

describe('errors/decode: bodies', () => {
  it('reads a raw SalesIQ error body', () => {
    assert.deepStrictEqual(keys(SAMPLES.salesiqRaw), [['salesiq', 1001, null]]);
    assert.strictEqual(one(SAMPLES.salesiqRaw).details?.message, 'Unknown authentication error, Contact SalesIQ Team!');
  });

  it('takes the HTTP status from "HTTP 400" before the JSON', () => {
    const f = one(SAMPLES.salesiqAfterStatus);
    assert.deepStrictEqual([f.code, f.httpStatus, f.action], [1001, 400, 'refresh']);
  });

  it('reads curl -i output: status line, headers, body with json_key', () => {
    const f = one(SAMPLES.curl);
    assert.deepStrictEqual([f.source, f.code, f.httpStatus], ['salesiq', 1007, 400]);
    assert.strictEqual(f.details?.json_key, 'department.status');
    assert.match(f.explanation, /`department\.status`/);
  });

  it('reads a journal line with a prefix, status= and embedded JSON', () => {
    assert.deepStrictEqual(keys(SAMPLES.journal), [['salesiq', 1008, 400]]);
  });

  it('reads Python dict reprs (single quotes, True/False/None)', () => {
    assert.deepStrictEqual(keys(SAMPLES.pythonDict), [['salesiq', 1009, null]]);
  });

  it('reads Node inspect output with bare keys', () => {
    assert.deepStrictEqual(keys("{ error: { code: 1023, message: 'Too many requests, lease try after sometime' } }"), [['salesiq', 1023, null]]);
  });

  it('reads a body logged without its envelope ({"code":1001,"message":…})', () => {
    assert.deepStrictEqual(keys('salesiq error: {"code": 1001, "message": "Unknown authentication error, Contact SalesIQ Team!"}'), [['salesiq', 1001, null]]);
  });

  it('still finds the code in truncated JSON', () => {
    assert.deepStrictEqual(keys(SAMPLES.truncated), [['salesiq', 1001, null]]);
  });

  it('reads JSON quoted inside a JSON string (escaped)', () => {
    const text = '{"level":"error","body":"{\\"error\\":{\\"code\\":1005,\\"message\\":\\"Invalid portal or wrong screen name.\\"}}"}';
    assert.deepStrictEqual(keys(text), [['salesiq', 1005, null]]);
  });

  it('classifies by error.code, never by the message (the "Invalid" substring bug)', () => {
    const swapped = '{"error":{"code":1001,"message":"Invalid OAuthScope."}}';
    assert.strictEqual(one(swapped).category, 'auth');
    const noInvalid = '{"error":{"code":1009,"message":"Unknown authentication error"}}';
    assert.strictEqual(one(noInvalid).category, 'scope');
  });

  it('reads OAuth bodies, keeping HTTP 200 as the status', () => {
    assert.deepStrictEqual(keys(SAMPLES.oauthInvalidClient), [['oauth', 'invalid_client', 200]]);
    assert.deepStrictEqual(keys(SAMPLES.oauthInvalidCode), [['oauth', 'invalid_code', null]]);
    const throttle = one(SAMPLES.oauthThrottle);
    assert.deepStrictEqual([throttle.code, throttle.category, throttle.action], ['Access Denied', 'rate-limit', 'wait']);
    const otherDc = one(SAMPLES.oauthOtherDc);
    assert.strictEqual(otherDc.details?.user_location, 'eu');
    assert.match(otherDc.explanation, /eu data centre/);
  });

  it('recognises a throttle answer a log line cut short, before or inside its error word', () => {
    assert.deepStrictEqual(keys(SAMPLES.oauthThrottleCutInWord), [['oauth', 'Access Denied', null]]);
    assert.deepStrictEqual(keys(SAMPLES.oauthThrottleCutBeforeWord), [['oauth', 'Access Denied', null]]);
    assert.strictEqual(one(SAMPLES.oauthThrottleCutBeforeWord).action, 'wait');
  });

  it('reads the token errors of Zoho\'s other APIs (CRM, Desk) that the same token reaches', () => {
    const invalid = one(SAMPLES.zohoApiInvalidToken);
    assert.deepStrictEqual([invalid.source, invalid.code, invalid.httpStatus, invalid.action], ['oauth', 'INVALID_TOKEN', 401, 'refresh']);
    assert.strictEqual(invalid.details?.message, 'invalid oauth token');
    const failure = one(SAMPLES.zohoApiAuthFailure);
    assert.deepStrictEqual([failure.code, failure.category, failure.action], ['AUTHENTICATION_FAILURE', 'auth', 'refresh']);
    const scope = one(SAMPLES.zohoApiScopeMismatch);
    assert.deepStrictEqual([scope.code, scope.category, scope.action], ['OAUTH_SCOPE_MISMATCH', 'scope', 'reauthorize']);
    const other = one('{"code":"INVALID_DATA","details":{"api_name":"Email"},"message":"invalid data","status":"error"}');
    assert.deepStrictEqual([other.source, other.code], ['unknown', 'INVALID_DATA']);
  });

  it('reads OAuth error words a framework logs bare, once per word even beside their body', () => {
    assert.deepStrictEqual(keys(SAMPLES.frameworkInvalidClient), [['oauth', 'invalid_client', null]]);
    assert.deepStrictEqual(keys(SAMPLES.frameworkInvalidCode), [['oauth', 'invalid_code', null]]);
    assert.deepStrictEqual(keys(`refresh failed: invalid_code ${SAMPLES.oauthInvalidCode}`), [['oauth', 'invalid_code', null]]);
    assert.deepStrictEqual(keys(SAMPLES.oauthInvalidClient), [['oauth', 'invalid_client', 200]]);
    assert.deepStrictEqual(keys('the flag is_invalid_code_path was set; invalid_codes=0'), []);
  });

  it('does not take a Node error dump\'s capitalised code for a Zoho API error', () => {
    assert.deepStrictEqual(keys(SAMPLES.nodeRefused), [['network', 'ECONNREFUSED', null]]);
  });

  it('reports an unknown error string honestly, not as OAuth', () => {
    const f = one('{"error":"Something Broke"}');
    assert.deepStrictEqual([f.source, f.code, f.category], ['unknown', 'Something Broke', 'unknown']);
  });

  it('reports HTML error pages with the status from the title', () => {
    const f = one(SAMPLES.html503);
    assert.deepStrictEqual([f.source, f.code, f.httpStatus, f.action], ['http', 'html', 503, 'retry']);
  });

  it('pairs an HTML page with the status line before it and ignores prose inside the page', () => {
    const text = 'HTTP/1.1 404 Not Found\ncontent-type: text/html\n\n<!DOCTYPE html><html><body>Connection timed out, sudo: a password is required</body></html>';
    assert.deepStrictEqual(keys(text), [['http', 'html', 404]]);
  });

  it('turns a lone 4xx/5xx status line into an http finding, but not a 2xx', () => {
    assert.deepStrictEqual(keys('HTTP/1.1 502 Bad Gateway\nserver: nginx\n\n'), [['http', 502, 502]]);
    assert.deepStrictEqual(keys("requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://salesiq.zoho.in/api/v2/portals"), [['http', 401, 401]]);
    assert.deepStrictEqual(keys('HTTP/1.1 200 OK\ncontent-length: 0\n'), []);
  });

  it('keeps a status mentioned in a log line to that line and the next', () => {
    const text = 'Nov 25 11:30:00 web1 app[1]: GET /x status=200 ok\nNov 25 11:30:01 web1 app[1]: tick\nNov 25 11:30:02 web1 app[1]: {"error":{"code":1008,"message":"Invalid OAuthToken."}}';
    assert.deepStrictEqual(keys(text), [['salesiq', 1008, null]]);
    assert.deepStrictEqual(keys('transfer failed with HTTP 400:\n{"error":{"code":1008}}'), [['salesiq', 1008, 400]]);
    assert.deepStrictEqual(keys('* Connected\n< HTTP/1.1 401 Unauthorized\n< a: b\n< c: d\n<\n{"error":{"code":1002,"message":"Invalid authorization header."}}'), [['salesiq', 1002, 401]]);
  });

  it('folds duplicates (same source, code and status) and keeps distinct ones in text order', () => {
    const text = [SAMPLES.salesiqAfterStatus, SAMPLES.salesiqAfterStatus, SAMPLES.salesiqRaw, SAMPLES.oauthInvalidCode, SAMPLES.sudoTty].join('\n');
    assert.deepStrictEqual(keys(text), [
      ['salesiq', 1001, 400],
      ['salesiq', 1001, null],
      ['oauth', 'invalid_code', null],
      ['sudo', 'tty-required', null],
    ]);
  });

  it('yields nothing for success bodies and plain prose', () => {
    for (const text of [SAMPLES.successToken, SAMPLES.successList, SAMPLES.prose, '', '{}', '{"error":null}', '{"error":""}', 'error: none']) {
      assert.deepStrictEqual(decodeText(text), [], text);
    }
  });

  it('masks tokens that appear in extracted messages', () => {
    const f = one('{"error":{"code":1008,"message":"Invalid OAuthToken 1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"}}');
    assert.ok(!f.details?.message?.includes('0123456789abcdef0123456789abcdef'), f.details?.message);
  });
});

describe('errors/decode: a bug inside the decoder', () => {
  it('says decoding failed and logs it, instead of "no error found"', () => {
    const logged: string[] = [];
    // A context whose token cannot be read stands in for any bug met while building the evidence.
    const context = {
      get token(): { expiresAt: number } {
        throw new Error('boom while reading the token');
      },
      onInternalError: (where: string, err: unknown) => logged.push(`${where}: ${(err as Error).message}`),
    };
    const findings = decodeText(SAMPLES.salesiqAfterStatus, context);
    assert.strictEqual(findings.length, 1);
    assertValidFinding(findings[0]);
    assert.match(findings[0].title, /^Decoding failed: Error: boom while reading the token/);
    assert.deepStrictEqual([findings[0].category, findings[0].action], ['unknown', 'contact-support']);
    assert.ok(isDecodingFailure(findings[0]));
    assert.deepStrictEqual(logged, ['the decoder: boom while reading the token']);
    assert.match(formatFindingsMarkdown(findings), /Decoding failed/);
  });

  it('a catalogue bug keeps the error\'s source and code and says decoding failed', () => {
    const details = {} as Record<string, string>;
    Object.defineProperty(details, 'evidence', { enumerable: true, get: () => { throw new Error('bad entry'); } });
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const f = findingFor('salesiq', 1001, { details });
      assertValidFinding(f);
      assert.deepStrictEqual([f.source, f.code, f.action], ['salesiq', 1001, 'contact-support']);
      assert.match(f.title, /^Decoding failed: Error: bad entry/);
    } finally {
      console.error = original;
    }
    assert.strictEqual(errors.length, 1);
    assert.match(String(errors[0][0]), /^salesiq-devkit: decoding failed in the catalogue: Error: bad entry/);
  });
});

describe('errors/decode: network, ssh, sudo, systemd', () => {
  it('reads a Python requests ConnectionError traceback as one finding with host and reason', () => {
    const f = one(SAMPLES.pythonConnectionError);
    assert.deepStrictEqual([f.source, f.code], ['network', 'ConnectionError']);
    assert.strictEqual(f.details?.address, 'salesiq.zoho.in:443');
    assert.match(f.details?.reason ?? '', /Connection refused/);
  });

  it('reads ReadTimeout and SSLError', () => {
    assert.deepStrictEqual(keys(SAMPLES.pythonReadTimeout), [['network', 'ReadTimeout', null]]);
    assert.deepStrictEqual(keys(SAMPLES.pythonSslError), [['network', 'SSLError', null]]);
  });

  it('reads Node errors with their address', () => {
    const refused = one(SAMPLES.nodeRefused);
    assert.deepStrictEqual([refused.code, refused.details?.address], ['ECONNREFUSED', '127.0.0.1:443']);
    const notFound = one(SAMPLES.nodeNotFound);
    assert.deepStrictEqual([notFound.code, notFound.details?.address], ['ENOTFOUND', 'accounts.zoho.com']);
    assert.strictEqual(one('Error: self-signed certificate in certificate chain { code: \'SELF_SIGNED_CERT_IN_CHAIN\' }').code, 'SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('keeps a Node TLS code whole (CERT_HAS_EXPIRED, not CERT)', () => {
    const f = one(SAMPLES.nodeCertExpired);
    assert.deepStrictEqual([f.source, f.code, f.action], ['network', 'CERT_HAS_EXPIRED', 'fix-config']);
    assert.strictEqual(one("Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames").code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('maps Python errno prose when no exception name is present', () => {
    assert.strictEqual(one('socket.gaierror: [Errno -2] Name or service not known').code, 'ENOTFOUND');
    assert.strictEqual(one('OSError: [Errno -3] Temporary failure in name resolution').code, 'EAI_AGAIN');
  });

  it('reads curl errors', () => {
    const f = one('curl: (6) Could not resolve host: accounts.zoho.in');
    assert.deepStrictEqual([f.code, f.details?.address], ['ENOTFOUND', 'accounts.zoho.in']);
    assert.strictEqual(one('curl: (7) Failed to connect to localhost port 443 after 0 ms: Connection refused').code, 'ECONNREFUSED');
  });

  it('reads SSH host-key messages; a changed key is the only finding and carries the fingerprint', () => {
    const changed = one(SAMPLES.sshChanged);
    assert.deepStrictEqual([changed.code, changed.action], ['host-key-changed', 'contact-support']);
    assert.strictEqual(changed.details?.fingerprint, 'SHA256:q3d8mD2yJ0vKq1mYy6Hc2qE6Xy7nK3b1s0f9R1Yz3xQ');
    assert.deepStrictEqual(keys(SAMPLES.sshUnknown), [['ssh', 'host-key-unknown', null]]);
  });

  it('reads SSH login, refusal and timeout messages as ssh, not network', () => {
    assert.deepStrictEqual(keys(SAMPLES.sshPublickey), [['ssh', 'auth-failed', null]]);
    assert.deepStrictEqual(keys(SAMPLES.sshRefused), [['ssh', 'refused', null]]);
    assert.deepStrictEqual(keys(SAMPLES.sshTimedOut), [['ssh', 'timeout', null]]);
    assert.deepStrictEqual(keys('Error: Cannot parse privateKey: OpenSSH key integrity check failed -- bad passphrase?'), [['ssh', 'passphrase', null]]);
  });

  it('reads sudo messages', () => {
    assert.deepStrictEqual(keys(SAMPLES.sudoPassword), [['sudo', 'password-required', null]]);
    assert.deepStrictEqual(keys(SAMPLES.sudoTerminal), [['sudo', 'password-required', null]]);
    const tty = one(SAMPLES.sudoTty);
    assert.strictEqual(tty.code, 'tty-required');
    assert.match(tty.explanation, /!requiretty/);
    const notAllowed = one(SAMPLES.sudoNotAllowed);
    assert.deepStrictEqual([notAllowed.code, notAllowed.details?.user], ['not-allowed', 'deploy']);
    assert.deepStrictEqual(keys(SAMPLES.sudoWrong), [['sudo', 'password-wrong', null]]);
  });

  it('reads systemd messages with the unit name', () => {
    const job = one(SAMPLES.systemdJob);
    assert.deepStrictEqual([job.code, job.details?.unit], ['job-failed', 'llm-chatbot.service']);
    assert.deepStrictEqual([one(SAMPLES.systemdNotFound).code, one(SAMPLES.systemdNotFound).details?.unit], ['unit-not-found', 'nope.service']);
    assert.strictEqual(one(SAMPLES.systemdCouldNot).code, 'unit-not-found');
    const auth = one(SAMPLES.systemdInteractive);
    assert.strictEqual(auth.code, 'interactive-auth');
    assert.match(auth.explanation, /without sudo|not through sudo/);
  });

  it('finds several different errors in one paste, in order', () => {
    const text = [SAMPLES.journal, SAMPLES.sshRefused, SAMPLES.sudoTty, SAMPLES.nodeRefused, SAMPLES.oauthInvalidClient].join('\n');
    assert.deepStrictEqual(keys(text), [
      ['salesiq', 1008, 400],
      ['ssh', 'refused', null],
      ['sudo', 'tty-required', null],
      ['network', 'ECONNREFUSED', null],
      ['oauth', 'invalid_client', 200],
    ]);
  });

  it('finds the one error in a 1 MB log', () => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 1_048_576; i++) {
      const line = `Nov 25 11:${String(i % 60).padStart(2, '0')}:02 web1 app[812]: INFO request ${i} ok {"path":"/api/v2/x","code":200} status 200`;
      lines.push(line);
      size += line.length + 1;
    }
    lines.splice(Math.floor(lines.length / 2), 0, 'Nov 25 11:37:02 web1 app[812]: ERROR HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}');
    assert.deepStrictEqual(keys(lines.join('\n')), [['salesiq', 1001, 400]]);
  });
});
