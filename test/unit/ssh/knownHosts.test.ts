import * as assert from 'node:assert/strict';
import {
  checkHostKey,
  fingerprintOf,
  keyTypeOf,
  knownHostsLine,
  normalisePin,
  parseKnownHosts,
} from '../../../src/core/ssh/knownHosts';

// Keys and fingerprints made with ssh-keygen (OpenSSH 9.2); the hashed lines come from `ssh-keygen -H`.
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAIHaEYRLllE0Q0NpsY1s6qu7adE8j6MjaxsExxpxKtvMr';
const K1_FP = 'SHA256:bJst0j/pL+TTiCDpzzTq/oGT1vmPgNUcidAOcK3avEE';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIPqjkb7clh+KzxGFDN3KArNnNnwC2BCfHcWsu3aPgHPM';
const K2_FP = 'SHA256:DnFdigkrPf8JXgMHUsvqnRgbijj+M2JnSotL/Eg8t54';
const K3 = 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDSScWooG3kZEvNmTQIrG9jxI7nDsqUX+yYepecDdLEZXhRZQM2SVPF9SYOIBDR99UYbX+7P+UJP5eU+TKhVON4=';
const K3_FP = 'SHA256:DQRW3/gPlKZtz3LqmiqtuxWpEvbAcVDT991XOPupoQ4';
const HASHED_EXAMPLE_COM = `|1|/fVsDV5iPX1GQ9UkimMst5Tq9dI=|mRAth6AwRI6uwFKrxNd7eo/CzTY= ssh-ed25519 ${K1}`;
const HASHED_LOCAL_2222 = `|1|jLlajVRbCyev9qnhXtSwykLBmX4=|+uKJ9JgTKZQbTk3yrwqLz4tHfIU= ssh-ed25519 ${K1}`;

const blob = (b64: string) => Buffer.from(b64, 'base64');
const check = (text: string, host: string, port: number, key: string, pin?: string) =>
  checkHostKey({ host, port, keyBlob: blob(key), knownHostsText: text, pinnedFingerprint: pin });

describe('fingerprintOf / keyTypeOf', () => {
  it('match ssh-keygen -l output', () => {
    assert.equal(fingerprintOf(blob(K1)), K1_FP);
    assert.equal(fingerprintOf(blob(K3)), K3_FP);
    assert.equal(keyTypeOf(blob(K1)), 'ssh-ed25519');
    assert.equal(keyTypeOf(blob(K3)), 'ecdsa-sha2-nistp256');
    assert.equal(keyTypeOf(Buffer.from([0, 0])), 'unknown');
  });
});

