/** What other processes on this machine can see: command lines under /proc (the test server is local). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export function cmdlines(): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const c = fs.readFileSync(`/proc/${pid}/cmdline`);
      if (c.length) out.push(c.toString('utf8').split('\0').join(' ').trim());
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

/**
 * Samples every process command line in a separate process (so ssh2's work in this one does not pause it)
 * until stop() is called; returns the distinct lines seen. `caught()` tells whether a line containing
 * `marker` has been seen yet (proof the sampling overlapped the command of interest).
 */
export function sampleCmdlines(marker: string): { caught: () => boolean; stop: () => Promise<string[]> } {
  const code = `
    const fs = require('fs'); const seen = new Set(); let run = true; let hit = false;
    const marker = process.argv[1];
    process.on('message', () => { run = false; });
    (function loop() {
      for (let k = 0; k < 20 && run; k++) {
        for (const p of fs.readdirSync('/proc')) {
          if (!/^\\d+$/.test(p)) continue;
          try {
            const c = fs.readFileSync('/proc/' + p + '/cmdline');
            if (!c.length) continue;
            const line = c.toString('utf8').split('\\0').join(' ');
            seen.add(line);
            if (!hit && line.includes(marker)) { hit = true; process.send({ hit: true }); }
          } catch {}
        }
      }
      if (run) setImmediate(loop); else process.send({ seen: [...seen] }, () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ['-e', code, marker], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let hit = false;
  const result = new Promise<string[]>((resolve, reject) => {
    child.on('message', (m: { hit?: boolean; seen?: string[] }) => {
      if (m.hit) hit = true;
      if (m.seen) resolve(m.seen);
    });
    child.once('error', reject);
  });
  return {
    caught: () => hit,
    stop: async () => {
      child.send('stop');
      return result;
    },
  };
}
