import * as assert from 'assert';
import { decodeText, type DecodeContext } from '../../../src/core/errors/decode';
import type { Finding } from '../../../src/core/errors/finding';
import { assertValidFinding } from './assertFinding';
import { SAMPLES } from './samples';

/** mulberry32: a tiny seeded PRNG so every run sees the same inputs (a failure is reproducible by its index). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REAL = Object.values(SAMPLES);
const STRUCTURAL = '{}[]"\':,\\ \n\t0123456789eE.-+truefalsnTFN<>/=';
const WORDS = ['"error"', "'error'", 'error', '"code"', ':', '{', '}', '[', ']', ',', '1001', '"1008"', '"invalid_client"', 'None', 'HTTP/1.1 400', '<html>', 'sudo:', 'ECONNREFUSED', '\\"', '"'];
const CONTEXTS: DecodeContext[] = [
  {},
  { now: 0, token: { expiresAt: 1 } },
  { now: Date.parse('2026-11-25T11:00:00Z'), token: { expiresAt: Date.parse('2026-11-25T10:00:00Z'), accessToken: '1000.a.b' }, dataCenter: 'com', tokenKindHint: 'user' },
  { now: Number.NaN, token: { expiresAt: Number.POSITIVE_INFINITY }, dataCenter: '', tokenKindHint: 'org' },
];

function check(text: string, rnd: () => number, label: string): Finding[] {
  let findings: Finding[] = [];
  const ctx = CONTEXTS[Math.floor(rnd() * CONTEXTS.length)];
  assert.doesNotThrow(() => {
    findings = decodeText(text, ctx);
  }, label);
  assert.ok(Array.isArray(findings), label);
  assert.ok(findings.length <= 50, label);
  for (const f of findings) assertValidFinding(f, label);
  const keys = findings.map((f) => `${f.source}|${f.code}|${f.httpStatus}`);
  assert.strictEqual(new Set(keys).size, keys.length, `duplicates folded: ${label}`);
  return findings;
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

function randomChars(rnd: () => number, n: number, alphabet?: string): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += alphabet ? alphabet[Math.floor(rnd() * alphabet.length)] : String.fromCharCode(Math.floor(rnd() * 0x10000));
  }
  return s;
}

function mutate(rnd: () => number, s: string): string {
  const chars = s.split('');
  const edits = 1 + Math.floor(rnd() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (chars.length + 1));
    const op = rnd();
    if (op < 0.33) chars.splice(at, 1);
    else if (op < 0.66) chars.splice(at, 0, pick(rnd, WORDS));
    else chars[at] = STRUCTURAL[Math.floor(rnd() * STRUCTURAL.length)];
  }
  return chars.join('');
}

/** Random JSON-ish trees with error envelopes at random depths, in JSON or Python spelling. */
function nested(rnd: () => number, depth: number): string {
  const r = rnd();
  if (depth <= 0 || r < 0.2) return pick(rnd, ['1001', '"x"', 'null', 'None', 'True', '[]', '{}', '"Invalid"', '1054']);
  if (r < 0.4) return `{"error":{"code":${1000 + Math.floor(rnd() * 60)},"message":${nested(rnd, depth - 1)}}}`;
  if (r < 0.5) return `{'error': ${pick(rnd, ["'invalid_code'", "'Access Denied'", "'other_dc'"])}, 'status': 'failure'}`;
  if (r < 0.75) return `{"k${depth}":${nested(rnd, depth - 1)},"v":[${nested(rnd, depth - 1)},${nested(rnd, depth - 1)}]}`;
  return `[${nested(rnd, depth - 1)}]`;
}

describe('errors/decode: fuzz (seeded, deterministic)', function () {
  this.timeout(120_000);

  it('never throws on random strings', () => {
    const rnd = prng(1);
    for (let i = 0; i < 1500; i++) {
      const text = rnd() < 0.5 ? randomChars(rnd, Math.floor(rnd() * 400)) : randomChars(rnd, Math.floor(rnd() * 400), STRUCTURAL);
      check(text, rnd, `random #${i}`);
    }
  });

  it('never throws on truncations and mutations of real samples', () => {
    const rnd = prng(2);
    for (let i = 0; i < 2000; i++) {
      const sample = pick(rnd, REAL);
      const cut = Math.floor(rnd() * (sample.length + 1));
      const text = i % 3 === 0 ? sample.slice(0, cut) : i % 3 === 1 ? sample.slice(cut) : mutate(rnd, sample);
      check(text, rnd, `sample #${i}`);
    }
  });

  it('never throws on nested and concatenated JSON', () => {
    const rnd = prng(3);
    for (let i = 0; i < 1000; i++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(rnd() * 6);
      for (let p = 0; p < n; p++) parts.push(rnd() < 0.3 ? pick(rnd, REAL) : nested(rnd, 1 + Math.floor(rnd() * 6)));
      check(parts.join(pick(rnd, ['', '\n', ' ', ',', '}{'])), rnd, `nested #${i}`);
    }
  });

  it('never throws on huge repeated braces, deep nesting and key floods', () => {
    const rnd = prng(4);
    const big = [
      '{'.repeat(200_000),
      '}'.repeat(200_000),
      '{"error":'.repeat(50_000),
      '{"error":{"code":'.repeat(30_000),
      `${'['.repeat(100_000)}${SAMPLES.salesiqRaw}${']'.repeat(100_000)}`,
      `${'{"a":'.repeat(50_000)}${SAMPLES.salesiqRaw}${'}'.repeat(50_000)}`,
      '"'.repeat(300_000),
      '\\"'.repeat(150_000),
      'HTTP/1.1 500 '.repeat(50_000),
      '<html>'.repeat(50_000),
      'sudo: tty refused Unit Job for '.repeat(20_000),
      `{"error":{"code":${'9'.repeat(300_000)}`,
      `{"error":"${'x'.repeat(300_000)}`,
    ];
    big.forEach((text, i) => check(text, rnd, `big #${i}`));
  });

  it('finds a SalesIQ code in every truncation that keeps the code', () => {
    const text = SAMPLES.salesiqRaw;
    const after = text.indexOf('1001') + 4;
    for (let cut = after; cut <= text.length; cut++) {
      const found = decodeText(text.slice(0, cut)).map((f) => f.code);
      assert.deepStrictEqual(found, [1001], `cut at ${cut}`);
    }
  });

  it('finds an error embedded anywhere in letter noise', () => {
    const rnd = prng(5);
    const cases: Array<[string, string | number]> = [
      [SAMPLES.journal, 1008], [SAMPLES.pythonDict, 1009], [SAMPLES.oauthThrottle, 'Access Denied'], [SAMPLES.sudoTty, 'tty-required'],
      [SAMPLES.nodeRefused, 'ECONNREFUSED'], [SAMPLES.systemdJob, 'job-failed'],
    ];
    for (let i = 0; i < 300; i++) {
      const [sample, code] = pick(rnd, cases);
      const noise = () => randomChars(rnd, Math.floor(rnd() * 3000), 'abcdefgh ijklmnop\nqrstuvwxyz');
      const found = check(`${noise()}\n${sample}\n${noise()}`, rnd, `embedded #${i}`);
      assert.ok(found.some((f) => f.code === code), `embedded #${i}: ${code} in ${JSON.stringify(found.map((f) => f.code))}`);
    }
  });
});
