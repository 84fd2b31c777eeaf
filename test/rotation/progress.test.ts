import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from '../../src/cli/progress.js';
import type { CliIO } from '../../src/cli/command.js';

function fakeIO(tty: boolean): { io: CliIO; output: () => string } {
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (tty) stderr.isTTY = true;
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {}, cwd: '/' } as unknown as CliIO;
  return { io, output: () => text };
}

describe('progress', () => {
  it('draws a bar with rows done of total, rows/s and ETA on a TTY', async () => {
    let t = 0;
    const { io, output } = fakeIO(true);
    const p = createProgress(io, { label: 'reencrypt', now: () => t });
    t = 2000;
    p.update(5000, 20000);
    p.finish(20000, 20000);
    await new Promise((r) => setImmediate(r));
    expect(output()).toContain('\rreencrypt [######------------------]  25%  5,000/20,000 rows  2,500 rows/s  ETA 6s\x1b[K');
    expect(output().endsWith('100%  20,000/20,000 rows  10,000 rows/s  ETA 0s\x1b[K\n')).toBe(true);
  });

  it('writes plain lines at most once per interval otherwise', async () => {
    let t = 0;
    const { io, output } = fakeIO(false);
    const p = createProgress(io, { label: 'reencrypt', now: () => t, lineInterval: 1000 });
    t = 100;
    p.update(10, 100);
    t = 500;
    p.update(50, 100); // within the interval: not written
    t = 1200;
    p.update(60, 100);
    p.finish(100, 100);
    await new Promise((r) => setImmediate(r));
    const lines = output().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('reencrypt: 10/100 rows (10%), 100 rows/s  ETA 1s');
    expect(output()).not.toContain('\r');
  });

  it('formats durations', () => {
    expect([0, 59, 75, 3599, 4000].map(formatDuration)).toEqual(['0s', '59s', '1m15s', '59m59s', '1h06m']);
  });
});
