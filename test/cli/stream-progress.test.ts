import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { createProgress } from '../../src/cli/progress.js';
import { PROGRESS_MIN_BYTES, progressMeter } from '../../src/cli/stream-io.js';

function fakeIO(tty: boolean): { io: CliIO; output: () => string } {
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (tty) stderr.isTTY = true;
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  return { io: { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {}, cwd: '/' } as unknown as CliIO, output: () => text };
}

describe('stream progress', () => {
  it('counts bytes in MiB', async () => {
    let t = 0;
    const { io, output } = fakeIO(true);
    const p = createProgress(io, { label: 'encrypt', unit: 'bytes', now: () => t });
    t = 1000;
    p.finish(64 * 1048576, 64 * 1048576);
    await new Promise((r) => setImmediate(r));
    expect(output()).toContain('100%  64.0/64.0 MiB  64.0 MiB/s  ETA 0s');
  });

  it('draws only on a terminal and only for large inputs, passing every byte through', async () => {
    const data = Buffer.alloc(PROGRESS_MIN_BYTES + 1, 7);
    for (const [tty, size, drawn] of [[true, data.length, true], [false, data.length, false], [true, 1000, false], [true, undefined, false]] as const) {
      const { io, output } = fakeIO(tty);
      const out = await buffer(Readable.from([data]).pipe(progressMeter(io, 'encrypt', size)));
      expect(out.length).toBe(data.length);
      await new Promise((r) => setImmediate(r));
      expect(output().includes('MiB'), `tty ${tty}, size ${size}`).toBe(drawn);
    }
  });
});
