// Starts code-server (VS Code in the browser with a real Node extension host) on loopback, isolated from the
// machine's VS Code state, and installs extensions into its extensions dir. See docs/vscode.md §9.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { describeTools, findTools, Tools } from './tools';

export interface CodeServerOptions {
  /** Extension folder(s) to load in development mode; put into the returned url's payload. */
  extensionDevelopmentPath?: string | string[];
  extensionsDir?: string;
  userDataDir?: string;
  /** Folder opened by the returned url; without one the url opens an empty window. */
  workspace?: string;
  /** Extra environment; code-server passes its environment on to the extension host. */
  env?: Record<string, string>;
  /** Needed for payloads (extension tests, development mode) on 4.139.1; hides notification toasts. */
  smokeTestDriver?: boolean;
  /** Default: a free port chosen by the OS. */
  port?: number;
}

export interface CodeServer {
  /** Workbench url for the options' workspace and extension development paths. */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** VS Code version, e.g. 1.139.1. */
  version: string;
  codeServerVersion: string;
  /** e.g. "VS Code 1.139.1 (code-server 4.139.1)". */
  description: string;
  logFile: string;
  /** Per-run folder holding the log, config, XDG dirs and (unless given) user-data and extensions dirs. */
  tempDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** Settles with the exit code when the server process ends, whoever ended it. */
  exited: Promise<number | null>;
  /** Kills the server's process group; keepFiles leaves tempDir (log, user data) for a post-mortem. */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
}

export type Payload = Array<[string, string]>;

const LISTEN_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const tools = findTools();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-code-server-'));
  const userDataDir = opts.userDataDir ?? path.join(tempDir, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(tempDir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir);
  const logFile = path.join(tempDir, 'code-server.log');
  const child = spawnServer(tools, tempDir, { ...opts, userDataDir, extensionsDir }, logFile);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null)); // could not spawn; listeningPort reports it with the log
  });
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (stopOpts: { keepFiles?: boolean } = {}) => {
    process.removeListener('exit', killOnExit);
    await stopGroup(child, exited);
    if (!stopOpts.keepFiles) fs.rmSync(tempDir, { recursive: true, force: true });
  };

  try {
    const port = await listeningPort(child, exited, logFile);
    const origin = `http://127.0.0.1:${port}`;
    await waitForHealthz(origin);
    const payload = devPathPayload(origin, opts.extensionDevelopmentPath);
    return {
      url: workbenchUrl(origin, { workspace: opts.workspace, payload }),
      origin,
      port,
      version: tools.vscodeVersion,
      codeServerVersion: tools.codeServerVersion,
      description: describeTools(tools),
      logFile,
      tempDir,
      userDataDir,
      extensionsDir,
      exited,
      stop,
    };
  } catch (err) {
    await stop({ keepFiles: true });
    throw new Error(`${(err as Error).message}; server log: ${logFile}`, { cause: err });
  }
}

/** A workbench url: folder (or an empty window) plus an optional payload of [key, value] pairs. */
export function workbenchUrl(origin: string, opts: { workspace?: string; payload?: Payload }): string {
  const params = [opts.workspace ? `folder=${encodeURIComponent(path.resolve(opts.workspace))}` : 'ew=true'];
  if (opts.payload?.length) params.push(`payload=${encodeURIComponent(JSON.stringify(opts.payload))}`);
  return `${origin}/?${params.join('&')}`;
}

/** A server-side path as the workbench must name it: the extension host runs on the server, not in the page. */
export function remoteUri(origin: string, fsPath: string): string {
  const authority = new URL(origin).host;
  return `vscode-remote://${authority}${pathToFileURL(path.resolve(fsPath)).pathname}`;
}

export function devPathPayload(origin: string, devPaths: string | string[] | undefined): Payload {
  return toArray(devPaths).map((p) => ['extensionDevelopmentPath', remoteUri(origin, p)]);
}

