/**
 * Mocha's spec reporter plus a machine-readable tally, so scripts/run-tests.js can add every suite
 * (Node, real OpenSSH, the VS Code extension host) into one `N passed, N failed` line.
 * The tally goes to the file named by SALESIQ_TEST_RESULTS.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha = require('mocha');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.SALESIQ_TEST_RESULTS;
      if (!file) return;
      const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes, failed: s.failures, skipped: s.pending }));
    });
  }
}

export = CountingReporter;
