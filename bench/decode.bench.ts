/**
 * Time to decode a generated 1 MB log with one SalesIQ error in the middle (median of several runs).
 * Prints `decode 1MB: X ms`. Run after `tsc`: node out/bench/decode.bench.js
 */
import { decodeText } from '../src/core/errors/decode';

const RUNS = 7;
const SIZE = 1_048_576;

function generateLog(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < SIZE; i++) {
    const t = `11:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const line = `Nov 25 ${t} web1 llm-chatbot[812]: INFO request ${i} GET /api/v2/zylker/departments {"status":200,"code":0,"ms":${i % 97}} ok`;
    lines.push(line);
    size += line.length + 1;
  }
  lines.splice(lines.length >> 1, 0, 'Nov 25 11:37:02 web1 llm-chatbot[812]: ERROR HTTP 400 {"error":{"code":1001,"message":"Unknown authentication error, Contact SalesIQ Team!"}}');
  return lines.join('\n');
}
import { report } from './report';

function main(): void {
  const log = generateLog();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const findings = decodeText(log);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (findings.length !== 1 || findings[0].code !== 1001) throw new Error(`bench input decoded wrongly: ${JSON.stringify(findings)}`);
  }
  times.sort((a, b) => a - b);
  const m = times[RUNS >> 1];
  console.log('decode:');
  report({ figure: 'decode a 1 MB log', result: `${m.toFixed(1)} ms`, target: '≤ 100 ms (feels instant)', met: m <= 100 });
}

main();
