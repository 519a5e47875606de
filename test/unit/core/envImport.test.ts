import * as assert from 'assert';
import { credentialsFromEnv } from '../../../src/core/credentials/envImport';

describe('credentials from .env', () => {
  it('reads the SALESIQ_* and SALESIQ_VISITOR_* sets and nothing else', () => {
    const env = Buffer.from(
      [
        'OPENAI_API_KEY=sk-not-ours',
        'SALESIQ_CLIENT_ID=1000.CID',
        'SALESIQ_CLIENT_SECRET="sec"',
        'export SALESIQ_REFRESH_TOKEN=1000.aa.bb',
        'SALESIQ_ACCESS_TOKEN=1000.cc.dd',
        'SALESIQ_VISITOR_CLIENT_ID=1000.VID',
        'SALESIQ_VISITOR_CLIENT_SECRET=vsec',
        'SALESIQ_VISITOR_REFRESH_TOKEN=1005.ee.ff',
      ].join('\n'),
    );
    const r = credentialsFromEnv(env);
    assert.deepStrictEqual(r.main && { id: r.main.clientId, s: r.main.clientSecret, rt: r.main.refreshToken, at: r.main.accessToken, key: r.main.envKey }, { id: '1000.CID', s: 'sec', rt: '1000.aa.bb', at: '1000.cc.dd', key: 'SALESIQ_ACCESS_TOKEN' });
    assert.strictEqual(r.visitor?.refreshToken, '1005.ee.ff');
    assert.strictEqual(r.visitor?.envKey, 'SALESIQ_VISITOR_ACCESS_TOKEN');
    assert.ok(!JSON.stringify(r).includes('sk-not-ours'));
  });

  it('reports an incomplete set instead of importing half of it', () => {
    const r = credentialsFromEnv(Buffer.from('SALESIQ_CLIENT_ID=1000.CID\nSALESIQ_ACCESS_TOKEN=1000.a.b\n'));
    assert.strictEqual(r.main, undefined);
    assert.deepStrictEqual(r.incomplete, ['SALESIQ_*: missing SALESIQ_CLIENT_SECRET, SALESIQ_REFRESH_TOKEN']);
  });
});
