import * as assert from 'assert';
import { findingFor } from '../../../src/core/errors/catalogue';
import { isDevKitError } from '../../../src/core/errors/devkitError';
import { requireTransferPortal } from '../../../src/core/salesiq/testTransfer';
import { validationRequest, validityOf } from '../../../src/core/salesiq/validate';

const NAMES = { screenName: 'salesiq.screenName', appId: 'salesiq.appId', departmentId: 'salesiq.departmentId' };
const USER_TOKEN = '1000.aaaa.bbbb';
const ORG_TOKEN = '1005.aaaa.bbbb';

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isDevKitError(e));
    assert.deepStrictEqual([e.finding.category, e.finding.action], ['config', 'fix-config']);
    return e.finding.explanation;
  }
  throw new Error('did not throw');
}

describe('salesiq/validate: the one way every front end checks a token', () => {
  it('a user token lists the portals, or the departments of the given portal', () => {
    assert.strictEqual(validationRequest(USER_TOKEN, {}, NAMES).endpoint, '/api/v2/portals');
    const r = validationRequest(USER_TOKEN, { screenName: 'zylker', appId: '42' }, NAMES);
    assert.deepStrictEqual(r, { endpoint: '/api/v2/zylker/departments', screenName: 'zylker', appId: undefined });
  });

  it('an org token reads its brand app, and without one says which settings to set', () => {
    assert.strictEqual(validationRequest(ORG_TOKEN, { screenName: 'zylker', appId: '42' }, NAMES).endpoint, '/api/v2/zylker/apps/42');
    assert.match(thrown(() => validationRequest(ORG_TOKEN, { screenName: 'zylker' }, NAMES)), /salesiq\.screenName and salesiq\.appId/);
  });

  it('reads a refusal as expired, missing scope, wrong portal or failed', () => {
    assert.strictEqual(validityOf(findingFor('salesiq', 1001)), 'expired');
    assert.strictEqual(validityOf(findingFor('salesiq', 1008)), 'expired');
    assert.strictEqual(validityOf(findingFor('salesiq', 1009)), 'missing-scope');
    assert.strictEqual(validityOf(findingFor('salesiq', 1005)), 'wrong-portal');
    assert.strictEqual(validityOf(findingFor('network', 'ECONNREFUSED')), 'failed');
  });

  it('the test transfer names every missing setting at once, in the front end\'s own words', () => {
    const explanation = thrown(() => requireTransferPortal({ appId: '42' }, { ...NAMES, where: ' in Settings' }, ['a profile named "org"']));
    assert.match(explanation, /^Set salesiq\.screenName, salesiq\.departmentId, a profile named "org" in Settings\./);
    const portal = { screenName: 'zylker', appId: '42', departmentId: '7' };
    assert.deepStrictEqual(requireTransferPortal(portal, NAMES), portal);
  });
});
