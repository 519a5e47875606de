/**
 * Human renderings of a Finding: plain text for the CLI and notifications, Markdown for the decode view.
 * Both show the same three parts — what it means, why (with evidence), what to do.
 */
import { explanationParts } from './catalogue';
import type { Finding } from './finding';

export function formatFindingText(f: Finding): string {
  const p = explanationParts(f);
  const lines = [`${f.title} [${label(f)}]`];
  if (p.cause || p.fix) {
    lines.push(`  What it means: ${p.meaning}`);
    if (p.cause) lines.push(`  Likely cause:  ${p.cause}`);
    lines.push(`  Fix:           ${p.fix}`);
  } else {
    lines.push(`  ${p.meaning}`);
  }
  lines.push(`  Next step: ${f.action}${f.retryable ? ' (retryable)' : ''}`);
  return lines.join('\n');
}

/**
 * The short form for a notification: the title, the evidence (the user's own facts) and the fix. The meaning
 * and the likely cause stay in the decode view, one click away. A finding whose explanation was extended
 * after the catalogue made it (e.g. "the new .env IS in place") is shown whole: those words matter now.
 */
export function toastText(f: Finding): string {
  const p = explanationParts(f);
  if (!p.fix) return `${f.title} ${f.explanation}`;
  return [f.title, f.details?.evidence, p.fix].filter(Boolean).join(' ');
}

export function formatFindingsMarkdown(findings: Finding[]): string {
  if (!findings.length) return '_No error found in this text._';
  return findings.map((f, i) => findingMarkdown(f, findings.length > 1 ? `${i + 1}. ` : '')).join('\n\n---\n\n');
}

function findingMarkdown(f: Finding, number: string): string {
  const p = explanationParts(f);
  const out = [`### ${number}${md(f.title)}`, `\`${label(f)}\` · ${f.category} → **${f.action}**${f.retryable ? ' · retryable' : ''}`, ''];
  if (p.cause || p.fix) {
    out.push(`**What it means:** ${md(p.meaning)}`, '');
    if (p.cause) out.push(`**Likely cause:** ${md(p.cause)}`, '');
    out.push(`**Fix:** ${md(p.fix)}`);
  } else {
    out.push(md(p.meaning));
  }
  return out.join('\n');
}

/** "salesiq 1001 · HTTP 400" */
function label(f: Finding): string {
  const code = f.code === null ? '' : ` ${f.code}`;
  const status = f.httpStatus !== null && !(f.source === 'http' && f.code === f.httpStatus) ? ` · HTTP ${f.httpStatus}` : '';
  return `${f.source}${code}${status}`;
}

/**
 * Text that may come from pasted input must not become HTML, emphasis or links in the view. Code spans
 * (`…`) stay verbatim: Markdown shows them literally, and escapes inside them would show as backslashes.
 */
function md(s: string): string {
  return s
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/[<>&]/g, entity).replace(/([\\*_[\]])/g, '\\$1')))
    .join('');
}

function entity(c: string): string {
  return c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;';
}
