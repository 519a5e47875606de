import { relativeText } from '../../core/token/token';

/** The last validation and test transfer, for the status bar tooltip ("valid · 2 min ago"). */
export class LastResults {
  private readonly results = new Map<string, { at: number; ok: boolean; text: string }>();

  record(kind: 'Validation' | 'Test transfer', ok: boolean, text: string, at: number): void {
    this.results.set(kind, { at, ok, text });
  }

  rows(now: number): Array<[string, string]> {
    return [...this.results].map(([kind, r]) => [`Last ${kind.toLowerCase()}`, `${r.ok ? '$(check)' : '$(error)'} ${r.text} · ${relativeText(r.at - now)}`]);
  }
}
