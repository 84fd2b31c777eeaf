/**
 * The third-party vectors in test/vectors/ are byte-identical copies of the
 * upstream files: each file's SHA-256 must match the table in the README.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const here = new URL('./', import.meta.url);
const readme = readFileSync(new URL('README.md', here), 'utf8');
const listed = new Map(
  [...readme.matchAll(/^\| `([^`]+)` \|[^\n]*\| `([0-9a-f]{64})` \|$/gm)].map((m) => [m[1]!, m[2]!]),
);
const onDisk = ['wycheproof', 'paseto'].flatMap((dir) => readdirSync(new URL(`${dir}/`, here)).map((f) => `${dir}/${f}`));

describe('test/vectors', () => {
  it('lists every vector file in the README, and only those', () => {
    expect([...listed.keys()].sort()).toEqual([...onDisk].sort());
  });
  for (const [file, sum] of listed) {
    it(`${file} is byte-identical to upstream`, () => {
      expect(createHash('sha256').update(readFileSync(new URL(file, here))).digest('hex')).toBe(sum);
    });
  }
});
