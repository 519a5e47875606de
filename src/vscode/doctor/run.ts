/**
 * The doctor for VS Code (loaded with the SSH chunk): the core checks fed with what the window holds — the
 * active profile's token and credentials, the configured server(s), their stored secrets. It never prompts
 * and never changes a server: an unknown host key or a missing secret is a finding with its fix button.
 */
import * as fs from 'fs';
import { type DoctorReport, type ProfileInput, runDoctor, type ServerInput, type ServerResult } from '../../core/flows/doctor';
import { connect } from '../../core/ssh/connect';
import { type ConnectOptions, withServerPassphrase } from '../../core/ssh/connectOptions';
import { tokenKind } from '../../core/token/token';
import type { FeatureDeps } from '../deps';
import { loadNet } from '../lazy';
import { configuredServers, type NamedServer, serverSecretKeys } from '../remote/servers';
import { resolveTarget } from '../remote/target';
import { settings } from '../settings';

export interface DoctorRunOptions {
  servers?: NamedServer[];
  timeoutMs?: number;
  onServer?: (r: ServerResult) => void;
  signal?: AbortSignal;
}

export async function runVscodeDoctor(deps: FeatureDeps, opts: DoctorRunOptions = {}): Promise<DoctorReport> {
  const { controller } = deps;
  await controller.reload();
  const servers = opts.servers ?? configuredServers();
  const endpoints = controller.endpoints();
  const screenName = settings.screenName();
  const appId = settings.appId();
  const profile: ProfileInput = {
    name: controller.profile.name,
    dataCenter: controller.profile.dataCenter,
    ...endpoints,
    missingCredentials: controller.hasCredentials ? [] : ['client id', 'client secret', 'refresh token'],
    ...(screenName ? { screenName } : {}),
    ...(appId ? { appId } : {}),
  };
  const inputs = await Promise.all(servers.map((s) => serverInput(deps, s)));
  return runDoctor({
    profile,
    profileDeps: {
      clock: deps.clock,
      cached: async () => controller.token,
      mint: (signal) => controller.refresh(signal),
      validate: async (token, signal) => {
        const net = loadNet();
        const org = tokenKind(token) === 'org';
        const r = await net.validateToken(net.createHttpClient(settings.httpOptions()), endpoints.salesiqUrl, token, {
          screenName,
          appId: org ? appId : undefined,
          signal,
        });
        const endpoint = !screenName ? '/api/v2/portals' : org ? `/api/v2/${screenName}/apps/${appId}` : `/api/v2/${screenName}/departments`;
        return { endpoint, status: r.status, ...(r.portals ? { portals: r.portals } : {}) };
      },
    },
    servers: inputs.map((i) => i.input),
    fleet: servers.length > 1,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    onServer: opts.onServer,
    // A server whose settings cannot even be resolved fails at its first check with the reason.
    open: async (o) => {
      const broken = inputs.find((i) => i.input.connect === o)?.error;
      if (broken) throw broken;
      return connect(o);
    },
  });
}

async function serverInput(deps: FeatureDeps, s: NamedServer): Promise<{ input: ServerInput; error?: unknown }> {
  const st = s.settings;
  const base = { name: s.name, envPath: st.envPath, key: deps.controller.profile.envKey, service: st.service, sudo: st.sudo };
  try {
    const t = resolveTarget(st);
    const connect: ConnectOptions = { host: t.host, port: t.port, username: t.user, knownHostsText: t.knownHostsText };
    if (t.pin) connect.pinnedFingerprint = t.pin;
    if (t.agent) connect.agent = t.agent;
    if (t.identityFile) {
      connect.privateKey = fs.readFileSync(t.identityFile);
      const passphrase = await deps.secrets.getJson<string>(serverSecretKeys.passphrase(t.identityFile));
      if (passphrase) connect.passphrase = passphrase;
    }
    if (t.jump) connect.jump = withServerPassphrase(t.jump, connect.privateKey, connect.passphrase);
    const sudoPassword = await deps.secrets.getJson<string>(serverSecretKeys.sudoPassword(t.user, t.host));
    deps.log.remember(sudoPassword);
    return { input: { ...base, connect, ...(sudoPassword ? { sudoPassword } : {}) } };
  } catch (error) {
    return { input: { ...base, connect: { host: st.host, port: st.port, username: st.user } }, error };
  }
}
