// Stands in for the VS Code executable: accepts @vscode/test-electron's command line and runs the tests on
// code-server, so runTests({vscodeExecutablePath: 'test/harness/vscode-runner'}) works. Runs on any Node ≥ 20.
import { runExtensionTests } from './runExtensionTests';
import { exitOnSignals } from './signals';
import { parseTestCommandLine } from './testArgs';
import { findTools } from './tools';

async function main(argv: string[]): Promise<number> {
  const cmd = parseTestCommandLine(argv);
  if (cmd.version) {
    const tools = findTools();
    console.log(`${tools.vscodeVersion}\n${tools.vscodeCommit}\nx64`); // the shape of `code --version`
    return 0;
  }
  if (!cmd.extensionTestsPath || cmd.extensionDevelopmentPath.length === 0) {
    console.error('usage: runner --extensionDevelopmentPath=<dir> --extensionTestsPath=<module> [workspace folder]');
    return 2;
  }
  if (cmd.unknown.length) console.log(`runner: ignoring ${cmd.unknown.join(' ')}`);
  // The extension host inherits our environment (test-electron's extensionTestsEnv included).
  return runExtensionTests({
    extensionDevelopmentPath: cmd.extensionDevelopmentPath,
    extensionTestsPath: cmd.extensionTestsPath,
    workspace: cmd.workspace,
  });
}

exitOnSignals();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
