/** The private key and agent offered to a server, as ssh2 auth methods; encrypted keys are decrypted once. */
import { utils, type AgentAuthMethod, type ParsedKey, type PublicKeyAuthMethod } from 'ssh2';
import { fail } from '../errors/fail';
import type { Resolved } from './connectOptions';

/** Decrypting an OpenSSH key costs ~0.5 s (bcrypt KDF in JS): keep the parsed key per Buffer and passphrase. */
const parsedKeys = new WeakMap<Buffer, { passphrase: string | undefined; key: ParsedKey }>();

export function parsePrivateKey(buf: Buffer, passphrase?: string): ParsedKey {
  const hit = parsedKeys.get(buf);
  if (hit && hit.passphrase === passphrase) return hit.key;
  const parsed = utils.parseKey(buf, passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) throw fail('ssh', 'passphrase', { reason: 'missing' }, parsed);
    if (/bad passphrase|integrity check failed|bad decrypt/i.test(parsed.message)) throw fail('ssh', 'passphrase', { reason: 'wrong' }, parsed);
    throw fail('ssh', 'auth-failed', { reason: `the private key could not be read: ${parsed.message}` }, parsed);
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
  if (!key.isPrivateKey()) throw fail('ssh', 'auth-failed', { reason: 'the identity file holds a public key, not a private key' });
  parsedKeys.set(buf, { passphrase, key });
  return key;
}

export type AuthMethods = (PublicKeyAuthMethod | AgentAuthMethod)[];

export function authMethods(o: Resolved): AuthMethods {
  const methods: AuthMethods = [];
  if (o.privateKey) methods.push({ type: 'publickey', username: o.username, key: parsePrivateKey(o.privateKey, o.passphrase) });
  if (o.agent) methods.push({ type: 'agent', username: o.username, agent: o.agent });
  return methods;
}
