// Loads an edition of the built package as the conformance suite takes it.
// Used by every driver that can import files (Node, Bun, Deno).
export async function loadEdition(distUrl, edition) {
  const tokens = await import(new URL('tokens.js', distUrl).href);
  if (edition === 'web') {
    const web = await import(new URL('web.js', distUrl).href);
    return { lib: { create: (o) => web.WebKeyring.create(o), fromJSON: (d) => web.WebKeyring.fromJSON(d), inspect: web.inspect, KeyrollError: web.KeyrollError }, tokens };
  }
  const root = await import(new URL('index.js', distUrl).href);
  return { lib: { create: (o) => root.Keyring.create(o), fromJSON: (d) => root.Keyring.fromJSON(d), inspect: root.inspect, KeyrollError: root.KeyrollError }, tokens };
}
