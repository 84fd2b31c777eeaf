// Which build each entry resolves to under each set of export conditions,
// as a consumer sees the package (node_modules/keyroll): Node's own resolver
// with --conditions, esbuild for the browser, Node, a Cloudflare Worker (as
// wrangler bundles it) and a web worker. Bun, Deno, workerd and Chromium are
// checked for real in test/conformance/runtimes.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = mkdtempSync(join(tmpdir(), 'keyroll-conditions-'));
mkdirSync(join(app, 'node_modules'));
symlinkSync(root, join(app, 'node_modules', 'keyroll'), 'dir');
afterAll(() => rmSync(app, { recursive: true, force: true }));

const SPECIFIERS = ['keyroll', 'keyroll/web', 'keyroll/web/webcrypto'] as const;
type Where = Record<(typeof SPECIFIERS)[number], string>;
const dist = (file: string): string => file.replace(/^.*\/dist\//, 'dist/');
const cjs = (where: Where): Where => Object.fromEntries(Object.entries(where).map(([k, v]) => [k, v.replace(/\.js$/, '.cjs')])) as Where;

const ON_NODE: Where = { keyroll: 'dist/index.js', 'keyroll/web': 'dist/web-node.js', 'keyroll/web/webcrypto': 'dist/web.js' };
const WEB: Where = { keyroll: 'dist/unsupported.js', 'keyroll/web': 'dist/web.js', 'keyroll/web/webcrypto': 'dist/web.js' };

describe("Node's resolver (node --conditions)", () => {
  function resolveWith(conditions: string[]): { esm: Where; cjs: Where } {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/app.js');
      const specs = ${JSON.stringify(SPECIFIERS)};
      const pick = (f) => Object.fromEntries(specs.map((s) => [s, f(s)]));
      console.log(JSON.stringify({ esm: pick((s) => import.meta.resolve(s)), cjs: pick((s) => require.resolve(s)) }));`;
    const out = execFileSync(process.execPath, [...conditions.flatMap((c) => ['-C', c]), '--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    const { esm, cjs: required } = JSON.parse(out) as { esm: Where; cjs: Where };
    const clean = (w: Where): Where => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, dist(v)])) as Where;
    return { esm: clean(esm), cjs: clean(required) };
  }

  it('picks the node:crypto build of keyroll/web by default (the `node` condition)', () => {
    expect(resolveWith([])).toEqual({ esm: ON_NODE, cjs: cjs(ON_NODE) });
  });

  it.each(['browser', 'worker', 'workerd', 'workerd,worker,browser'])('picks the WebCrypto build under -C %s; the root entry stays (Node has node:crypto)', (conditions) => {
    const expected = { ...ON_NODE, 'keyroll/web': 'dist/web.js' };
    expect(resolveWith(conditions.split(','))).toEqual({ esm: expected, cjs: cjs(expected) });
  });
});

describe('esbuild', () => {
  async function bundled(specifier: string, form: 'import' | 'require', options: BuildOptions): Promise<{ entry: string; nodeImports: string[] }> {
    const contents = form === 'import' ? `export * from '${specifier}';` : `module.exports = require('${specifier}');`;
    const result = await build({
      stdin: { contents, resolveDir: app, loader: 'js' },
      bundle: true,
      write: false,
      metafile: true,
      format: form === 'import' ? 'esm' : 'cjs',
      logLevel: 'silent',
      ...options,
    });
    const metafile = result.metafile!;
    const files = Object.keys(metafile.inputs).map(dist);
    const entries = files.filter((f) => /^dist\/(index|unsupported|web|web-node)\.c?js$/.test(f));
    expect(entries).toHaveLength(1);
    const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    return { entry: entries[0]!, nodeImports: imports.filter((path) => path.startsWith('node:') || builtinModules.includes(path)) };
  }

  const NODE_BUILTINS_EXTERNAL = ['node:*', ...builtinModules];
  const cases: [string, BuildOptions, Where][] = [
    ["platform 'browser'", { platform: 'browser' }, WEB],
    ['a web worker (browser platform, `worker` condition)', { platform: 'browser', conditions: ['worker'] }, WEB],
    // wrangler's conditions: `workerd` keeps the root entry, which runs with nodejs_compat (its built-ins external, as wrangler leaves them).
    ["a Cloudflare Worker as wrangler bundles it (`workerd`, `worker`, `browser`)", { platform: 'browser', conditions: ['workerd', 'worker', 'browser'], external: NODE_BUILTINS_EXTERNAL }, { ...WEB, keyroll: 'dist/index.js' }],
    ["platform 'node'", { platform: 'node' }, ON_NODE],
    ["platform 'neutral' (no runtime condition: `default`)", { platform: 'neutral', external: NODE_BUILTINS_EXTERNAL }, { ...WEB, keyroll: 'dist/index.js' }],
  ];

  for (const [name, options, expected] of cases) {
    it(`resolves each entry for ${name}, in import and require form`, async () => {
      for (const form of ['import', 'require'] as const) {
        const got = {} as Where;
        for (const specifier of SPECIFIERS) got[specifier] = (await bundled(specifier, form, options)).entry;
        expect(got, form).toEqual(form === 'import' ? expected : cjs(expected));
      }
    });
  }

  it("bundles keyroll/web and the root entry's stand-in for the browser with no node: import", async () => {
    for (const specifier of SPECIFIERS) expect((await bundled(specifier, 'import', { platform: 'browser' })).nodeImports).toEqual([]);
    // The check can fail: the node:crypto build does import node: modules.
    expect((await bundled('keyroll/web', 'import', { platform: 'node' })).nodeImports.length).toBeGreaterThan(0);
  });
});

describe('the builds behind the conditions', () => {
  const require = createRequire(import.meta.url);

  it("the root entry's stand-in throws ERR_UNSUPPORTED_RUNTIME naming keyroll/web, as ESM and CJS", async () => {
    const err = (await import(`${root}/dist/unsupported.js`).then(() => undefined, (e: unknown) => e)) as { code?: string; message?: string; name?: string };
    expect(err.name).toBe('KeyrollError');
    expect(err.code).toBe('ERR_UNSUPPORTED_RUNTIME');
    expect(err.message).toContain('keyroll/web');
    let thrown: { code?: string } | undefined;
    try {
      require(`${root}/dist/unsupported.cjs`);
    } catch (e) {
      thrown = e as { code?: string };
    }
    expect(thrown?.code).toBe('ERR_UNSUPPORTED_RUNTIME');
  });

  it("the stand-in has the root entry's export names (every named import resolves in a browser bundle)", async () => {
    const exportsOf = async (file: string): Promise<string[]> => {
      const result = await build({ entryPoints: [join(root, 'dist', file)], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', outdir: app, logLevel: 'silent' });
      return Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)!.exports.sort();
    };
    const names = await exportsOf('index.js');
    expect(names).toContain('Keyring');
    expect(await exportsOf('unsupported.js')).toEqual(names);
  });

  it('the node:crypto build of keyroll/web exports exactly the names of the WebCrypto build (one set of types serves both)', async () => {
    const web = await import(`${root}/dist/web.js`);
    const webNode = await import(`${root}/dist/web-node.js`);
    expect(Object.keys(webNode).sort()).toEqual(Object.keys(web).sort());
    expect(Object.keys(require(`${root}/dist/web-node.cjs`)).sort()).toEqual(Object.keys(require(`${root}/dist/web.cjs`)).sort());
    expect(webNode.WebKeyring.prototype).toBeInstanceOf(web.WebKeyring);
    expect(webNode.WebKeyring.name).toBe('WebKeyring');
  });
});
