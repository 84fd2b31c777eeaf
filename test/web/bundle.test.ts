// The WebCrypto edition and the tokens entry, bundled for a browser from the
// built package: no node: module, no file system, no database driver. The
// minified and gzipped sizes are printed (docs/runtimes.md quotes them).
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);

async function bundle(entry: string): Promise<{ inputs: string[]; imports: string[]; minified: number; gzipped: number }> {
  const result = await build({
    entryPoints: [new URL(entry, dist).pathname],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
  return { inputs: Object.keys(result.metafile.inputs), imports, minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

describe('the browser bundle', () => {
  it.each(['web.js', 'tokens.js'])('of dist/%s has no node: import, no driver, and stays small', async (entry) => {
    // esbuild for the browser platform fails on a node: import it cannot resolve; this also checks what resolved.
    const { inputs, imports, minified, gzipped } = await bundle(entry);
    expect(imports.filter((path) => path.startsWith('node:') || /^(fs|crypto|path|os|stream|worker_threads)$/.test(path))).toEqual([]);
    expect(inputs.filter((path) => /better-sqlite3|\/pg\/|pglite|drizzle|prisma/.test(path))).toEqual([]);
    console.log(`${entry} for the browser: ${minified} bytes minified, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(entry === 'web.js' ? 16 * 1024 : 32 * 1024);
  });

  it('refuses a bundle that would pull in node:crypto (the check can fail)', async () => {
    const err = (await bundle('index.js').then(() => undefined, (e: unknown) => e)) as { errors?: { text: string }[] } | undefined;
    expect(err?.errors?.some((e) => /Could not resolve "(node:)?(crypto|fs)"/.test(e.text))).toBe(true);
  });
});
