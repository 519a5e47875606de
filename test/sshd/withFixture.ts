/**
 * Runs a command with the private OpenSSH test server up:
 *   node out/test/sshd/withFixture.js [--] <command> [args…]
 * The command gets SALESIQ_SSHD_STATE=<fixture dir> (state.json inside, as setup.sh writes it). The server is
 * torn down afterwards — also when the command fails or this process gets SIGINT/SIGTERM/SIGHUP — and the exit
 * code is the command's. If the server cannot start (not root, no packages), the command still runs, with
 * SALESIQ_SSHD_ERROR saying why: the suites that need the server then fail loudly, the others still report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { startSshd, type SshdFixture } from './fixture';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let fixture: SshdFixture | undefined;
let child: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;

const signalExit = (s: NodeJS.Signals) => 128 + (os.constants.signals[s] ?? 1);

function teardownSync(): void {
  const f = fixture;
  fixture = undefined;
  try {
    f?.stopSync();
  } catch (e) {
    console.error(`withFixture: teardown failed: ${(e as Error).message}`);
  }
}

/** First signal: pass it on and clean up once the command ends. Second: clean up now and leave. */
function onSignal(s: NodeJS.Signals): void {
  if (interrupted) {
    child?.kill('SIGKILL');
    teardownSync();
    process.exit(signalExit(s));
  }
  interrupted = s;
  child?.kill(s);
}

function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
    child.on('error', (e) => {
      console.error(`withFixture: cannot run ${argv[0]}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? signalExit(signal) : 1)));
  });
}

async function main(args: string[]): Promise<number> {
  const argv = args[0] === '--' ? args.slice(1) : args;
  if (!argv.length) {
    console.error('usage: withFixture [--] <command> [args…]');
    return 2;
  }
  for (const s of SIGNALS) process.on(s, onSignal);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SALESIQ_SSHD_STATE;
  delete env.SALESIQ_SSHD_ERROR;
  try {
    fixture = await startSshd();
    env.SALESIQ_SSHD_STATE = fixture.dir;
    console.log(`withFixture: OpenSSH test server on ${fixture.host}:${fixture.port} (user ${fixture.user}, ${fixture.dir})`);
  } catch (e) {
    const why = (e as Error).message.split('\n').slice(0, 3).join(' ');
    console.error(`withFixture: THE SSH TEST SERVER DID NOT START — tests that need it will fail: ${why}`);
    env.SALESIQ_SSHD_ERROR = why;
  }
  try {
    if (interrupted) return signalExit(interrupted);
    return await runCommand(argv, env);
  } finally {
    const f = fixture;
    fixture = undefined;
    await f?.stop().catch((e: Error) => console.error(`withFixture: teardown failed: ${e.message}`));
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(interrupted ? signalExit(interrupted) : code),
  (e) => {
    console.error(e);
    teardownSync();
    process.exit(1);
  },
);
