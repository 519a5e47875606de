#!/usr/bin/env node
// Runs the named test suites (default: all) one after another and ends with the summary line
// `N passed, N failed`. Each suite writes its tally through test/support/countingReporter; a suite that
// dies without a tally counts as one failure so a crash can never look green.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const results = path.join(root, '.artifacts', 'results');
const reporter = path.join(root, 'out', 'test', 'support', 'countingReporter.js');
const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');

const suites = {
  // ESLint over the whole repository counts as one test: passed when it reports nothing.
  lint: () => lintRun(),
  unit: () => mochaRun(['--timeout', '20000', 'out/test/unit/**/*.test.js']),
  cli: () => mochaRun(['--timeout', '30000', 'out/test/cli/**/*.test.js']),
  ssh: () => mochaRun(['--timeout', '60000', '--require', 'out/test/ssh/hooks.js', 'out/test/ssh/**/*.test.js']),
  vscode: () => run(process.execPath, ['out/test/sshd/withFixture.js', '--', process.execPath, 'out/test/harness/runVscodeSuite.js']),
  // The team hub: several CLI instances (separate state dirs, as separate machines) against a real redis-server
  // (test/hub/redisFixture.ts, started and stopped by the suite's root hooks) and the Zoho sandbox.
  hub: () => mochaRun(['--timeout', '120000', '--require', 'out/test/hub/hooks.js', 'out/test/hub/**/*.test.js']),
  // The packaged VSIX installed into code-server and driven through the workbench UI (test/ui/).
  ui: () => mochaRun(['--timeout', '300000', 'out/test/ui/**/*.test.js']),
};

function mochaRun(args) {
  return run(process.execPath, [mocha, '--reporter', reporter, ...args]);
}

function lintRun() {
  const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const status = run(process.execPath, [eslint, '.']);
  writeTally({ passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 });
  return status;
}

function writeTally(tally) {
  const file = process.env.SALESIQ_TEST_RESULTS;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(tally));
}

function run(cmd, args, env) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status;
}

function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(suites);
  fs.rmSync(results, { recursive: true, force: true });
  let passed = 0;
  let failed = 0;
  for (const name of wanted) {
    if (!suites[name]) {
      console.error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`);
      process.exit(2);
    }
    const file = path.join(results, `${name}.json`);
    console.log(`\n=== suite: ${name} ===`);
    const status = withResultsFile(file, () => suites[name]());
    const tally = readTally(file);
    if (!tally) {
      console.log(`suite ${name} ended (exit ${status}) without reporting results: counted as 1 failure`);
      failed += 1;
      continue;
    }
    if (status !== 0 && tally.failed === 0) tally.failed = 1;
    console.log(`suite ${name}: ${tally.passed} passed, ${tally.failed} failed`);
    passed += tally.passed;
    failed += tally.failed;
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

function withResultsFile(file, fn) {
  process.env.SALESIQ_TEST_RESULTS = file;
  try {
    return fn();
  } finally {
    delete process.env.SALESIQ_TEST_RESULTS;
  }
}

function readTally(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

main();
