import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { BoundedReadError, readBoundedFile, readBoundedStream } from '../../../src/cli/boundedRead';

const refused = async (read: () => unknown, refusal: string, message: RegExp) => {
  const matches = (e: unknown) => e instanceof BoundedReadError && e.refusal === refusal && message.test(e.message);
  await assert.rejects(async () => read(), matches);
};

describe('bounded reads', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bounded-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file up to the bound, and refuses one past it', async () => {
    const file = path.join(dir, 'a.log');
    fs.writeFileSync(file, 'x'.repeat(200_000));
    assert.strictEqual(readBoundedFile(file, 200_000).length, 200_000);
    await refused(() => readBoundedFile(file, 199_999), 'too-large', /a\.log is larger than 199999 bytes/);
  });

  it('refuses a directory, a FIFO (without waiting on it) and a device by type', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const p of [dir, fifo, '/dev/zero']) await refused(() => readBoundedFile(p, 1024), 'not-a-file', /is not a regular file/);
  });

  it('names the errno of a path it cannot open', async () => {
    await refused(() => readBoundedFile(path.join(dir, 'nope'), 1024), 'unreadable', /cannot read .*nope: ENOENT/);
  });

  it('reads a stream to its end', async () => {
    const s = new PassThrough();
    s.end('abc');
    assert.strictEqual((await readBoundedStream(s, 'stdin', 3, 60_000)).toString(), 'abc');
  });

  it('stops a stream past the bound, and one that never ends', async () => {
    const big = new PassThrough();
    big.write('x'.repeat(10));
    await refused(() => readBoundedStream(big, 'stdin', 5, 60_000), 'too-large', /stdin is larger than 5 bytes/);
    // Never ended: the bound is what stops the read (kept short here).
    await refused(() => readBoundedStream(new PassThrough(), 'stdin', 5, 20), 'timeout', /stdin did not end within/);
  });
});
