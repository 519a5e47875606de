import * as assert from 'node:assert/strict';
import { connect } from '../../src/core/ssh/connect';
import type { SshSession } from '../../src/core/ssh/session';
import { readFile } from '../../src/core/ssh/remoteFile';
import { preflight } from '../../src/core/ssh/sudo';
import { fixture } from './hooks';
import { findingOf } from './expectFinding';

describe('preflight: login shell and sudo modes against real sudo', function () {
  this.timeout(30_000);
  let s: SshSession;

  // A fresh connection per case: DevKit decides sudo once per connection and remembers it.
  beforeEach(async () => {
    s = await connect(fixture().connectOptions());
  });
  afterEach(() => {
    s?.close();
    fixture().setSudoMode('nopasswd');
    fixture().setNoisyShell(false);
  });

  it('uses no-password sudo when the rule allows it, and can read the root-only .env', async () => {
    const p = await preflight(s, { mode: 'auto' });
    assert.deepEqual(p, { mode: 'nopasswd' });
    const f = await readFile(s, p, fixture().envPath);
    assert.ok(f.content.equals(fixture().readEnv()));
  });

  it('never sends a password when sudo needs none (it would reach the command as input)', async () => {
    assert.deepEqual(await preflight(s, { mode: 'password', sudoPassword: fixture().password }), { mode: 'nopasswd' });
  });

  it('validates a right sudo password and then uses it', async () => {
    fixture().setSudoMode('password');
    const p = await preflight(s, { mode: 'password', sudoPassword: fixture().password });
    assert.equal(p.mode, 'password');
    const f = await readFile(s, p, fixture().envPath);
    assert.ok(f.content.equals(fixture().readEnv()));
  });

  it('reports password-wrong after exactly one attempt (nothing else on stdin reached sudo)', async () => {
    fixture().setSudoMode('password');
    const before = fixture().sudoLog().length;
    const f = await findingOf(() => preflight(s, { mode: 'password', sudoPassword: 'wrong-password' }));
    assert.equal(f.code, 'password-wrong');
    const log = fixture().sudoLog().slice(before);
    assert.match(log, /1 incorrect password attempt/);
    assert.doesNotMatch(log, /[23] incorrect password attempts/);
  }).timeout(30_000);

  it('reports password-required in auto mode without a password', async () => {
    fixture().setSudoMode('password');
    const f = await findingOf(() => preflight(s, { mode: 'auto' }));
    assert.equal(f.code, 'password-required');
  });

  it('detects requiretty and names the sudoers line that fixes it', async () => {
    fixture().setSudoMode('requiretty');
    const f = await findingOf(() => preflight(s, { mode: 'auto' }));
    assert.equal(f.code, 'tty-required');
    assert.equal(f.details?.fix, `Defaults:${fixture().user} !requiretty`);
    assert.ok(f.explanation.includes(`Defaults:${fixture().user} !requiretty`), f.explanation);
  });

  it('detects a narrow sudoers rule that lists only specific commands', async () => {
    fixture().setSudoMode('narrow');
    const f = await findingOf(() => preflight(s, { mode: 'nopasswd' }));
    assert.equal(f.code, 'not-allowed');
  });

  it('reports a user without any sudo rule', async () => {
    fixture().setSudoMode('none');
    const f = await findingOf(() => preflight(s, { mode: 'password', sudoPassword: fixture().password }));
    assert.equal(f.code, 'not-allowed');
  }).timeout(30_000);

  it('refuses a login shell that prints at start-up (noisy .bashrc)', async () => {
    fixture().setNoisyShell(true);
    const f = await findingOf(() => preflight(s, { mode: 'auto' }));
    assert.equal(f.code, 'noisy-shell');
    assert.match(f.details?.printed ?? '', /Welcome/);
  });
});
