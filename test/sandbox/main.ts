/**
 * Runs the Zoho sandbox for `npm start` and manual testing:
 *   node out/test/sandbox/main.js [--port N] [--lifetime SEC] [--seed-file PATH]
 * The seed file holds ready-made profiles (credentials plus a freshly minted access token, so a countdown shows
 * at once); it contains secrets and is written 0600.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { SANDBOX_DEFAULTS, ZohoSandbox, type SandboxClient } from './zohoSandbox';

const DEFAULT_PORT = 7357;

interface Args {
  port: number;
  lifetimeSec: number;
  seedFile?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: DEFAULT_PORT, lifetimeSec: 3600 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--port' && value !== undefined) args.port = intArg(flag, value);
    else if (flag === '--lifetime' && value !== undefined) args.lifetimeSec = intArg(flag, value);
    else if (flag === '--seed-file' && value !== undefined) args.seedFile = value;
    else throw new Error(`unknown or incomplete argument: ${flag}`);
    i++;
  }
  return args;
}

function intArg(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got ${value}`);
  return n;
}

function profile(sandbox: ZohoSandbox, name: 'user' | 'org', client: SandboxClient, envKey: string) {
  const refreshToken = client.refreshTokens[0];
  const { accessToken, obtainedAt, expiresAt } = sandbox.mint(refreshToken);
  return {
    name,
    dataCenter: client.dc,
    kind: client.kind,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    refreshToken,
    accessToken,
    obtainedAt,
    expiresAt,
    envKey,
  };
}

/** A profile with a server-based client and no refresh token yet: "Authorize with Zoho" walks it through the browser. */
function unauthorized(name: string, client: SandboxClient) {
  return { name, dataCenter: client.dc, kind: client.kind, clientType: 'server', clientId: client.clientId, clientSecret: client.clientSecret, envKey: 'SALESIQ_ACCESS_TOKEN' };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sandbox = new ZohoSandbox({ tokenLifetimeSec: args.lifetimeSec });
  await sandbox.start(args.port);

  console.log(`Zoho sandbox listening on ${sandbox.baseUrl}`);
  console.log(`  accounts URL template: ${sandbox.accountsUrlTemplate}`);
  console.log(`  SalesIQ URL template:  ${sandbox.salesiqUrlTemplate}`);

  if (args.seedFile) {
    const { screenName, appId, departmentId } = sandbox.portal;
    const seed = {
      accountsUrl: sandbox.accountsUrlTemplate,
      salesiqUrl: sandbox.salesiqUrlTemplate,
      profiles: [
        profile(sandbox, 'user', SANDBOX_DEFAULTS.user, 'SALESIQ_ACCESS_TOKEN'),
        profile(sandbox, 'org', SANDBOX_DEFAULTS.org, 'SALESIQ_ORG_ACCESS_TOKEN'),
        unauthorized('new', SANDBOX_DEFAULTS.server),
      ],
      salesiq: { screenName, appId, departmentId },
    };
    writeFileSync(args.seedFile, `${JSON.stringify(seed, null, 2)}\n`, { mode: 0o600 });
    chmodSync(args.seedFile, 0o600); // mode above only applies to a new file
    console.log(`  seed written to ${args.seedFile}`);
  }

  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping the Zoho sandbox`);
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`zoho sandbox: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
