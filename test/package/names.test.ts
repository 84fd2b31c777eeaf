/**
 * The built package keeps its class names: an uncaught error prints as
 * `KeyrollError: ...` and util.inspect shows `KeyrollError`, not the `_KeyrollError`
 * a bundler's renaming would give. Runs against dist/ (`npm test` builds it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

function node(args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe.each([
  ['CJS', 'index.cjs', (file: string, code: string) => ['-e', `const util = require('node:util'); const k = require(${JSON.stringify(file)}); ${code}`]],
  ['ESM', 'index.js', (file: string, code: string) => ['--input-type=module', '-e', `const util = await import('node:util'); const k = await import(${JSON.stringify(file)}); ${code}`]],
] as const)('dist/%s', (_format, file, script) => {
  it('is built', () => {
    expect(existsSync(dist(file))).toBe(true);
  });

  it('an uncaught KeyrollError prints as KeyrollError', () => {
    const r = node([...script(dist(file), 'k.Keyring.fromJSON("not json");')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^KeyrollError: keyring document is not valid JSON$/m);
    expect(r.stderr).toMatch(/at Keyring\.fromJSON /);
    expect(r.stderr).not.toMatch(/_KeyrollError|_Keyring\b/);
  });

  it('util.inspect and the constructor names are the source names', () => {
    const code = 'const err = new k.KeyrollError("ERR_IO", "x"); console.log(util.inspect(err).split("\\n")[0]); console.log(err.name, k.KeyrollError.name, k.Keyring.name);';
    const r = node([...script(dist(file), code)]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('KeyrollError: x\nKeyrollError KeyrollError Keyring\n');
  });
});
