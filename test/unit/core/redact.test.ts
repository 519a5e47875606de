import * as assert from 'assert';
import { maskToken, redact } from '../../../src/core/redact';

const TOKEN = '1000.a1b2c3d4e5f60718293a4b5c6d7e8f90.0123456789abcdef0123456789ab9f0e';

describe('redact', () => {
  it('masks a Zoho token to prefix, four characters and the last four', () => {
    assert.strictEqual(maskToken(TOKEN), '1000.a1b2…9f0e');
    assert.strictEqual(redact(`token=${TOKEN} ok`).includes(TOKEN), false);
    assert.ok(redact(`got ${TOKEN}`).includes('1000.a1b2…9f0e'));
  });

  it('masks Authorization headers, form fields and JSON fields', () => {
    const text = `Authorization: Zoho-oauthtoken ${TOKEN}\nclient_secret=s3cr3tvalue123&refresh_token=${TOKEN}\n{"access_token":"${TOKEN}","client_secret":"abcdefabcdef99"}`;
    const out = redact(text);
    for (const secret of [TOKEN, 's3cr3tvalue123', 'abcdefabcdef99']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.ok(out.includes('Zoho-oauthtoken 1000.a1b2…9f0e'));
  });

  it('masks any known secret, whatever its shape', () => {
    const out = redact('password is Hunter2-ish!', ['Hunter2-ish!']);
    assert.ok(!out.includes('Hunter2-ish!'));
  });

  it('leaves ordinary text alone', () => {
    assert.strictEqual(redact('HTTP 400 {"error":{"code":1001}}'), 'HTTP 400 {"error":{"code":1001}}');
  });
});

describe('redact grant codes', () => {
  it('masks code= in URLs but keeps SalesIQ error codes readable', () => {
    const out = redact('GET /cb?code=1000.abcdef0123456789.fedcba9876543210&location=in {"error":{"code":1008}}');
    assert.ok(!out.includes('1000.abcdef0123456789.fedcba9876543210'));
    assert.ok(out.includes('"code":1008'));
    assert.strictEqual(redact('llm-chatbot.service: Main process exited, code=exited, status=1/FAILURE'), 'llm-chatbot.service: Main process exited, code=exited, status=1/FAILURE');
  });
});
