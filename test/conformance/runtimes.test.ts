// The conformance suite on Bun, Deno, workerd and headless Chromium, each
// reading what Node and the runtimes before it wrote; Node reads them all at
// the end. The runtimes come from .ci/runtimes (`npm ci --prefix
// .ci/runtimes`: npm packages carrying the binaries) and Debian's chromium.
// A runtime missing here is skipped, except under CI=true, where it fails.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript shared with the other runtimes
import { runConformance } from './suite.mjs';
// @ts-expect-error: plain JavaScript
import { loadEdition } from './load.mjs';
// @ts-expect-error: plain JavaScript
import { bunBinary, runChromium, runCli, runWorkerd, workerdBinary } from './runtimes.mjs';

interface Result {
  passed: string[] | number;
  failed: { name: string; message: string }[];
  outbox: unknown;
  resolved?: Record<string, string>;
  bundled?: string[];
  rootImport?: string;
}

const modules = process.env['KEYROLL_RUNTIMES'] ?? fileURLToPath(new URL('../../.ci/runtimes/node_modules', import.meta.url));
const chromium = process.env['KEYROLL_CHROMIUM'] ?? '/usr/bin/chromium';
const bin = (name: string): string => `${modules}/.bin/${name}`;
const required = process.env['CI'] === 'true';
const vectors = JSON.parse(readFileSync(new URL('../fixtures/frozen-vectors.json', import.meta.url), 'utf8')).vectors;
const dist = new URL('../../dist/', import.meta.url);
const checks = vectors.length + 5; // frozen vectors, round trips, errors, staleness, tokens, writing

interface Runtime {
  name: string;
  needs: string[];
  run(inbox: unknown[]): Promise<Result>;
  /** Where the export conditions led on this runtime. */
  expected: Partial<Pick<Result, 'resolved' | 'bundled' | 'rootImport'>>;
}

// Bun and Deno honour the `node` condition: `keyroll/web` is its node:crypto build there.
const NODE_RESOLUTION = { keyroll: 'dist/index.js', 'keyroll/web': 'dist/web-node.js', 'keyroll/web/webcrypto': 'dist/web.js' };
const bun = (edition: 'root' | 'web' | 'web-node'): Runtime => ({
  name: `bun-${edition}`,
  needs: [bunBinary(modules)],
  run: (inbox) => runCli(bunBinary(modules), [], `bun-${edition}`, edition, inbox),
  expected: { resolved: NODE_RESOLUTION },
});
const deno = (edition: 'root' | 'web' | 'web-node'): Runtime => ({
  name: `deno-${edition}`,
  needs: [bin('deno')],
  run: (inbox) => runCli(bin('deno'), ['run', '--quiet', '--allow-read', '--allow-write', ...(edition === 'root' ? ['--allow-env'] : []), '--no-prompt'], `deno-${edition}`, edition, inbox),
  expected: { resolved: NODE_RESOLUTION },
});

const runtimes: Runtime[] = [
  bun('root'),
  bun('web'),
  bun('web-node'),
  deno('root'),
  deno('web'),
  deno('web-node'),
  // Bundled under wrangler's conditions: the `workerd` condition keeps the root entry (it runs with nodejs_compat).
  { name: 'workerd-root-nodejs_compat', needs: [`${modules}/workerd`], run: (inbox) => runWorkerd(workerdBinary(modules), 'workerd-root-nodejs_compat', 'root', true, inbox), expected: { bundled: ['dist/index.js', 'dist/tokens.js'] } },
  { name: 'workerd-web', needs: [`${modules}/workerd`], run: (inbox) => runWorkerd(workerdBinary(modules), 'workerd-web', 'web', false, inbox), expected: { bundled: ['dist/tokens.js', 'dist/web.js'] } },
  // Bundled for the browser platform: `keyroll/web` is the WebCrypto build, `keyroll` the module that throws.
  {
    name: 'chromium-web',
    needs: [chromium, `${modules}/puppeteer-core`],
    run: (inbox) => runChromium(modules, chromium, 'chromium-web', inbox),
    expected: { bundled: ['dist/tokens.js', 'dist/unsupported.js', 'dist/web.js'], rootImport: 'ERR_UNSUPPORTED_RUNTIME' },
  },
];

async function node(runtime: string, edition: 'root' | 'web' | 'web-node', inbox: unknown[]): Promise<Result> {
  const { lib, tokens } = await loadEdition(dist, edition);
  return (await runConformance({ runtime, lib, tokens, vectors, inbox })) as Result;
}

describe('conformance on every runtime', () => {
  const outboxes: unknown[] = [];
  const ran: string[] = [];

  it('starts with what Node wrote (every edition)', async () => {
    for (const edition of ['root', 'web', 'web-node'] as const) {
      const result = await node(`node-${edition}`, edition, [...outboxes]);
      expect(result.failed).toEqual([]);
      outboxes.push(result.outbox);
    }
  });

  for (const runtime of runtimes) {
    it(`passes on ${runtime.name}, reading what the runtimes before it wrote`, async (ctx) => {
      const missing = runtime.needs.filter((path) => !existsSync(path));
      if (missing.length > 0) {
        if (required) throw new Error(`${runtime.name}: missing ${missing.join(', ')} (CI=true: run \`npm ci --prefix .ci/runtimes\` and install chromium, as .ci/run does)`);
        ctx.skip();
      }
      const inbox = [...outboxes];
      const result = await runtime.run(inbox);
      expect(result.failed).toEqual([]);
      const passed = typeof result.passed === 'number' ? result.passed : result.passed.length;
      expect(passed).toBe(checks + inbox.length);
      if (runtime.expected.resolved) expect(result.resolved).toEqual(runtime.expected.resolved);
      if (runtime.expected.bundled) expect([...result.bundled!].sort()).toEqual(runtime.expected.bundled);
      if (runtime.expected.rootImport) expect(result.rootImport).toBe(runtime.expected.rootImport);
      outboxes.push(result.outbox);
      ran.push(runtime.name);
    });
  }

  it('ends with Node reading what every runtime wrote', async () => {
    for (const edition of ['root', 'web', 'web-node'] as const) {
      const result = await node(`node-${edition}-last`, edition, outboxes.slice(3));
      expect(result.failed).toEqual([]);
      expect(result.passed).toEqual(expect.arrayContaining(ran.map((name) => `reads what ${name} wrote`)));
    }
  });
});
