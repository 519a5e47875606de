// `npm start`: the built extension installed (as a folder) into a real VS Code, served on loopback for a human.
// Not development mode: on code-server 4.139.1 that needs the smoke-test driver, which hides notification toasts.
//   node out/test/harness/startDev.js [--extension=<dir>] [--port=<n>] [workspace]
// Defaults: this project, a free port, .tools/dev-workspace. The environment reaches the extension host.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installUnpacked, startCodeServer } from './codeServer';
import { repoRoot } from './tools';

export interface DevOptions {
  /** A built extension folder (its package.json main must exist). */
  extensionPath: string;
  workspace: string;
  env?: Record<string, string>;
  port?: number;
}

export interface DevServer {
  url: string;
  /** Settles when the server process ends, also after stop(). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startDev(opts: DevOptions): Promise<DevServer> {
  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesiq-dev-extensions-'));
  installUnpacked(opts.extensionPath, extensionsDir);
  fs.mkdirSync(opts.workspace, { recursive: true });
  const server = await startCodeServer({ extensionsDir, workspace: opts.workspace, env: opts.env, port: opts.port })
    .catch((err) => {
      fs.rmSync(extensionsDir, { recursive: true, force: true });
      throw err;
    });
  console.log(`${server.description} serving ${opts.workspace}`);
  console.log(`open ${server.url}`);
  return {
    url: server.url,
    exited: server.exited,
    stop: async () => {
      await server.stop();
      fs.rmSync(extensionsDir, { recursive: true, force: true });
    },
  };
}

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<void> {
  // Listen before starting: a signal during startup must still stop the server group (see signals.ts).
  const signalled = new Promise<string>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM']) process.once(s, () => resolve(s));
  });
  const args = process.argv.slice(2);
  const root = repoRoot();
  const port = option(args, 'port');
  const dev = await startDev({
    extensionPath: path.resolve(option(args, 'extension') ?? root),
    workspace: path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, '.tools', 'dev-workspace')),
    port: port === undefined ? undefined : Number(port),
  });
  console.log('press Ctrl+C to stop');
  const signal = await Promise.race([
    signalled,
    dev.exited.then((code) => `server exit ${code}`),
  ]);
  console.log(`stopping (${signal})`);
  await dev.stop();
  if (signal.startsWith('server')) process.exit(1);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
