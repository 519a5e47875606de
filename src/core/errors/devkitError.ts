import type { Finding } from './finding';

/**
 * An error that carries its decoded Finding, so every front end (status bar, notification, CLI JSON)
 * shows the same title, explanation and action.
 */
export class DevKitError extends Error {
  readonly finding: Finding;

  constructor(finding: Finding, options?: { cause?: unknown }) {
    super(finding.title, options);
    this.name = 'DevKitError';
    this.finding = finding;
  }
}

/**
 * Duck-typed check: the extension loads the network and SSH code from separate bundles, each with its own
 * copy of this class, so `instanceof` would fail across them.
 */
export function isDevKitError(e: unknown): e is DevKitError {
  const f = (e as { finding?: Partial<Finding> } | null)?.finding;
  return !!f && typeof f.category === 'string' && typeof f.action === 'string' && typeof f.title === 'string';
}
