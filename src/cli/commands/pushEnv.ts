import { DevKitError, isDevKitError } from '../../core/errors/devkitError';
import { checkPushInputs } from '../../core/flows/push';
import { hidePassword } from '../../core/ssh/sudo';
import { envValueProblem } from '../../core/ssh/targetRules';
import { countdownText, isDue, remainingMs } from '../../core/token/token';
import { UsageError } from '../args';
import type { CliContext, Command } from '../context';
import { printOk } from '../output';
import { SSH_FLAGS, serverSettings, where } from '../sshFlags';
import { pushEnvFleet } from '../fleetCommands';
import { fleetRequested, SERVER_FLAGS } from '../servers';
import { RemoteServer } from '../sshRemote';
import { cachedToken, noToken, tokenFields } from '../tokens';

/** `push-env`: the cached token (or stdin's first line) into the server's .env, then restart and verify. */
export const pushEnv: Command = {
  summary: 'writes the access token into the remote .env over SSH, restarts the service, verifies it',
  flags: { values: [...SSH_FLAGS.values, ...SERVER_FLAGS.values], switches: [...SSH_FLAGS.switches, ...SERVER_FLAGS.switches] },
  async run(ctx) {
    if (fleetRequested(ctx)) {
      const v = await valueToPush(ctx);
      return pushEnvFleet(ctx, v.value, v.expiresAt);
    }
    const s = serverSettings(ctx);
    const { value, expiresAt } = await valueToPush(ctx);
    ctx.io.secrets.add(value);
    // Everything local is known now: refuse before any connection (the flags were checked in serverSettings).
    checkPushInputs({ ...s, value });
    const remote = new RemoteServer(s, ctx.signal);
    try {
      const w = await remote.write(value);
      const r = s.restart ? await remote.restart(value, w) : undefined;
      const state = r?.state ?? w.state;
      const journal = (r?.journal ?? []).map((l) => hidePassword(l, s.sudoPassword));
      const fields = {
        ...tokenFields(ctx, { expiresAt }),
        host: s.host, port: s.port, user: s.user, envFile: s.envPath, key: s.key, service: s.service,
        changed: w.changed, ...(w.backup ? { backup: w.backup } : {}), replaced: w.replaced, appended: w.appended, pruned: w.pruned,
        ...(w.recoveredAfterDrop ? { recoveredAfterDrop: true } : {}), ...(w.concurrent ? { concurrent: true } : {}),
        restarted: Boolean(r), active: state === 'active', state, journal,
        newTokenHashPrefix: w.newTokenHashPrefix, tokenLive: r?.tokenLive ?? false, warnings: w.warnings,
        hostKey: { fingerprint: w.hostKey.fingerprint, keyType: w.hostKey.keyType, via: w.hostKey.via },
      };
      const did = !w.changed ? 'already there:' : w.appended ? 'appended' : w.replaced > 1 ? `replaced ${w.replaced} assignments of` : 'replaced';
      const lines = [
        `${did} ${s.key} in ${where(s)}${w.backup ? ` (backup ${w.backup})` : ''}${expiresAt ? `; the token expires in ${countdownText(remainingMs({ expiresAt }, ctx.clock.now()))}` : ''}`,
        ...(w.recoveredAfterDrop ? ['the connection dropped during the write; a new connection shows the new file in place'] : []),
        ...(w.pruned.length ? [`pruned ${w.pruned.length} older DevKit backup${w.pruned.length > 1 ? 's' : ''}: ${w.pruned.join(', ')}`] : []),
        r ? `restarted ${s.service}: ${state}${r.tokenLive ? `; its log shows the new token (sha256:${w.newTokenHashPrefix})` : ''}` : `not restarted (--no-restart); ${s.service} is ${state}`,
        ...w.warnings.map((x) => `warning: ${x}`),
      ];
      return printOk(ctx.io, fields, lines.join('\n'));
    } catch (e) {
      throw withoutPassword(e, s.sudoPassword);
    } finally {
      remote.close();
    }
  },
};

/** The value to write: stdin's first line with --value-stdin, else the cached token (refused once expired). */
async function valueToPush(ctx: CliContext): Promise<{ value: string; expiresAt?: number }> {
  const cached = await cachedToken(ctx);
  if (ctx.parsed.switches.has('--value-stdin')) {
    const value = (await firstStdinLine(process.stdin)).trim();
    if (!value) throw new UsageError('--value-stdin: the first line of stdin is empty');
    const problem = envValueProblem(value);
    if (problem) throw new UsageError(`--value-stdin: ${problem}`);
    return value === cached?.accessToken ? { value, expiresAt: cached.expiresAt } : { value };
  }
  if (!cached) throw new DevKitError(noToken(ctx));
  if (isDue(cached, ctx.clock.now(), 0)) {
    throw new DevKitError({
      ...noToken(ctx), code: 'token-expired',
      title: `The cached token of profile "${ctx.profile.name}" has expired; pushing it would break the service.`,
      explanation: `Run "salesiq-devkit fix" (refresh, push, restart, verify) or "salesiq-devkit refresh" first.`,
    });
  }
  return { value: cached.accessToken, expiresAt: cached.expiresAt };
}

/** The first line of stdin only, never more than a value can be: stdin may be a device or an endless pipe. */
async function firstStdinLine(stdin: NodeJS.ReadableStream, max = 8192): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    const nl = text.search(/\r?\n/);
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > max) throw new UsageError(`--value-stdin: the first line of stdin is longer than ${max} characters`);
  }
  return text;
}

/** Journal lines and evidence in a failure may quote the sudo password: never print it, not even masked. */
function withoutPassword(e: unknown, password: string | undefined): unknown {
  if (!password || !isDevKitError(e)) return e;
  const f = e.finding;
  const details = f.details ? Object.fromEntries(Object.entries(f.details).map(([k, v]) => [k, hidePassword(v, password)])) : undefined;
  const title = hidePassword(f.title, password);
  const explanation = hidePassword(f.explanation, password);
  return new DevKitError({ ...f, title, explanation, ...(details ? { details } : {}) }, { cause: e });
}
