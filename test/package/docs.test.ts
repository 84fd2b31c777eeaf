/**
 * Docs that speak to users: the README's performance figures are the ones the
 * bench wrote into docs/performance.md (one run, one place), and no guide
 * talks about our own process (issue numbers, targets we set ourselves).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const block = (text: string, name: string) => {
  const match = new RegExp(`<!-- bench:${name}:start -->\\n([\\s\\S]*?)<!-- bench:${name}:end -->`).exec(text);
  return match?.[1];
};
const guides = ['README.md', ...readdirSync(new URL('../../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'examples/http-service/README.md'];

describe('performance figures', () => {
  it('the README shows exactly the summary the bench wrote into docs/performance.md', () => {
    const fromBench = block(read('docs/performance.md'), 'summary');
    expect(fromBench).toMatch(/\| 64 B \| \d\.\d\d \|/);
    expect(fromBench).toMatch(/Measured on .*`npm run bench -- --write`, \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    expect(block(read('README.md'), 'summary')).toBe(fromBench);
  });

  it('docs/performance.md holds the full run the summary comes from', () => {
    const run = block(read('docs/performance.md'), 'run')!;
    const summaryRows = block(read('docs/performance.md'), 'summary')!.split('\n').filter((l) => l.startsWith('| '));
    for (const row of summaryRows) expect(run).toContain(row);
  });

  it('no target columns', () => {
    for (const file of ['README.md', 'docs/performance.md']) expect(read(file)).not.toMatch(/\| target \||MISSED/);
  });
});

describe('guides speak to users', () => {
  it.each(guides)('%s mentions no issue numbers or our own process', (file) => {
    expect(read(file)).not.toMatch(/\bissues? ?#?[0-9]+|\bthe issue\b|acceptance list|targets? come from/i);
  });
});
