import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import vectors from '../fixtures/blind-index-vectors.json' with { type: 'json' };

describe('docs/format.md blind index vectors', () => {
  it('list exactly the fixture vectors, with the same indexes', () => {
    const text = readFileSync(new URL('../../docs/format.md', import.meta.url), 'utf8');
    const section = text.slice(text.indexOf('### Blind index vectors'));
    const rows = section.split('\n').filter((line) => /^\| (?!case \||---)/.test(line)).slice(0, vectors.length + 1);
    const documented = rows.map((row) => row.split('|').map((c) => c.trim())).filter((c) => c.length > 5).map((c) => ({ name: c[1], index: c[5]!.replace(/`/g, '') }));
    expect(documented.slice(0, vectors.length)).toEqual(vectors.map((v) => ({ name: v.name, index: v.index })));
  });
});
