/**
 * The manifest reader's work is linear in its input: it counts the line
 * steps of every loop (yamlWork), and doubling a hostile manifest must not
 * more than ~double them. Deep nesting is refused, not a stack overflow.
 */
import { describe, expect, it } from 'vitest';
import { parseYaml, yamlWork } from '../../src/cli/yaml-lite.js';
import { readSecret } from '../../src/cli/k8s-manifest.js';
import { KeyrollError } from '../../src/errors.js';

const work = (text: string): number => {
  const before = yamlWork.steps;
  try {
    parseYaml(text);
  } catch (err) {
    if (!KeyrollError.is(err)) throw err;
  }
  return yamlWork.steps - before;
};

const shapes: Record<string, (n: number) => string> = {
  'many empty keys': (n) => Array.from({ length: n }, (_, i) => `k${i}:`).join('\n'),
  'empty keys between comment lines': (n) => Array.from({ length: n }, (_, i) => `k${i}:\n#\n#`).join('\n'),
  'many document markers among comments': (n) => '#\n---\n'.repeat(n),
  'a long sequence': (n) => `list:\n${'- x\n'.repeat(n)}`,
  'a long block scalar': (n) => `a: >\n${'  word\n'.repeat(n)}`,
  'a secret with many fields': (n) => `kind: Secret\ndata:\n${Array.from({ length: n }, (_, i) => `  F${i}: QQ==`).join('\n')}\n`,
};

describe('manifest reader', () => {
  for (const [name, make] of Object.entries(shapes)) {
    it(`is linear on ${name}`, () => {
      const small = work(make(20_000));
      const large = work(make(40_000));
      expect(small).toBeGreaterThan(0);
      expect(large / small).toBeLessThanOrEqual(2.5);
      expect(large).toBeLessThanOrEqual(10 * 40_000 * 3);
    });
  }

  it('reads a 200,000-field manifest (the old reader rescanned the rest of the file per key)', () => {
    const text = `kind: Secret\nstringData:\n${Array.from({ length: 200_000 }, (_, i) => `  F${i}:`).join('\n')}\n`;
    const before = yamlWork.steps;
    expect(readSecret(text).fields.size).toBe(200_000);
    expect(yamlWork.steps - before).toBeLessThanOrEqual(10 * 200_000);
  });

  it('refuses deep nesting with a keyroll error', () => {
    const deep = Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    let err: unknown;
    try {
      parseYaml(deep);
    } catch (e) {
      err = e;
    }
    expect(KeyrollError.is(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/nested/);
  });

  it('escapes control characters in a key it reports', () => {
    let message = '';
    try {
      parseYaml('"a\\u001b[2Jb": 1\n"a\\u001b[2Jb": 2\n');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('a\\x1b[2Jb');
  });
});
