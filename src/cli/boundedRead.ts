/**
 * Reading what a user names (a config file, a log to decode, stdin) without trusting it: a path may be a
 * FIFO that never ends, a device, a directory or a huge file, and stdin may be an endless pipe or a terminal
 * nobody types into. Each read is bounded by type, size and (for streams) time; a refusal says which.
 */
// Plain requires (`import x = require()`): esbuild copies every export of a namespace import (`import * as`) at start.
import fs = require('fs');
import { UsageError } from './args';

export type Refusal = 'not-a-file' | 'too-large' | 'timeout' | 'unreadable';

/** A bounded read refused. A usage error (exit 2) unless the caller maps it to its own finding. */
export class BoundedReadError extends UsageError {
  constructor(
    readonly refusal: Refusal,
    message: string,
    /** The errno code, for `unreadable`. */
    readonly code?: string,
  ) {
    super(message);
  }
}

const CHUNK = 64 * 1024;

/** What the CLI reads as text (a log to decode, a grant code on stdin): enough for any log excerpt, and stdin not forever. */
export const INPUT_MAX_BYTES = 16 * 1024 * 1024;
export const STDIN_TIMEOUT_MS = 5 * 60_000;

/** stdin as text, bounded; without a stream, read from fd 0 itself (readBoundedFd). */
export async function readStdinBounded(stdin?: NodeJS.ReadableStream): Promise<string> {
  const bytes = stdin ? readBoundedStream(stdin, 'stdin', INPUT_MAX_BYTES, STDIN_TIMEOUT_MS) : withOnePoolThread(() => readBoundedFd(0, 'stdin', INPUT_MAX_BYTES, STDIN_TIMEOUT_MS));
  return (await bytes).toString('utf8');
}

/**
 * Runs `start`, whose first read of a pipe starts libuv's thread pool, with the pool sized to one thread:
 * the pool is sized once, when it starts, and by default starts four threads and waits for each before the
 * read runs, though one read needs one. The variable is put back at once (no child process sees it); a
 * size the user set, or a pool already running, is left as it is.
 */
function withOnePoolThread<T>(start: () => T): T {
  if (process.env.UV_THREADPOOL_SIZE !== undefined) return start();
  process.env.UV_THREADPOOL_SIZE = '1';
  try {
    return start();
  } finally {
    delete process.env.UV_THREADPOOL_SIZE;
  }
}

/**
 * A descriptor (stdin) read to its end with the bounds of readBoundedStream, without process.stdin: on a pipe
 * that builds a net.Socket (loading net and stream), a tenth of a CLI start. A regular file (`decode < app.log`)
 * is read at once, bounded by size. Anything else is read in libuv's thread pool, so the timer still fires on
 * a pipe or terminal that never ends (the read left waiting ends with the process). A descriptor that will not
 * wait (non-blocking: EAGAIN) is read through Node's stream instead, with what is left of the bounds.
 */
export function readBoundedFd(
  fd: number,
  what: string,
  maxBytes: number,
  timeoutMs: number,
  stream: () => NodeJS.ReadableStream = () => process.stdin,
): Promise<Buffer> {
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile()) return Promise.resolve(readOpenFile(fd, st, what, maxBytes));
  } catch (e) {
    return Promise.reject(unreadable(e, what));
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err?: Error) => {
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, total));
    };
    const viaStream = () => {
      done = true;
      clearTimeout(timer);
      readBoundedStream(stream(), what, maxBytes - total, Math.max(1, timeoutMs - (Date.now() - started))).then(
        (rest) => resolve(Buffer.concat([...chunks, rest])),
        (e) => reject(e instanceof BoundedReadError && e.refusal === 'too-large' ? tooLarge(what, maxBytes) : e),
      );
    };
    // One buffer for every read; each chunk is copied out at its own length (a trickle of small reads must not
    // keep a 64 KiB buffer each).
    const buf = Buffer.allocUnsafe(CHUNK);
    const next = () => {
      fs.read(fd, buf, 0, CHUNK, null, (err, n) => {
        if (done) return;
        if (err?.code === 'EAGAIN') return viaStream();
        if (err) return finish(new BoundedReadError('unreadable', `cannot read ${what}: ${err.code ?? err.message}`));
        if (n === 0) return finish();
        total += n;
        if (total > maxBytes) return finish(tooLarge(what, maxBytes));
        chunks.push(Buffer.from(buf.subarray(0, n)));
        next();
      });
    };
    const timer = setTimeout(() => finish(new BoundedReadError('timeout', `${what} did not end within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    next();
  });
}

/**
 * A regular file's bytes, at most `maxBytes`. Opened without blocking so a FIFO is refused instead of waited
 * on; the size is checked on the open file, and again while reading (a file that grows is cut off, not read on).
 */
export function readBoundedFile(file: string, maxBytes: number): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new BoundedReadError('not-a-file', `${file} is not a regular file (a directory, device or pipe)`);
    return readOpenFile(fd, st, file, maxBytes);
  } catch (e) {
    throw unreadable(e, file);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A regular file's bytes from its descriptor's offset on, at most `maxBytes` (a file that grows is cut off, not read on). */
function readOpenFile(fd: number, st: fs.Stats, what: string, maxBytes: number): Buffer {
  if (st.size > maxBytes) throw tooLarge(what, maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.alloc(CHUNK);
    const n = fs.readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) return Buffer.concat(chunks, total);
    total += n;
    if (total > maxBytes) throw tooLarge(what, maxBytes);
    chunks.push(buf.subarray(0, n));
  }
}

/** A refusal as it is; any other failure to read as `unreadable`, with its errno code. */
function unreadable(e: unknown, what: string): BoundedReadError {
  if (e instanceof BoundedReadError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new BoundedReadError('unreadable', `cannot read ${what}: ${code}`, code);
}

/**
 * A stream read to its end, refused once it passes `maxBytes` or has not ended after `timeoutMs`; the stream
 * is paused then, so nothing more is read into memory.
 */
export function readBoundedStream(stream: NodeJS.ReadableStream, what: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (err?: Error) => {
      clearTimeout(timer);
      stream.off('data', onData).off('end', onEnd).off('error', onError);
      if (!err) return resolve(Buffer.concat(chunks, total));
      stream.pause();
      reject(err);
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      total += b.length;
      if (total > maxBytes) return finish(tooLarge(what, maxBytes));
      chunks.push(b);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(new BoundedReadError('unreadable', `cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    const timer = setTimeout(() => finish(new BoundedReadError('timeout', `${what} did not end within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    stream.on('data', onData).on('end', onEnd).on('error', onError);
    stream.resume();
  });
}

function tooLarge(what: string, maxBytes: number): BoundedReadError {
  return new BoundedReadError('too-large', `${what} is larger than ${sizeText(maxBytes)}`);
}

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
