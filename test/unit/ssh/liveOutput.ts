/** What the live and watch scripts of src/core/ssh/liveProof.ts print on the server, for scripted sessions. */
export interface LiveScript {
  rc?: number;
  old?: number;
  pid?: number;
  state?: string;
  /** match | differs | absent | unreadable | gone | none */
  env?: string;
  envFiles?: string[];
  err?: string[];
  journal?: string[];
}

export function liveOutput(o: LiveScript = {}): string {
  const rc = o.rc ?? 0;
  const lines = ['@t0 1000000000', '@t1 1250000000', `@rc ${rc}`, `@old ${o.old ?? 100}`, ...(o.err ?? []).map((e) => `@err ${e}`)];
  if (rc === 0) {
    lines.push('@t2 1300000000', `MainPID=${o.pid ?? 200}`, `ExecMainStartTimestamp=Wed 2026-11-25 10:00:00 UTC`, `EnvironmentFiles=${(o.envFiles ?? ['/srv/app/.env']).map((f) => `${f} (ignore_errors=no)`).join(' ')}`, 'WorkingDirectory=/', `ActiveState=${o.state ?? 'active'}`, `@env ${o.env ?? 'match'}`);
  }
  return [...lines, '@journal', ...(o.journal ?? ['Nov 25 10:00:00 h app[200]: started']), ''].join('\n');
}

export function watchOutput(res: 'steady' | 'died', journal: string[] = []): string {
  return [`@watch ${res} ${res === 'steady' ? 'active 200' : 'failed 0'}`, ...(res === 'died' ? ['@journal', ...journal] : []), ''].join('\n');
}
