import * as assert from 'assert';
import { findingFor } from '../../../src/core/errors/catalogue';
import { decodeText } from '../../../src/core/errors/decode';
import { formatFindingsMarkdown, formatFindingText, toastText } from '../../../src/core/errors/format';
import { SAMPLES } from './samples';

describe('errors/format', () => {
  it('toast: the title, the user\'s own evidence and the fix; the full explanation stays in the decode view', () => {
    const f = findingFor('oauth', 'invalid_code', { httpStatus: 200 });
    const toast = toastText(f);
    assert.ok(toast.startsWith(f.title), toast);
    assert.match(toast, /Re-authorize/);
    assert.ok(toast.length < f.title.length + f.explanation.length / 2, `short: ${toast}`);
    const withEvidence = findingFor('oauth', 'invalid_client', { details: { evidence: 'You are using the India data centre.' } });
    assert.match(toastText(withEvidence), /India data centre\. Use the accounts server/);
    const extended = { ...f, explanation: `${f.explanation} The new .env IS in place.` };
    assert.strictEqual(toastText(extended), `${f.title} ${extended.explanation}`, 'an extended explanation is shown whole');
  });

  it('text: title with source, code and status, then meaning, cause, fix and the next step', () => {
    const [f] = decodeText(SAMPLES.salesiqAfterStatus);
    const text = formatFindingText(f);
    const lines = text.split('\n');
    assert.strictEqual(lines[0], `${f.title} [salesiq 1001 · HTTP 400]`);
    assert.match(lines[1], /^ {2}What it means: SalesIQ answered 1001/);
    assert.match(lines[2], /^ {2}Likely cause: +Most likely the access token is past/);
    assert.match(lines[3], /^ {2}Fix: +Refresh the access token once/);
    assert.strictEqual(lines[4], '  Next step: refresh (retryable)');
  });

  it('text: an http finding does not repeat its status; a foreign explanation is shown whole', () => {
    assert.match(formatFindingText(findingFor('http', 503)), /\[http 503\]/);
    const foreign = { ...findingFor('ssh', 'timeout'), explanation: 'Something custom happened.' };
    assert.deepStrictEqual(formatFindingText(foreign).split('\n').slice(1), ['  Something custom happened.', '  Next step: retry (retryable)']);
  });

  it('markdown: a numbered heading per finding with meaning, cause (with evidence) and fix', () => {
    const findings = decodeText(`${SAMPLES.curl}\n${SAMPLES.sudoTty}`, {});
    const md = formatFindingsMarkdown(findings);
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    assert.deepStrictEqual(headings, [`### 1. ${findings[0].title}`, `### 2. ${findings[1].title}`]);
    assert.ok(md.includes('`salesiq 1007 · HTTP 400` · request → **fix-request**'));
    assert.ok(md.includes('`department.status`'), 'code spans stay verbatim');
    for (const label of ['**What it means:**', '**Likely cause:**', '**Fix:**']) assert.strictEqual(md.split(label).length - 1, 2, label);
  });

  it('markdown: a single finding has no number; no findings says so', () => {
    assert.match(formatFindingsMarkdown(decodeText(SAMPLES.sudoTty)), /^### sudo on the server requires a terminal/);
    assert.strictEqual(formatFindingsMarkdown([]), '_No error found in this text._');
  });

  it('markdown: pasted text cannot inject HTML or emphasis outside code spans', () => {
    const f = findingFor('salesiq', 1003, { message: '<img src=x onerror=alert(1)> *bold* [link](http://x)' });
    const md = formatFindingsMarkdown([f]);
    assert.ok(!md.includes('<img'), md);
    assert.ok(md.includes('&lt;img'));
    assert.ok(md.includes('\\*bold\\*'));
    assert.ok(md.includes('\\[link\\]'));
  });
});
