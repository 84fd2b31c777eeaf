// One-file bundles of the conformance suite over the built package, for the
// runtimes that load a single module (workerd, the browser). esbuild bundles
// dist/ as it is; Node built-ins stay external (workerd's nodejs_compat
// provides them; the browser bundle of keyroll/web has none).
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/**
 * `edition`: 'web' or 'root'; `target`: 'worker' (a module worker whose
 * fetch handler takes `{ runtime, inbox }` and answers the result) or
 * 'browser' (exports `conformance(runtime, inbox)`). Returns the code.
 */
export async function conformanceBundle(edition, target) {
  const entry = edition === 'web' ? here('../../dist/web.js') : here('../../dist/index.js');
  const ring = edition === 'web' ? 'WebKeyring' : 'Keyring';
  const contents = `
import * as lib from ${JSON.stringify(entry)};
import * as tokens from ${JSON.stringify(here('../../dist/tokens.js'))};
import { runConformance } from ${JSON.stringify(here('./suite.mjs'))};
import fixtures from ${JSON.stringify(here('../fixtures/frozen-vectors.json'))};
export async function conformance(runtime, inbox) {
  const edition = { create: (o) => lib.${ring}.create(o), fromJSON: (d) => lib.${ring}.fromJSON(d), inspect: lib.inspect, KeyrollError: lib.KeyrollError };
  return runConformance({ runtime, lib: edition, tokens, vectors: fixtures.vectors, inbox });
}
${target === 'worker' ? `export default { async fetch(request) { const { runtime, inbox } = await request.json(); return Response.json(await conformance(runtime, inbox)); } };` : ''}
`;
  const result = await build({
    stdin: { contents, resolveDir: here('.'), loader: 'js', sourcefile: 'conformance-entry.mjs' },
    bundle: true,
    format: 'esm',
    platform: target === 'browser' ? 'browser' : 'neutral',
    mainFields: ['module', 'main'],
    // tsup writes Node built-ins without the node: prefix ('crypto'): both forms stay external.
    external: target === 'browser' ? [] : ['node:*', ...builtinModules],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
