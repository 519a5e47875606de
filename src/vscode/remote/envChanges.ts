import { maskToken } from '../../core/redact';
import { readEnvKey } from '../../core/dotenv/setKey';

const KEY_LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:]/;

/**
 * What replacing `from` by `to` changes, by key and without values (other keys may hold secrets too); only
 * the token key shows its masked values, so the user can tell the two tokens apart.
 */
export function envChanges(from: Buffer, to: Buffer, tokenKey: string): string[] {
  const keysOf = (b: Buffer) => new Set(b.toString('utf8').split(/\r?\n/).map((l) => KEY_LINE.exec(l)?.[1]).filter((k): k is string => !!k));
  const a = keysOf(from);
  const b = keysOf(to);
  const out: string[] = [];
  for (const key of new Set([...a, ...b])) {
    const va = readEnvKey(from, key);
    const vb = readEnvKey(to, key);
    if (va === vb) continue;
    if (va === undefined) out.push(`${key}: added`);
    else if (vb === undefined) out.push(`${key}: removed`);
    else out.push(key === tokenKey ? `${key}: ${maskToken(va)} → ${maskToken(vb)}` : `${key}: changed`);
  }
  const other = (x: Buffer, y: Buffer) => {
    const ys = new Set(y.toString('utf8').split(/\r?\n/));
    return x.toString('utf8').split(/\r?\n/).filter((l) => !KEY_LINE.test(l) && !ys.has(l)).length;
  };
  const n = Math.max(other(from, to), other(to, from));
  if (n) out.push(`${n} comment or other line(s) differ`);
  if (!out.length && !from.equals(to)) out.push('whitespace or line endings differ');
  return out;
}
