// Loads an edition of the built package as the conformance suite takes it.
// Used by every driver that can import files (Node, Bun, Deno). Editions:
// 'root' (dist/index.js: `keyroll`), 'web' (dist/web.js: `keyroll/web` on
// WebCrypto, as browsers and Workers resolve it, and `keyroll/web/webcrypto`
// everywhere), 'web-node' (dist/web-node.js: `keyroll/web` under the `node`
// condition, on node:crypto).
const FILES = { root: 'index.js', web: 'web.js', 'web-node': 'web-node.js' };

export async function loadEdition(distUrl, edition) {
  const tokens = await import(new URL('tokens.js', distUrl).href);
  const lib = await import(new URL(FILES[edition], distUrl).href);
  const Ring = edition === 'root' ? lib.Keyring : lib.WebKeyring;
  return { lib: { create: (o) => Ring.create(o), fromJSON: (d) => Ring.fromJSON(d), inspect: lib.inspect, KeyrollError: lib.KeyrollError }, tokens };
}

/**
 * The file each entry resolves to by its package name on the runtime running
 * this (Node, Bun and Deno resolve a package's own name from inside it).
 */
export function resolvedEntries() {
  const out = {};
  for (const specifier of ['keyroll', 'keyroll/web', 'keyroll/web/webcrypto']) out[specifier] = import.meta.resolve(specifier).replace(/^.*\/dist\//, 'dist/');
  return out;
}
