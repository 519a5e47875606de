/**
 * One line per measured figure, with its target and "met" / "not met", printed at once and appended (as JSON)
 * to $BENCH_REPORT so scripts/bench.sh can print the whole table at the end (bench/summary.ts).
 */
import * as fs from 'fs';

export interface Figure {
  figure: string;
  result: string;
  target: string;
  /** undefined: a figure without a target (context for the others). */
  met?: boolean;
}

export function report(f: Figure): void {
  const verdict = f.met === undefined ? '' : f.met ? ' — met' : ' — NOT MET';
  console.log(`  ${f.figure}: ${f.result} (target ${f.target}${verdict})`);
  const file = process.env.BENCH_REPORT;
  if (file) fs.appendFileSync(file, `${JSON.stringify(f)}\n`);
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
export const ms = (x: number): string => `${x.toFixed(0)} ms`;
