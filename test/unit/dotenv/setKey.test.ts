import * as assert from 'node:assert/strict';
import { maskedDiff, readEnvKey, setEnvKey, validateEnvValue } from '../../../src/core/dotenv/setKey';

const K = 'SALESIQ_ACCESS_TOKEN';
const NEW = '1000.1111aaaa2222bbbb3333cccc4444dddd.5555eeee6666ffff77770000888899990';
const OLD = '1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210';

const set = (text: string | Buffer, key = K, value = NEW) => setEnvKey(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), key, value);
const str = (r: { content: Buffer }) => r.content.toString('utf8');

describe('setEnvKey', () => {
  it('replaces only the value and keeps every other line byte for byte', () => {
    const before = `# settings\nAPP_ENV=production\n${K}=${OLD}\n\nDB_PASSWORD='s3cr3t pass'  # note\n`;
    const r = set(before);
    assert.equal(str(r), before.replace(OLD, NEW));
    assert.deepEqual([r.replaced, r.appended, r.crlf], [1, false, false]);
  });

  it('keeps CRLF line endings and reports them', () => {
    const before = `A=1\r\n${K}=${OLD}\r\nB=2\r\n`;
    const r = set(before);
    assert.equal(str(r), `A=1\r\n${K}=${NEW}\r\nB=2\r\n`);
    assert.equal(r.crlf, true);
  });

  it('appends with CRLF to a CRLF file that lacks the key', () => {
    assert.equal(str(set('A=1\r\nB=2\r\n')), `A=1\r\nB=2\r\n${K}=${NEW}\r\n`);
  });

  it('keeps a UTF-8 BOM and non-UTF-8 bytes elsewhere in the file', () => {
    const before = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${K}=${OLD}\nNAME=`), Buffer.from([0xe9, 0xff]), Buffer.from('\n')]);
    const r = set(before);
    const expected = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${K}=${NEW}\nNAME=`), Buffer.from([0xe9, 0xff]), Buffer.from('\n')]);
    assert.ok(r.content.equals(expected));
    assert.equal(r.replaced, 1);
  });

  it('keeps the export prefix, spacing and the quoting style of the line', () => {
    assert.equal(str(set(`export ${K}=${OLD}\n`)), `export ${K}=${NEW}\n`);
    assert.equal(str(set(`${K}="${OLD}"\n`)), `${K}="${NEW}"\n`);
    assert.equal(str(set(`${K}='${OLD}' # rotated hourly\n`)), `${K}='${NEW}' # rotated hourly\n`);
    assert.equal(str(set(`  ${K} = ${OLD}   # c\n`)), `  ${K} = ${NEW}   # c\n`);
    assert.equal(str(set(`${K}: ${OLD}\n`)), `${K}: ${NEW}\n`);
  });

  it('fills an empty value and keeps a comment after it a comment', () => {
    assert.equal(str(set(`${K}=\n`)), `${K}=${NEW}\n`);
    assert.equal(str(set(`${K}= # fill me\n`)), `${K}= ${NEW} # fill me\n`);
    assert.equal(str(set(`${K}=""\n`)), `${K}="${NEW}"\n`);
  });

  it('replaces every duplicate and counts them', () => {
    const r = set(`${K}=a\nX=1\nexport ${K}="b"\n`);
    assert.equal(str(r), `${K}=${NEW}\nX=1\nexport ${K}="${NEW}"\n`);
    assert.equal(r.replaced, 2);
  });

  it('appends a missing key, adding the missing final newline first', () => {
    const r = set('A=1');
    assert.equal(str(r), `A=1\n${K}=${NEW}\n`);
    assert.deepEqual([r.replaced, r.appended], [0, true]);
    assert.equal(str(set('')), `${K}=${NEW}\n`);
    assert.equal(str(set('\ufeff')), `\ufeff${K}=${NEW}\n`);
  });

  it('does not touch commented-out assignments, longer keys or other keys', () => {
    const before = `# ${K}=old\n${K}_BACKUP=x\nMY_${K}=y\n`;
    assert.equal(str(set(before)), `${before}${K}=${NEW}\n`);
  });

  it('treats a multi-line quoted value as one entry (the key inside it is not a real line)', () => {
    const before = `CERT="-----BEGIN-----\n${K}=not-a-real-line\n-----END-----"\n${K}="line1\nline2"\nZ=1\n`;
    const r = set(before);
    assert.equal(str(r), `CERT="-----BEGIN-----\n${K}=not-a-real-line\n-----END-----"\n${K}="${NEW}"\nZ=1\n`);
    assert.equal(r.replaced, 1);
  });

  it('returns identical bytes when the value is already there', () => {
    const before = Buffer.from(`A=1\r\nexport ${K}='${NEW}'\r\n`);
    assert.ok(set(before).content.equals(before));
  });

  it('refuses unsafe values and keys', () => {
    assert.throws(() => set('A=1\n', K, 'abc\nEVIL=1'), RangeError);
    assert.throws(() => set('A=1\n', K, 'a"b'), RangeError);
    assert.throws(() => set('A=1\n', 'BAD KEY', NEW), RangeError);
  });
});

