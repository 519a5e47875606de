import { allChecks, type DoctorCheck, doctorExitCode, type DoctorReport, type ProfileInput, runDoctor, type ServerInput, STATUS_MARK } from '../../core/flows/doctor';
import { validateToken } from '../../core/salesiq/api';
import { redact } from '../../core/redact';
import { UsageError } from '../args';
import type { CliContext, Command } from '../context';
import { serverTargets, SERVER_FLAGS } from '../servers';
import { SSH_FLAGS, connectOptions, type ServerSettings } from '../sshFlags';
import { cachedToken, portalSettings } from '../tokens';

/** Flags that only make sense for commands that write or restart. */
const WRITE_ONLY = ['--no-restart', '--value-stdin'];

/**
 * `doctor`: every check from the credentials to the running service (docs/doctor.md), one line each, whatever
 * the exit code. It changes nothing on any server and mints a token only when no valid one is cached.
 */
export const doctor: Command = {
  summary: 'checks the whole chain, from credentials to the running service, and says what to fix',
  flags: {
    values: [...SSH_FLAGS.values, ...SERVER_FLAGS.values, '--check-timeout-seconds'],
    switches: [...SSH_FLAGS.switches.filter((s) => !WRITE_ONLY.includes(s)), ...SERVER_FLAGS.switches],
  },
  async run(ctx) {
    const timeoutMs = checkTimeout(ctx.parsed.values['--check-timeout-seconds']);
    const { fleet, servers } = serverTargets(ctx);
    const inputs = servers.map((s) => serverInput(s.name, s.settings));
    const report = await runDoctor({
      profile: profileInput(ctx),
      profileDeps: {
        clock: ctx.clock,
        cached: () => cachedToken(ctx),
        mint: async (signal) => {
          const t = await ctx.tokenManager().refresh({ automatic: false, signal });
          ctx.io.secrets.add(t.accessToken);
          return t;
        },
        validate: async (token, signal) => {
          ctx.io.secrets.add(token);
          const portal = portalSettings(ctx);
          const org = token.startsWith('1005.');
          const r = await validateToken(ctx.http(), ctx.profile.salesiqUrl, token, {
            screenName: portal.screenName,
            appId: org ? portal.appId : undefined,
            signal,
          });
          const screen = portal.screenName;
          const endpoint = !screen ? '/api/v2/portals' : org ? `/api/v2/${screen}/apps/${portal.appId}` : `/api/v2/${screen}/departments`;
          return { endpoint, status: r.status, ...(r.portals ? { portals: r.portals } : {}) };
        },
      },
      servers: inputs,
      fleet,
      timeoutMs,
      signal: ctx.signal,
    });
    print(ctx, report);
    return doctorExitCode(report);
  },
};

function profileInput(ctx: CliContext): ProfileInput {
  const p = ctx.profile;
  const file = ctx.config.profiles?.[p.name] ?? {};
  const missing: string[] = [];
  if (!(ctx.env.SALESIQ_CLIENT_ID || file.clientId)) missing.push('client id');
  if (!(ctx.env.SALESIQ_CLIENT_SECRET || file.clientSecret)) missing.push('client secret');
  if (!(ctx.env.SALESIQ_REFRESH_TOKEN || file.refreshToken)) missing.push('refresh token');
  const portal = portalSettings(ctx);
  const input: ProfileInput = {
    name: p.name,
    dataCenter: p.dataCenter,
    accountsUrl: p.accountsUrl,
    salesiqUrl: p.salesiqUrl,
    missingCredentials: missing,
  };
  if (p.accessToken) input.givenToken = p.accessToken;
  if (portal.screenName) input.screenName = portal.screenName;
  if (portal.appId) input.appId = portal.appId;
  return input;
}

function serverInput(name: string, s: ServerSettings): ServerInput {
  const input: ServerInput = { name, connect: connectOptions(s), envPath: s.envPath, key: s.key, service: s.service, sudo: s.sudo };
  if (s.sudoPassword) input.sudoPassword = s.sudoPassword;
  return input;
}

function checkTimeout(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const n = Number(given);
  if (!Number.isFinite(n) || n < 1 || n > 300) throw new UsageError(`--check-timeout-seconds must be a number from 1 to 300 (got "${given}")`);
  return Math.round(n * 1000);
}

const json = (c: DoctorCheck) => ({ id: c.id, status: c.status, title: c.title, detail: c.detail, category: c.category, action: c.action });

function print(ctx: CliContext, r: DoctorReport): void {
  const io = ctx.io;
  const secrets = [...io.secrets];
  if (io.json) {
    const doc = {
      ok: r.ok,
      profile: ctx.profile.name,
      checks: r.checks.map(json),
      ...(r.servers ? { servers: r.servers.map((s) => ({ name: s.name, ok: s.ok, checks: s.checks.map(json) })) } : {}),
    };
    io.stdout(redact(JSON.stringify(doc, null, 2), secrets));
    return;
  }
  const line = (c: DoctorCheck) => {
    const detail = c.status === 'pass' || c.status === 'skip' || !c.detail ? '' : ` — ${c.detail.replace(/\s*\n\s*/g, '; ')}`;
    return redact(`${STATUS_MARK[c.status]} ${c.id}: ${c.title}${detail}`, secrets);
  };
  for (const c of r.checks) io.stdout(line(c));
  for (const s of r.servers ?? []) {
    io.stdout(`== server ${s.name}: ${s.ok ? 'ok' : 'failing'} ==`);
    for (const c of s.checks) io.stdout(line(c));
  }
  const n = (st: DoctorCheck['status']) => allChecks(r).filter((c) => c.status === st).length;
  io.stderr(`${n('pass')} passed, ${n('warn')} warnings, ${n('fail')} failed, ${n('skip')} skipped`);
}
