// Runs the integration suite in the best real VS Code at hand: a desktop VS Code on PATH through
// @vscode/test-electron, otherwise code-server (what CI and this offline machine have).
//   node out/test/harness/runVscodeSuite.js [--extensionDevelopmentPath=<dir>] [--extensionTestsPath=<module>] [workspace]
// Defaults: this project, out/test/vscode/index.js, a fresh empty workspace folder. The environment (e.g.
// SALESIQ_TEST_RESULTS) reaches the extension host. SALESIQ_VSCODE=code-server skips the desktop route.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { ExtensionTestOptions, runExtensionTests } from './runExtensionTests';
import { exitOnSignals } from './signals';
import { parseTestCommandLine } from './testArgs';
import { repoRoot } from './tools';

export async function runVscodeSuite(opts: ExtensionTestOptions): Promise<number> {
  const desktop = process.env.SALESIQ_VSCODE === 'code-server' ? undefined : findDesktopVscode();
  if (!desktop) return runExtensionTests(opts);
  console.log(`VS Code ${desktopVersion(desktop.cli)} (desktop, ${desktop.executable})`);
  try {
    return await runTests({
      vscodeExecutablePath: desktop.executable,
      extensionDevelopmentPath: opts.extensionDevelopmentPath,
      extensionTestsPath: opts.extensionTestsPath,
      launchArgs: opts.workspace ? [opts.workspace] : [],
      extensionTestsEnv: opts.env,
    });
  } catch (err) {
    if (err instanceof TestRunFailedError) return err.code ?? 1;
    throw err;
  }
}

interface DesktopVscode {
  /** The `code` command found on PATH. */
  cli: string;
  /** The Electron binary next to it, which test-electron launches. */
  executable: string;
}

/**
 * A desktop install's `code` on PATH, mapped to its Electron binary (Linux: <root>/bin/code → <root>/code;
 * macOS: …/Contents/Resources/app/bin/code → …/Contents/MacOS/Electron). The `code` of a remote or code-server
 * terminal is a remote CLI with no Electron next to it, so it is not taken.
 */
export function findDesktopVscode(): DesktopVscode | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const cli = path.join(dir, 'code');
    if (!isExecutable(cli)) continue;
    const real = fs.realpathSync(cli);
    if (/remote-cli|code-server/.test(real) || path.basename(path.dirname(real)) !== 'bin') continue;
    const root = path.dirname(path.dirname(real));
    const candidates = [path.join(root, 'code'), path.resolve(root, '..', '..', 'MacOS', 'Electron')];
    const executable = candidates.find(isExecutable);
    if (executable) return { cli, executable };
  }
  return undefined;
}

function desktopVersion(cli: string): string {
  try {
    return execFileSync(cli, ['--version'], { encoding: 'utf8', timeout: 30_000 }).split('\n')[0];
  } catch {
    return '(version unknown)';
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const cmd = parseTestCommandLine(process.argv.slice(2));
  const root = repoRoot();
  const workspace = cmd.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-workspace-'));
  const code = await runVscodeSuite({
    extensionDevelopmentPath: cmd.extensionDevelopmentPath.length ? cmd.extensionDevelopmentPath.map((p) => path.resolve(p)) : root,
    extensionTestsPath: path.resolve(cmd.extensionTestsPath ?? path.join(root, 'out', 'test', 'vscode', 'index.js')),
    workspace: path.resolve(workspace),
  });
  if (!cmd.workspace && code === 0) fs.rmSync(workspace, { recursive: true, force: true });
  return code;
}

if (require.main === module) {
  exitOnSignals();
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
