/**
 * What makes the hub's copy of a token useless to anyone who can read the hub: the access token is sealed with
 * AES-256-GCM under a key derived (HKDF-SHA256) from the refresh token, which never leaves the machine. Key
 * names come from the same secret under another HKDF label, so a key name reveals neither the refresh token
 * nor the encryption key; the GCM tag makes any change to a stored value detectable.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'crypto';

export interface HubSecrets {
  /** Hex id shared by every key of this refresh token on the hub. */
  namespace: string;
  key: Buffer;
}

/** What the hub holds about a token, inside the sealed box. */
export interface SealedToken {
  accessToken: string;
  obtainedAt: number;
  expiresAt: number;
  /** The host name of the instance that minted it (for "minted by host X"). */
  mintedBy: string;
}

const SALT = 'salesiq-devkit/team-hub/v1';
const ENCRYPTION_LABEL = 'salesiq-devkit hub: token encryption key';
const NAMING_LABEL = 'salesiq-devkit hub: key names';

export function hubSecrets(clientId: string, refreshToken: string): HubSecrets {
  const ikm = Buffer.from(refreshToken, 'utf8');
  const salt = Buffer.from(`${SALT}|${clientId}`, 'utf8');
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, ENCRYPTION_LABEL, 32));
  const namespace = Buffer.from(hkdfSync('sha256', ikm, salt, NAMING_LABEL, 16)).toString('hex');
  return { namespace, key };
}

export class TamperedError extends Error {}

/** `aad` binds the box to where it is stored (namespace and fencing number): a box moved elsewhere fails too. */
export function seal(key: Buffer, token: SealedToken, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(token), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), body.toString('base64'), cipher.getAuthTag().toString('base64')].join('.');
}

export function unseal(key: Buffer, box: string, aad: string): SealedToken {
  const parts = box.length < 8192 ? box.split('.') : [];
  if (parts.length !== 4 || parts[0] !== 'v1') throw new TamperedError('the hub value is not a sealed token');
  const [, iv, body, tag] = parts.map((p) => Buffer.from(p, 'base64'));
  if (iv.length !== 12 || tag.length !== 16) throw new TamperedError('the hub value is not a sealed token');
  let text: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new TamperedError('the hub value failed its authentication tag (changed on the hub, or sealed for another refresh token)');
  }
  const t = JSON.parse(text) as SealedToken;
  if (typeof t.accessToken !== 'string' || !Number.isFinite(t.expiresAt) || !Number.isFinite(t.obtainedAt) || typeof t.mintedBy !== 'string') {
    throw new TamperedError('the hub value has an unexpected shape');
  }
  return t;
}
