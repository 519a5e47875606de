/**
 * The OAuth scopes DevKit asks for, per token kind (docs/zoho-authorize.md § Scopes). A user token serves the
 * operator API DevKit validates with (portals, departments, operators) and the chat transfer; an org token
 * serves the visitor API the test transfer opens a conversation with, and reads its brand app.
 */
export type TokenKind = 'user' | 'org';

export const SCOPE_PRESETS: Readonly<Record<TokenKind, readonly string[]>> = {
  user: ['SalesIQ.portals.READ', 'SalesIQ.departments.READ', 'SalesIQ.operators.READ', 'SalesIQ.conversations.READ', 'SalesIQ.conversations.UPDATE'],
  org: ['SalesIQ.Conversations.ALL', 'SalesIQ.apps.read'],
};

/** `Service.scope.OPERATION`: letters, digits and underscores between dots; Zoho joins them with commas. */
const SCOPE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+){1,3}$/;
const MAX_SCOPES = 40;

export type ScopeParse = { ok: true; scopes: string[] } | { ok: false; message: string };

/** A comma- (or space-) separated list as typed by a user or a flag: trimmed, deduplicated, each one checked. */
export function parseScopes(text: string): ScopeParse {
  const scopes = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (!scopes.length) return { ok: false, message: 'Give at least one scope, e.g. SalesIQ.portals.READ.' };
  if (scopes.length > MAX_SCOPES) return { ok: false, message: `At most ${MAX_SCOPES} scopes.` };
  const bad = scopes.find((s) => !SCOPE.test(s));
  if (bad !== undefined) return { ok: false, message: `"${bad.slice(0, 60)}" is not a scope (they look like SalesIQ.portals.READ).` };
  return { ok: true, scopes };
}

export function presetScopes(kind: TokenKind): string[] {
  return [...SCOPE_PRESETS[kind]];
}

export function scopeText(scopes: readonly string[]): string {
  return scopes.join(',');
}
