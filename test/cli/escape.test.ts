/** The CLI prints one line per error, with control characters from arguments and file names escaped. */
import { describe, expect, it } from 'vitest';
import { run, workdir } from './helpers.js';

describe('CLI error lines', () => {
  it('escape control characters from file names and arguments', () => {
    const dir = workdir();
    for (const args of [['list', '--keyring', 'x\n[INFO] ok\u001b[2K.json'], ['\u001b[31mnope'], ['add', 'k\u0007', '--keyring', 'k.json', '--generate']]) {
      const r = run(dir, args);
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr.endsWith('\n')).toBe(true);
      expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });
});
