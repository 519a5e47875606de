// Reads the command line @vscode/test-electron (and test-cli) give the VS Code binary, so our runner can stand in
// for it: --extensionDevelopmentPath=… (repeatable) --extensionTestsPath=… [workspace], plus Electron flags.

export interface TestCommandLine {
  extensionDevelopmentPath: string[];
  extensionTestsPath?: string;
  workspace?: string;
  version: boolean;
  /** Flags neither understood nor known to be meaningless here. */
  unknown: string[];
}

// Meaningless for code-server: Electron/desktop switches, and profile dirs (every run gets fresh isolated ones).
const KNOWN_IGNORED = new Set([
  'no-sandbox', 'disable-gpu-sandbox', 'disable-gpu', 'disable-chromium-sandbox', 'disable-updates', 'skip-welcome',
  'skip-release-notes', 'disable-workspace-trust', 'disable-telemetry', 'disable-extensions', 'new-window', 'wait',
  'user-data-dir', 'extensions-dir', 'crash-reporter-directory', 'log', 'verbose', 'locale',
]);
// VS Code switches whose value may come as the next argument rather than after '='.
const TAKES_VALUE = new Set([
  'extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir', 'crash-reporter-directory',
  'log', 'locale',
]);

export function parseTestCommandLine(argv: string[]): TestCommandLine {
  const out: TestCommandLine = { extensionDevelopmentPath: [], version: false, unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.workspace ??= arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq !== -1 ? arg.slice(eq + 1) : TAKES_VALUE.has(name) ? argv[++i] : undefined;
    if (name === 'extensionDevelopmentPath' && value) out.extensionDevelopmentPath.push(value);
    else if (name === 'extensionTestsPath' && value) out.extensionTestsPath = value;
    else if (name === 'version') out.version = true;
    else if (!KNOWN_IGNORED.has(name)) out.unknown.push(arg);
  }
  return out;
}
