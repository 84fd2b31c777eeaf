import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/sources/index.js';
import { expectKeyrollError, tempDir } from './helpers.js';

describe('writeFileAtomic', () => {
  it('writes a new file with mode 0600 and no backup', async () => {
    const dir = tempDir();
    const path = join(dir, 'k.json');
    expect(await writeFileAtomic(path, 'one')).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('one');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['k.json']);
  });

  it('keeps the replaced file as <file>.bak, or at a named path, or not at all', async () => {
    const dir = tempDir();
    const path = join(dir, 'k.json');
    writeFileSync(path, 'one');
    expect(await writeFileAtomic(path, 'two')).toBe(`${path}.bak`);
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('one');
    expect(await writeFileAtomic(path, 'three', { backup: join(dir, 'old') })).toBe(join(dir, 'old'));
    expect(readFileSync(join(dir, 'old'), 'utf8')).toBe('two');
    expect(await writeFileAtomic(path, 'four', { backup: false })).toBeUndefined();
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('one');
    expect(readFileSync(path, 'utf8')).toBe('four');
    expect(readdirSync(dir).sort()).toEqual(['k.json', 'k.json.bak', 'old']);
  });

  it('a failure before the rename leaves the old file intact and removes the temp file', async () => {
    const dir = tempDir();
    const path = join(dir, 'k.json');
    writeFileSync(path, 'old');
    let seen = '';
    await expect(
      writeFileAtomic(path, 'new', {
        beforeRename: (temp) => {
          seen = readFileSync(temp, 'utf8');
          throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(seen).toBe('new');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a missing directory is ERR_IO naming the file', async () => {
    const path = join(tempDir(), 'no', 'k.json');
    const err = await expectKeyrollError(() => writeFileAtomic(path, 'x'), 'ERR_IO');
    expect(err.file).toBe(path);
    expect(existsSync(path)).toBe(false);
  });
});