describe('checkHostKey', () => {
  it('trusts a plain entry for port 22 and a bracketed entry for another port, not the other way round', () => {
    assert.equal(check(`example.com ssh-ed25519 ${K1}`, 'example.com', 22, K1).status, 'trusted');
    assert.equal(check(`Example.COM ssh-ed25519 ${K1}`, 'example.com', 22, K1).status, 'trusted');
    assert.equal(check(`[127.0.0.1]:2222 ssh-ed25519 ${K1}`, '127.0.0.1', 2222, K1).status, 'trusted');
    assert.equal(check(`[127.0.0.1]:2222 ssh-ed25519 ${K1}`, '127.0.0.1', 22, K1).status, 'unknown');
    assert.equal(check(`127.0.0.1 ssh-ed25519 ${K1}`, '127.0.0.1', 2222, K1).status, 'unknown');
  });

  it('matches hashed |1| entries written by ssh-keygen -H', () => {
    assert.equal(check(HASHED_EXAMPLE_COM, 'example.com', 22, K1).status, 'trusted');
    assert.equal(check(HASHED_LOCAL_2222, '127.0.0.1', 2222, K1).status, 'trusted');
    assert.equal(check(HASHED_LOCAL_2222, '127.0.0.1', 2223, K1).status, 'unknown');
    assert.equal(check(HASHED_EXAMPLE_COM, 'example.org', 22, K1).status, 'unknown');
  });

  it('reports a different key of a listed type as changed, with the known fingerprint', () => {
    const r = check(`example.com ssh-ed25519 ${K1}`, 'example.com', 22, K2);
    assert.equal(r.status, 'changed');
    assert.equal(r.fingerprint, K2_FP);
    assert.deepEqual(r.knownFingerprints, [K1_FP]);
    assert.equal(check(HASHED_EXAMPLE_COM, 'example.com', 22, K2).status, 'changed');
  });

  it('treats a host listed only with another key type as unknown, not as a MITM', () => {
    const r = check(`example.com ecdsa-sha2-nistp256 ${K3}`, 'example.com', 22, K1);
    assert.equal(r.status, 'unknown');
    assert.deepEqual(r.knownFingerprints, [K3_FP]);
  });

  it('accepts any listed key of the host (two lines, or two key types)', () => {
    const text = `example.com ssh-ed25519 ${K2}\nexample.com ssh-ed25519 ${K1}\nexample.com ecdsa-sha2-nistp256 ${K3}\n`;
    assert.equal(check(text, 'example.com', 22, K1).status, 'trusted');
    assert.equal(check(text, 'example.com', 22, K3).status, 'trusted');
  });

  it('handles comma lists and * ? ! patterns', () => {
    assert.equal(check(`host-a,example.com,10.0.0.1 ssh-ed25519 ${K1}`, 'example.com', 22, K1).status, 'trusted');
    assert.equal(check(`*.example.com ssh-ed25519 ${K1}`, 'web.example.com', 22, K1).status, 'trusted');
    assert.equal(check(`web?.example.com ssh-ed25519 ${K1}`, 'web1.example.com', 22, K1).status, 'trusted');
    assert.equal(check(`web?.example.com ssh-ed25519 ${K1}`, 'web12.example.com', 22, K1).status, 'unknown');
    assert.equal(check(`*.example.com,!db.example.com ssh-ed25519 ${K1}`, 'db.example.com', 22, K1).status, 'unknown');
    assert.equal(check(`[*.example.com]:2200 ssh-ed25519 ${K1}`, 'a.example.com', 2200, K1).status, 'trusted');
  });

  it('refuses a revoked key even when another line lists it', () => {
    const text = `@revoked * ssh-ed25519 ${K1}\nexample.com ssh-ed25519 ${K1}\n`;
    assert.equal(check(text, 'example.com', 22, K1).status, 'revoked');
    assert.equal(check(text, 'example.com', 22, K1, K1_FP).status, 'revoked');
    assert.equal(check(`@revoked * ssh-ed25519 ${K2}\nexample.com ssh-ed25519 ${K1}`, 'example.com', 22, K1).status, 'trusted');
  });

  it('ignores @cert-authority lines, comments, blank and corrupt lines', () => {
    const text = `# comment\n\n@cert-authority *.example.com ssh-ed25519 ${K1}\nexample.com ssh-ed25519 ${K3}\ngarbage\n`;
    assert.equal(check(text, 'web.example.com', 22, K1).status, 'unknown');
    // The ed25519 line carries an ecdsa blob (corrupt) and "garbage" has no key: only the CA line parses.
    assert.deepEqual(parseKnownHosts(text).map((e) => e.marker), ['cert-authority']);
  });

  it('lets a pin win over known_hosts, in both directions', () => {
    const r = check(`example.com ssh-ed25519 ${K1}`, 'example.com', 22, K2, K2_FP);
    assert.deepEqual([r.status, r.via], ['trusted', 'pin']);
    const bad = check(`example.com ssh-ed25519 ${K1}`, 'example.com', 22, K1, K2_FP);
    assert.equal(bad.status, 'changed');
    assert.deepEqual(bad.knownFingerprints, [K2_FP]);
    assert.equal(check('', 'example.com', 22, K1, K1_FP.slice(7) + '=').status, 'trusted', 'pin without prefix, with padding');
  });

  it('says unknown with no known_hosts at all', () => {
    const r = checkHostKey({ host: 'example.com', keyBlob: blob(K1) });
    assert.deepEqual([r.status, r.fingerprint, r.keyType, r.knownFingerprints], ['unknown', K1_FP, 'ssh-ed25519', undefined]);
  });
});

describe('knownHostsLine', () => {
  it('writes lines that checkHostKey (and OpenSSH) read back', () => {
    assert.equal(knownHostsLine('Example.com', 22, blob(K1)), `example.com ssh-ed25519 ${K1}`);
    assert.equal(knownHostsLine('127.0.0.1', 2222, blob(K1)), `[127.0.0.1]:2222 ssh-ed25519 ${K1}`);
    const hashed = knownHostsLine('127.0.0.1', 2222, blob(K3), { hashed: true });
    assert.match(hashed, /^\|1\|[^|]+\|[^ ]+ ecdsa-sha2-nistp256 /);
    assert.equal(check(hashed, '127.0.0.1', 2222, K3).status, 'trusted');
  });

  it('normalises pins to OpenSSH spelling', () => {
    assert.equal(normalisePin(' sha256:abc= '), 'SHA256:abc');
    assert.equal(normalisePin('abc'), 'SHA256:abc');
  });
});