/** Installs a .vsix into extensionsDir with code-server's own installer (dependencies must be local too). */
export async function installVsix(vsixPath: string, extensionsDir: string): Promise<void> {
  const tools = findTools();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-vsix-'));
  try {
    const args = [
      tools.codeServerEntry,
      '--user-data-dir', path.join(scratch, 'user-data'),
      '--extensions-dir', extensionsDir,
      '--config', path.join(scratch, 'config.yaml'),
      '--install-extension', path.resolve(vsixPath),
    ];
    const { code, output } = await runToEnd(tools.node, args, serverEnv(scratch, {}));
    if (code !== 0 || !/successfully installed/i.test(output)) {
      throw new Error(`installing ${vsixPath} failed (exit ${code}):\n${output}`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Installs an unpacked extension folder the way VS Code lays out installed ones, <publisher>.<name>-<version>.
 * A symlink, so a rebuild of the folder shows after a window reload; the folder must already be built.
 */
export function installUnpacked(extensionPath: string, extensionsDir: string): string {
  const source = path.resolve(extensionPath);
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  const main = manifest.main ? path.resolve(source, manifest.main) : undefined;
  if (main && !fs.existsSync(main) && !fs.existsSync(`${main}.js`)) {
    throw new Error(`${source} is not built: ${manifest.main} is missing (run npm run build)`);
  }
  const target = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  fs.symlinkSync(source, target, 'dir');
  return target;
}

function spawnServer(tools: Tools, tempDir: string, opts: CodeServerOptions, logFile: string): ChildProcess {
  const args = [
    tools.codeServerEntry,
    '--auth', 'none',
    // --host/--port rather than --bind-addr: $PORT and $CODE_SERVER_HOST override --bind-addr, and a
    // caller may well hand PORT to the extension host.
    '--host', '127.0.0.1',
    '--port', String(opts.port ?? 0),
    '--config', path.join(tempDir, 'config.yaml'),
    '--user-data-dir', opts.userDataDir!,
    '--extensions-dir', opts.extensionsDir!,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const log = fs.openSync(logFile, 'a');
  try {
    return spawn(tools.node, args, {
      cwd: tempDir,
      env: serverEnv(tempDir, opts.env ?? {}),
      // Own process group: the server forks a wrapper child, extension hosts and a pty host; stop kills them all.
      detached: true,
      stdio: ['ignore', log, log],
    });
  } finally {
    fs.closeSync(log);
  }
}

function serverEnv(tempDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Every invocation writes $XDG_CONFIG_HOME/code-server/config.yaml; keep it and other state out of $HOME.
    XDG_CONFIG_HOME: path.join(tempDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(tempDir, 'xdg-data'),
    ...extra,
  };
  // Set inside a VS Code terminal; code-server would then hand the request to that instance instead of starting.
  delete env.VSCODE_IPC_HOOK_CLI;
  return env;
}

// Offline there is no gallery; these keep the workbench from asking it, from opening editors on its own, and from
// starting the chat agent host and its (then empty) side bar: CPU and log noise, not part of what we test.
function writeUserSettings(userDataDir: string): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const settings = {
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
}

/** The port from the server's "HTTP server listening on http://127.0.0.1:<port>/" line (port 0 = OS choice). */
async function listeningPort(child: ChildProcess, exited: Promise<number | null>, logFile: string): Promise<number> {
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(logFile, 'utf8'));
    if (match) return Number(match[1]);
    if (dead) throw new Error(`code-server (pid ${child.pid}) exited before listening`);
    await delay(100);
  }
  throw new Error(`code-server did not start listening within ${LISTEN_TIMEOUT_MS / 1000} s`);
}

async function waitForHealthz(origin: string): Promise<void> {
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await httpStatus(`${origin}/healthz`)) === 200) return;
    await delay(100);
  }
  throw new Error(`${origin}/healthz did not answer 200 within ${LISTEN_TIMEOUT_MS / 1000} s`);
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  killGroup(child, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (groupAlive(child) && Date.now() < deadline) await delay(100);
  killGroup(child, 'SIGKILL');
  await Promise.race([exited, delay(STOP_GRACE_MS)]);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(child: ChildProcess): boolean {
  try {
    return !!child.pid && process.kill(-child.pid, 0);
  } catch {
    return false;
  }
}

function runToEnd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
