import * as assert from 'node:assert/strict';
import { pushToken } from '../../src/core/flows/push';
import { fixture, newToken } from './hooks';
import { sampleCmdlines } from './proc';

describe('the token never shows up where other users or logs could see it', function () {
  this.timeout(120_000);

  beforeEach(() => {
    fixture().resetEnv();
    fixture().setFault('none');
  });

  for (const mode of ['nopasswd', 'password'] as const) {
    it(`not in any process command line, the sudo log, the sshd log or the service's call log (${mode} sudo)`, async () => {
      const fx = fixture();
      fx.setSudoMode(mode);
      const tokens: string[] = [];
      const sampler = sampleCmdlines('devkit-write');
      let seen: string[];
      try {
        // Push until the sampler has caught the write script running, so the scan overlapped a write (bounded).
        for (let i = 0; i < 20 && !sampler.caught(); i++) {
          const value = newToken();
          tokens.push(value);
          await pushToken({
            connect: fx.connectOptions(),
            envPath: fx.envPath,
            key: 'SALESIQ_ACCESS_TOKEN',
            value,
            service: fx.service,
            sudo: mode,
            sudoPassword: mode === 'password' ? fx.password : undefined,
            restart: true,
            restartOptions: { settleMs: 100, pollMs: 50 },
          });
        }
      } finally {
        seen = await sampler.stop();
      }
      assert.ok(seen.some((c) => c.includes('devkit-write')), 'the sampler saw a write in progress');
      const everywhere = [...seen, fx.sudoLog(), fx.sshdLog(), fx.callsLog()].join('\n');
      for (const t of tokens) {
        assert.ok(!everywhere.includes(t), 'token leaked');
        assert.ok(!everywhere.includes(t.split('.')[1]), 'a token part leaked');
      }
      if (mode === 'password') assert.ok(!everywhere.includes(fx.password), 'sudo password leaked');
      // The logs looked at are the right ones: the sudo log recorded the full write command line.
      assert.match(fx.sudoLog(), /COMMAND=\/usr\/bin\/timeout -k 5 \d+ sh -c .*devkit-write/);
    });
  }
});
