/**
 * Streaming input and output for `encrypt`, `decrypt` and `reencrypt-file`:
 * `--in FILE` or stdin, `--out FILE` (written atomically: it appears only
 * when the whole stream succeeded) or stdout, with a progress bar on a
 * terminal for large files.
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { PassThrough, pipeline as pipelineCallback, Readable, Transform } from 'node:stream';
import { fail } from '../errors.js';
import { writeStreamAtomic } from '../sources/atomic.js';
import { UsageError, type CliIO } from './command.js';
import { createProgress } from './progress.js';

/** Inputs at least this large get a progress bar on a terminal. */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

/** `--in`/`--out` options. */
export const STREAM_IO_OPTIONS = { in: { type: 'string' }, out: { type: 'string' } } as const;

/** Help lines for {@link STREAM_IO_OPTIONS}. */
export const STREAM_IO_HELP = [
  '  --in FILE               read this file instead of stdin ("-" is stdin)',
  '  --out FILE              write this file (atomically: it appears only when the whole',
  '                          input succeeded; mode 0600) instead of stdout ("-" is stdout)',
];

/** The input: a file (with its size) or stdin. */
export async function openInput(io: CliIO, path: string | undefined, what: string): Promise<{ stream: Readable; size: number | undefined }> {
  if (path === undefined || path === '-') {
    if (io.stdin.isTTY === true) throw new UsageError(`${what} is read from stdin; pipe it in or give --in FILE`);
    return { stream: Readable.from(io.stdin as AsyncIterable<Uint8Array>, { objectMode: false }), size: undefined };
  }
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return fail('ERR_IO', `could not read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { file: path, cause: err });
  }
  return { stream: createReadStream(path, { highWaterMark: 1024 * 1024 }), size };
}

/** Counts bytes through it into a progress bar (on a terminal, for large inputs). */
export function progressMeter(io: CliIO, label: string, size: number | undefined): Transform {
  if (size === undefined || size < PROGRESS_MIN_BYTES || io.stderr.isTTY !== true) return new PassThrough();
  const progress = createProgress(io, { label, unit: 'bytes' });
  let done = 0;
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      if (done - last >= 4 * 1024 * 1024) {
        last = done;
        progress.update(done, size);
      }
      callback(null, chunk);
    },
    flush(callback) {
      progress.finish(done, size);
      callback();
    },
  });
}

/**
 * Runs `source -> stages` into `--out` (atomically) or stdout. On stdout,
 * whatever was released before a failure has been written: the exit code
 * (1) is what tells the stream was not whole.
 */
export async function writeOutput(io: CliIO, out: string | undefined, source: Readable, stages: Transform[]): Promise<void> {
  let failure: unknown;
  const last: AsyncIterable<Uint8Array> =
    stages.length === 0
      ? source
      : (pipelineCallback([source, ...stages], (err) => {
          if (err) failure ??= err;
        }) as unknown as AsyncIterable<Uint8Array>);
  try {
    if (out === undefined || out === '-') {
      for await (const chunk of last) {
        if (!io.stdout.write(chunk)) await once(io.stdout as NodeJS.EventEmitter, 'drain');
      }
      if (failure !== undefined) throw failure;
      return;
    }
    await writeStreamAtomic(out, last, {
      mode: 0o600,
      backup: false,
      beforeRename: () => {
        if (failure !== undefined) throw failure;
      },
    });
  } catch (err) {
    throw failure ?? err;
  }
}
