/**
 * Opening a usable remote: resolve the target, load the key (passphrase from SecretStorage or asked once),
 * connect with the host-key policy (pin, known_hosts, else the modal), then the preflight that decides how
 * sudo runs (a sudo password from SecretStorage or asked once, validated on its own before anything else).
 */
import * as fs from 'fs';
import { connect } from '../../core/ssh/connect';
import { withServerPassphrase } from '../../core/ssh/connectOptions';
import { parsePrivateKey } from '../../core/ssh/privateKey';
import type { SshSession } from '../../core/ssh/session';
import { preflight, type Privilege } from '../../core/ssh/sudo';
import type { FeatureDeps } from '../deps';
import { remoteSecretKeys } from '../remoteSecrets';
import type { Answers } from './answers';
import { cancelled, codeOf, explain } from './findings';
import { pinFingerprint, type RemoteSettings } from './remoteSettings';
import { type Target, targetLabel } from './target';

export interface Remote {
  session: SshSession;
  target: Target;
  priv: Privilege;
}

const secretKeys = remoteSecretKeys;

export async function openRemote(
  deps: FeatureDeps,
  answers: Answers,
  settings: RemoteSettings,
  target: Target,
  onPhase: (p: 'connect' | 'preflight') => void = () => undefined,
  signal?: AbortSignal,
): Promise<Remote> {
  onPhase('connect');
  const session = await connectTarget(deps, answers, target);
  try {
    signal?.throwIfAborted();
    onPhase('preflight');
    const priv = await privilege(deps, answers, session, target, settings.sudo);
    deps.log.info('ssh', `${targetLabel(target)}: shell is quiet, privileged commands run ${priv.mode === 'none' ? 'without sudo' : `with sudo (${priv.mode})`}`);
    signal?.throwIfAborted();
    return { session, target, priv };
  } catch (e) {
    session.close();
    throw e;
  }
}

export async function connectTarget(deps: FeatureDeps, answers: Answers, target: Target): Promise<SshSession> {
  const key = await identity(deps, answers, target);
  const via = [key.privateKey ? target.identityFile : undefined, target.agent ? 'the ssh-agent' : undefined].filter(Boolean).join(' and ');
  for (const w of target.warnings) deps.log.warn('ssh', `~/.ssh/config: ${w}`);
  const jump = withServerPassphrase(target.jump ?? [], key.privateKey, key.passphrase);
  const hops = jump.length ? ` through ${jump.map((h) => targetLabel({ user: h.username, host: h.host, port: h.port ?? 22 })).join(', ')}` : '';
  deps.log.info('ssh', `connecting to ${targetLabel(target)}${hops} with ${via}`);
  const session = await connect({
    host: target.host,
    port: target.port,
    username: target.user,
    privateKey: key.privateKey,
    passphrase: key.passphrase,
    agent: target.agent,
    knownHostsText: target.knownHostsText,
    pinnedFingerprint: target.pin,
    onUnknownHost: (info) => answers.trust(info),
    ...(jump.length ? { jump } : {}),
  });
  const hk = session.hostKey;
  deps.log.info('ssh', `connected to ${targetLabel(target)}; host key ${hk.keyType} ${hk.fingerprint} (${hk.via})`);
  if (hk.via === 'accepted-pin') {
    const where = await pinFingerprint(hk.fingerprint, target.serverName);
    deps.log.info('ssh', `pinned ${hk.fingerprint} in ${where}`);
  }
  return session;
}

/** Parsed keys are cached per Buffer by the core (the bcrypt KDF costs ~0.5 s), so keep one Buffer per file version. */
const keyFiles = new Map<string, { mtimeMs: number; size: number; buf: Buffer }>();

function readKey(file: string): Buffer {
  const st = fs.statSync(file);
  const hit = keyFiles.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.buf;
  const buf = fs.readFileSync(file);
  keyFiles.set(file, { mtimeMs: st.mtimeMs, size: st.size, buf });
  return buf;
}

async function identity(deps: FeatureDeps, answers: Answers, target: Target): Promise<{ privateKey?: Buffer; passphrase?: string }> {
  const file = target.identityFile;
  if (!file) return {};
  const buf = readKey(file);
  try {
    parsePrivateKey(buf);
    return { privateKey: buf };
  } catch (e) {
    if (codeOf(e) !== 'passphrase') throw e;
  }
  const secretKey = secretKeys.passphrase(file);
  const stored = await deps.secrets.getJson<string>(secretKey);
  let passphrase = stored;
  if (passphrase === undefined) {
    try {
      passphrase = await answers.secret('passphrase', `the passphrase of ${file}`, `Passphrase of the SSH key ${file} (kept in VS Code secret storage)`);
    } catch (e) {
      // No one to ask (auto-push): the agent may still hold a key that works.
      if (target.agent && codeOf(e) === 'needs-answer') return {};
      throw e;
    }
    if (passphrase === undefined) {
      if (target.agent) return {};
      throw cancelled('no passphrase given');
    }
  }
  try {
    parsePrivateKey(buf, passphrase);
  } catch (e) {
    if (stored === undefined) throw e;
    await deps.secrets.delete(secretKey);
    throw explain(e, { note: 'The stored passphrase was wrong and has been forgotten: you will be asked for it again.' });
  }
  deps.log.remember(passphrase);
  if (stored === undefined) await deps.secrets.setJson(secretKey, passphrase);
  return { privateKey: buf, passphrase };
}

async function privilege(deps: FeatureDeps, answers: Answers, session: SshSession, target: Target, mode: RemoteSettings['sudo']): Promise<Privilege> {
  const secretKey = secretKeys.sudoPassword(target);
  const stored = mode === 'auto' || mode === 'password' ? await deps.secrets.getJson<string>(secretKey) : undefined;
  deps.log.remember(stored);
  if (stored !== undefined || mode !== 'password') {
    try {
      return await preflight(session, { mode, sudoPassword: stored });
    } catch (e) {
      if (codeOf(e) === 'password-wrong' && stored !== undefined) {
        await deps.secrets.delete(secretKey);
        throw explain(e, { note: 'The stored sudo password was wrong and has been forgotten: you will be asked for it again.' });
      }
      if (!(codeOf(e) === 'password-required' && mode === 'auto' && stored === undefined)) throw e;
    }
  }
  const typed = await answers.secret('sudoPassword', `the sudo password of ${targetLabel(target)}`, `sudo password of ${target.user} on ${target.host} (sent on stdin only; kept in VS Code secret storage)`);
  if (typed === undefined) throw cancelled('no sudo password given');
  deps.log.remember(typed);
  // The core validates it with `sudo -S -k true` alone, before any payload could follow it on stdin.
  const priv = await preflight(session, { mode, sudoPassword: typed });
  if (priv.mode === 'password') await deps.secrets.setJson(secretKey, typed);
  return priv;
}