describe('validateEnvValue', () => {
  it('accepts Zoho tokens and common token alphabets', () => {
    for (const v of [NEW, 'abc-DEF_123', 'eyJhbGciOi.J9.x-y_z', 'a+b/c==', 'https://x.example/p']) {
      assert.equal(validateEnvValue(v), undefined, v);
    }
  });

  it('names the problem for line breaks, control characters, quotes and shell metacharacters', () => {
    assert.match(validateEnvValue('')!, /empty/);
    assert.match(validateEnvValue('a\nb')!, /line break/);
    assert.match(validateEnvValue('a\rb')!, /line break/);
    assert.match(validateEnvValue('a\tb')!, /control/);
    for (const c of ['"', "'", '`', '$', '\\', '#', ' ', ';', '&', '|', '<', '>', '(', ')', '*', '?', '!']) {
      assert.ok(validateEnvValue(`a${c}b`), `should refuse ${JSON.stringify(c)}`);
    }
    assert.ok(validateEnvValue('x'.repeat(5000)));
  });
});

describe('readEnvKey', () => {
  it('reads the last assignment, unquoting and dropping inline comments', () => {
    const text = `${K}=first\nexport ${K}="second" # c\n`;
    assert.equal(readEnvKey(Buffer.from(text), K), 'second');
    assert.equal(readEnvKey(`${K}='single quoted'\n`, K), 'single quoted');
    assert.equal(readEnvKey(`${K}=plain value  # trailing\r\n`, K), 'plain value');
    assert.equal(readEnvKey(`${K}="a\\nb"\n`, K), 'a\nb');
    assert.equal(readEnvKey('\ufeffA=1\n', 'A'), '1');
    assert.equal(readEnvKey('A=1\n', K), undefined);
  });
});

describe('maskedDiff', () => {
  it('shows only the changed lines, with both tokens masked', () => {
    const before = Buffer.from(`APP=1\n${K}=${OLD}\nDB_PASSWORD=hunter22\n`);
    const after = setEnvKey(before, K, NEW).content;
    const d = maskedDiff(before, after, [NEW, OLD], '/opt/app/.env');
    assert.ok(!d.includes(NEW) && !d.includes(OLD), d);
    assert.ok(!d.includes('hunter22'), 'unchanged lines (other secrets) are not shown');
    assert.match(d, /^--- \/opt\/app\/\.env \(current\)\n\+\+\+ \/opt\/app\/\.env \(new\)\n@@ -2,1 \+2,1 @@\n-SALESIQ_ACCESS_TOKEN=1000\.0123…3210\n\+SALESIQ_ACCESS_TOKEN=1000\.1111…9990$/);
  });

  it('shows an appended line and says when nothing changes', () => {
    const before = Buffer.from('A=1');
    const after = setEnvKey(before, K, NEW).content;
    const d = maskedDiff(before, after, [NEW]);
    assert.ok(d.includes(`+${K}=1000.1111…9990`), d);
    assert.ok(!d.includes(NEW));
    assert.equal(maskedDiff(before, before, []), '.env: no change');
  });

  it('masks a non-Zoho old value given as a secret', () => {
    const before = Buffer.from(`${K}=changeme-placeholder-value\n`);
    const d = maskedDiff(before, setEnvKey(before, K, NEW).content, [NEW, 'changeme-placeholder-value']);
    assert.ok(!d.includes('changeme-placeholder-value'), d);
  });
});

describe('setEnvKey blanking', () => {
  it('blanks a value and keeps its quoting and every other line', () => {
    const out = setEnvKey(Buffer.from('# c\nA=1\nSECRET="abc"\nB=2\n'), 'SECRET', '').content.toString();
    assert.strictEqual(out, '# c\nA=1\nSECRET=""\nB=2\n');
  });
});
