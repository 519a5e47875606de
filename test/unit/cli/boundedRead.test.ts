import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { BoundedReadError, readBoundedFd, readBoundedFile, readBoundedStream } from '../../../src/cli/boundedRead';

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

  describe('a descriptor (stdin without process.stdin)', () => {
    let fifo: string;
    beforeEach(() => {
      fifo = path.join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
    });
    /** A blocking read end of the FIFO and its write end (a non-blocking reader lets the writer open without waiting). */
    const pipe = () => {
      const opener = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const writer = fs.openSync(fifo, 'w');
      const reader = fs.openSync(fifo, 'r');
      fs.closeSync(opener);
      return { reader, writer };
    };

    it('reads a regular file from its offset on, bounded by size', async () => {
      const file = path.join(dir, 'a.log');
      fs.writeFileSync(file, 'headerBODY');
      const fd = fs.openSync(file, 'r');
      try {
        fs.readSync(fd, Buffer.alloc(6), 0, 6, null);
        assert.strictEqual((await readBoundedFd(fd, 'stdin', 100, 60_000)).toString(), 'BODY');
        await refused(() => readBoundedFd(fd, 'stdin', 5, 60_000), 'too-large', /stdin is larger than 5 bytes/);
      } finally {
        fs.closeSync(fd);
      }
    });

    it('reads a pipe to its end, and stops one past the bound', async () => {
      const ok = pipe();
      const reading = readBoundedFd(ok.reader, 'stdin', 1000, 60_000);
      fs.writeSync(ok.writer, 'line one\n');
      fs.writeSync(ok.writer, 'line two\n');
      fs.closeSync(ok.writer);
      assert.strictEqual((await reading).toString(), 'line one\nline two\n');
      fs.closeSync(ok.reader);

      const big = pipe();
      fs.writeSync(big.writer, 'x'.repeat(10));
      await refused(() => readBoundedFd(big.reader, 'stdin', 5, 60_000), 'too-large', /stdin is larger than 5 bytes/);
      fs.closeSync(big.writer);
      fs.closeSync(big.reader);
    });

    it('stops waiting on a pipe that never ends', async () => {
      const { reader, writer } = pipe();
      await refused(() => readBoundedFd(reader, 'stdin', 5, 20), 'timeout', /stdin did not end within/);
      // The read left waiting in the thread pool gets a byte and ends, so nothing is left running.
      fs.writeSync(writer, 'x');
      fs.closeSync(writer);
      fs.closeSync(reader);
    });

    it('goes on through the stream when the descriptor will not wait (non-blocking)', async () => {
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const writer = fs.openSync(fifo, 'w');
      fs.writeSync(writer, 'abc');
      const rest = new PassThrough();
      rest.end('def');
      try {
        assert.strictEqual((await readBoundedFd(reader, 'stdin', 100, 60_000, () => rest)).toString(), 'abcdef');
        const more = new PassThrough();
        more.end('x'.repeat(10));
        fs.writeSync(writer, 'abc');
        await refused(() => readBoundedFd(reader, 'stdin', 5, 60_000, () => more), 'too-large', /stdin is larger than 5 bytes/);
      } finally {
        fs.closeSync(writer);
        fs.closeSync(reader);
      }
    });
  });
});
