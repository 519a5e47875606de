// The doctor on a server whose sudoers rule lists only specific commands (test/sshd's "narrow" rule: cat of the
// .env, systemctl restart/status and journalctl of the unit): it reads what the rule allows and what needs no
// sudo, and says what it cannot know instead of turning every server check into a failure or a guess.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemClock } from '../../src/core/token/clock';
import { type DoctorCheck, type ServerInput, serverChecks } from '../../src/core/flows/doctor';
import { connect } from '../../src/core/ssh/connect';
import { fixture, newToken } from './hooks';

const KEY = 'SALESIQ_ACCESS_TOKEN';

describe('doctor with a narrow sudoers rule, against OpenSSH and the real service', function () {
  this.timeout(60_000);

  const input = (): ServerInput => {
    const fx = fixture();
    return { name: 'fixture', connect: fx.connectOptions(), envPath: fx.envPath, key: KEY, service: fx.service, sudo: 'auto' };
  };
  const get = (checks: DoctorCheck[], id: string) => checks.find((c) => c.id === id)!;
  const envWith = (token: string) => fixture().readEnv().toString().replace(/^SALESIQ_ACCESS_TOKEN=.*$/m, `${KEY}=${token}`);

  /** The service restarted on `token` (with full sudo), then the rule narrowed (`mode`: a rule file in the fixture's sudoers dir). */
  async function runningOn(token: string, mode = 'narrow'): Promise<void> {
    const fx = fixture();
    fx.setSudoMode('nopasswd');
    fx.resetEnv(envWith(token));
    const s = await connect(fx.connectOptions());
    try {
      assert.equal((await s.exec(`sudo -n systemctl restart -- ${fx.service}`)).code, 0);
    } finally {
      s.close();
    }
    fx.setSudoMode(mode as 'narrow');
  }

  beforeEach(() => {
    const fx = fixture();
    fx.setFault('none');
    fx.setEnvMode('envfile');
  });
  afterEach(() => fixture().setSudoMode('nopasswd'));

  it('reads the .env and the journal through the rule, answers systemd without sudo, and reports service-token as a warning with the reason', async () => {
    const fx = fixture();
    const token = newToken();
    await runningOn(token);
    const before = { env: fx.readEnv(), pid: fx.mainPid() };
    const r = await serverChecks(input(), { clock: systemClock, devkitToken: Promise.resolve(token) });
    const st = Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    assert.deepEqual(st, {
      'host-key': 'pass', login: 'pass', sudo: 'fail', 'env-file': 'pass', 'env-key': 'pass', unit: 'pass',
      'unit-reads-env': 'pass', 'service-active': 'pass', 'service-token': 'warn', journal: 'pass',
    }, JSON.stringify(r.checks, null, 1));
    const sudo = get(r.checks, 'sudo');
    assert.match(sudo.title, /only specific commands/);
    assert.match(sudo.detail, /still read the \.env \(through the rule\) and the journal \(through the rule\);/);
    assert.equal(sudo.action, 'fix-server');
    const t = get(r.checks, 'service-token');
    assert.match(t.detail, new RegExp(`/proc/${fx.mainPid()}/environ is readable by root only`));
    assert.match(t.detail, /The \.env holds DevKit's token/);
    assert.equal(t.action, 'none');
    // The reads went through the rule's own commands, and nothing changed.
    assert.match(fx.sudoLog(), new RegExp(`COMMAND=/usr/bin/cat ${fx.envPath.replace(/[.]/g, '\\.')}`));
    assert.ok(fx.readEnv().equals(before.env));
    assert.equal(fx.mainPid(), before.pid);
    assert.ok(!fx.sudoLog().includes(token) && !fx.sshdLog().includes(token));
  });

  it('a rule without "cat" of the .env: the file cannot be examined (a warning saying why), the journal still is', async () => {
    const fx = fixture();
    // The fixture's narrow rule minus its cat entry (sudo skips file names with a dot, so none here).
    const narrow = fs.readFileSync(path.join(fx.sudoersDir, 'narrow'), 'utf8');
    const noCat = narrow.replace(/\/usr\/bin\/cat [^,]+, /, '');
    assert.notEqual(noCat, narrow);
    const file = path.join(fx.sudoersDir, 'narrownocat');
    fs.writeFileSync(file, noCat, { mode: 0o440 });
    await runningOn(newToken(), 'narrownocat');
    const r = await serverChecks(input(), { clock: systemClock, devkitToken: Promise.resolve(newToken()) });
    const st = Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    assert.deepEqual([st.sudo, st['env-file'], st['env-key'], st['service-active'], st['service-token'], st.journal], ['fail', 'warn', 'skip', 'pass', 'warn', 'pass'], JSON.stringify(r.checks, null, 1));
    assert.match(get(r.checks, 'env-file').detail, /does not allow "cat /);
    assert.match(get(r.checks, 'sudo').detail, /still read the journal \(through the rule\); not the \.env;/);
    assert.match(get(r.checks, 'service-token').detail, /readable by root only/);
  });

  it('the .env holds another token than DevKit: still a push warning, as with full sudo', async () => {
    await runningOn(newToken());
    const r = await serverChecks(input(), { clock: systemClock, devkitToken: Promise.resolve(newToken()) });
    const t = get(r.checks, 'service-token');
    assert.deepEqual([t.status, t.action], ['warn', 'push']);
    assert.match(t.title, /another token than DevKit/);
  });
});
