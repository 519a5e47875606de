/**
 * Entry point the VS Code test runner loads inside the extension host (same contract as
 * @vscode/test-electron: `run(): Promise<void>`). Runs every *.test.js beside it with mocha.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  // mocha may come back as an ESM namespace inside the host (docs/vscode.md §9).
  const m = require('mocha');
  const Mocha = typeof m === 'function' ? m : m.Mocha || m.default;
  const reporter = path.resolve(__dirname, '../support/countingReporter.js');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter });
  console.log(`vscode-suite tests in VS Code ${vscode.version} (${vscode.env.appName}, ui kind ${vscode.env.uiKind}, node ${process.version})`);
  // The token lifecycle suite starts from a pristine extension state, so it goes first.
  // SALESIQ_VSCODE_TESTS=push,servers runs only those files (while working on one feature; the suite runs all).
  const only = (process.env.SALESIQ_VSCODE_TESTS ?? '').split(',').filter(Boolean).map((n) => `${n}.test.js`);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (!only.length || only.includes(f)));
  files.sort((a, b) => Number(b === 'token.test.js') - Number(a === 'token.test.js') || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures: number) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
