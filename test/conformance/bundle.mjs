// One-file bundles of the conformance suite over the built package, for the
// runtimes that load a single module (workerd, the browser). The package is
// imported by its name (`keyroll`, `keyroll/web`: esbuild resolves the
// package's own name from inside it), under the export conditions the real
// bundlers apply: Cloudflare's wrangler (`workerd`, `worker`, `browser`) for
// workerd, esbuild's browser platform for the page. So these runs also check
// which build each condition picks. Node built-ins stay external for workerd
// (nodejs_compat provides them); the browser bundle has none.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The export conditions wrangler bundles a Worker with (with or without nodejs_compat). */
export const WRANGLER_CONDITIONS = ['workerd', 'worker', 'browser'];

/**
 * `edition`: 'web' (`keyroll/web`) or 'root' (`keyroll`); `target`: 'worker'
 * (a module worker whose fetch handler takes `{ runtime, inbox }` and answers
 * the result) or 'browser' (exports `conformance(runtime, inbox)` and
 * `rootImport()`, the error code importing `keyroll` throws there). Returns
 * `{ code, inputs }`: the bundle and the package files it holds.
 */
export async function conformanceBundle(edition, target) {
  const ring = edition === 'web' ? 'WebKeyring' : 'Keyring';
  const contents = `
import * as lib from ${JSON.stringify(edition === 'web' ? 'keyroll/web' : 'keyroll')};
import * as tokens from 'keyroll/tokens';
import { runConformance } from ${JSON.stringify(here('./suite.mjs'))};
import fixtures from ${JSON.stringify(here('../fixtures/frozen-vectors.json'))};
export async function conformance(runtime, inbox) {
  const edition = { create: (o) => lib.${ring}.create(o), fromJSON: (d) => lib.${ring}.fromJSON(d), inspect: lib.inspect, KeyrollError: lib.KeyrollError };
  return runConformance({ runtime, lib: edition, tokens, vectors: fixtures.vectors, inbox });
}
${target === 'worker' ? `export default { async fetch(request) { const { runtime, inbox } = await request.json(); return Response.json(await conformance(runtime, inbox)); } };` : ''}
${target === 'browser' ? `export async function rootImport() { try { await import('keyroll'); return 'no error'; } catch (err) { return err?.code ?? String(err); } }` : ''}
`;
  const result = await build({
    stdin: { contents, resolveDir: here('.'), loader: 'js', sourcefile: 'conformance-entry.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    ...(target === 'worker' ? { conditions: WRANGLER_CONDITIONS } : {}),
    // tsup writes Node built-ins without the node: prefix ('crypto'): both forms stay external.
    external: target === 'browser' ? [] : ['node:*', ...builtinModules],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files = Object.keys(result.metafile.inputs).map((i) => /(?:^|\/)dist\/([^/]+\.js)$/.exec(i)?.[1]);
  return { code: result.outputFiles[0].text, inputs: files.filter((f) => f !== undefined && !f.startsWith('chunk-')).map((f) => `dist/${f}`) };
}
