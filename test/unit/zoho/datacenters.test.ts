import * as assert from 'node:assert/strict';
import { dataCenterFromAccountsUrl, dataCenterFromApiDomain, endpointsFor, isDataCenter } from '../../../src/core/zoho/datacenters';

describe('datacenters', () => {
  it('routes India to accounts.zoho.in and salesiq.zoho.in', () => {
    assert.deepEqual(endpointsFor('in'), { accountsUrl: 'https://accounts.zoho.in', salesiqUrl: 'https://salesiq.zoho.in' });
  });

  it('uses zohocloud.ca for Canada', () => {
    assert.equal(endpointsFor('ca').accountsUrl, 'https://accounts.zohocloud.ca');
  });

  it('fills {dc} in an override so one setting serves every DC, without a trailing slash', () => {
    const o = { accountsUrl: 'http://127.0.0.1:7357/accounts/{dc}/', salesiqUrl: 'http://127.0.0.1:7357/salesiq/{dc}' };
    assert.deepEqual(endpointsFor('com.au', o), {
      accountsUrl: 'http://127.0.0.1:7357/accounts/com.au',
      salesiqUrl: 'http://127.0.0.1:7357/salesiq/com.au',
    });
  });

  it('keeps the DC default for the server that is not overridden', () => {
    assert.equal(endpointsFor('eu', { accountsUrl: 'https://accounts.example' }).salesiqUrl, 'https://salesiq.zoho.eu');
  });

  it('knows exactly the nine DC ids', () => {
    for (const dc of ['com', 'eu', 'in', 'com.au', 'jp', 'com.cn', 'ca', 'sa', 'uk']) assert.ok(isDataCenter(dc), dc);
    for (const s of ['us', 'IN', 'zoho.in', '', 'toString']) assert.equal(isDataCenter(s), false, s);
  });

  it('hints the DC from api_domain', () => {
    assert.equal(dataCenterFromApiDomain('https://www.zohoapis.in'), 'in');
    assert.equal(dataCenterFromApiDomain('https://www.zohoapis.com.au'), 'com.au');
    assert.equal(dataCenterFromApiDomain('https://www.zohoapis.ca'), 'ca');
    assert.equal(dataCenterFromApiDomain('https://www.example.com'), null);
    assert.equal(dataCenterFromApiDomain(undefined), null);
  });

  it('tells which DC an accounts URL (or a {dc} sandbox URL) belongs to', () => {
    assert.equal(dataCenterFromAccountsUrl('https://accounts.zoho.in/'), 'in');
    assert.equal(dataCenterFromAccountsUrl('https://accounts.zohocloud.ca'), 'ca');
    assert.equal(dataCenterFromAccountsUrl('http://127.0.0.1:7357/accounts/com.au'), 'com.au');
    assert.equal(dataCenterFromAccountsUrl('https://sso.example.com'), null);
  });
});
