import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REMOTE_DEFAULTS, SUDO_MODES } from '../../../src/core/defaults';

/** package.json's settings are data a manifest cannot import: this keeps them equal to the code's defaults. */
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8'));
const settings: Record<string, { default?: unknown; enum?: unknown[] }> = Object.assign(
  {},
  ...[manifest.contributes.configuration].flat().map((c: { properties: object }) => c.properties),
);
const PREFIX = 'salesiq.remote.';

describe('defaults', () => {
  it('package.json\'s salesiq.remote.* defaults equal core/defaults', () => {
    for (const [key, value] of Object.entries(REMOTE_DEFAULTS)) {
      assert.ok(settings[PREFIX + key], `package.json contributes ${PREFIX}${key}`);
      assert.deepStrictEqual(settings[PREFIX + key].default, value, PREFIX + key);
    }
  });

  it('every other salesiq.remote.* default is empty: nothing to fall back on in code', () => {
    const others = Object.keys(settings).filter((k) => k.startsWith(PREFIX) && !(k.slice(PREFIX.length) in REMOTE_DEFAULTS));
    assert.ok(others.includes(`${PREFIX}host`), 'the host has no default');
    const empty = (v: unknown) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
    for (const k of others) assert.ok(empty(settings[k].default), `${k}: ${JSON.stringify(settings[k].default)}`);
  });

  it('the sudo setting offers exactly the sudo modes', () => {
    assert.deepStrictEqual(settings[`${PREFIX}sudo`].enum, [...SUDO_MODES]);
  });
});
