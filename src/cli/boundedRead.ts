/**
 * Reading what a user names (a config file, a log to decode, stdin) without trusting it: a path may be a
 * FIFO that never ends, a device, a directory or a huge file, and stdin may be an endless pipe or a terminal
 * nobody types into. Each read is bounded by type, size and (for streams) time; a refusal says which.
 */
import * as fs from 'fs';
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

export async function readStdinBounded(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  return (await readBoundedStream(stdin, 'stdin', INPUT_MAX_BYTES, STDIN_TIMEOUT_MS)).toString('utf8');
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
    if (st.size > maxBytes) throw tooLarge(file, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(CHUNK);
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return Buffer.concat(chunks, total);
      total += n;
      if (total > maxBytes) throw tooLarge(file, maxBytes);
      chunks.push(buf.subarray(0, n));
    }
  } catch (e) {
    if (e instanceof BoundedReadError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new BoundedReadError('unreadable', `cannot read ${file}: ${code}`, code);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
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
