/** Prints the figures the benches appended to $BENCH_REPORT as one table: figure, result, target, verdict. */
import * as fs from 'fs';
import type { Figure } from './report';

const file = process.argv[2] ?? process.env.BENCH_REPORT;
if (!file || !fs.existsSync(file)) {
  console.error('bench summary: no report file');
  process.exit(1);
}
const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figure);
const verdict = (f: Figure) => (f.met === undefined ? '—' : f.met ? 'met' : 'NOT MET');
console.log('\n| figure | result | target | |\n|---|---|---|---|');
for (const f of rows) console.log(`| ${f.figure} | ${f.result} | ${f.target} | ${verdict(f)} |`);
const missed = rows.filter((f) => f.met === false).length;
console.log(`\n${rows.filter((f) => f.met !== undefined).length - missed} targets met, ${missed} not met`);
