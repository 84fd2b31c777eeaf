/**
 * Runs bench/web-page.mjs in headless Chromium: the system browser (found
 * as the conformance tests find it: `KEYROLL_CHROMIUM`, else `chromium` on
 * the PATH) driven by puppeteer-core (from `KEYROLL_RUNTIMES`, else
 * .ci/runtimes/node_modules: `npm ci --prefix .ci/runtimes`). The page is
 * served from 127.0.0.1 (a secure context, so it has `crypto.subtle`) and
 * cross-origin isolated, so its clock has its finest resolution.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The Chromium binary and puppeteer-core's directory, or why the run is skipped. */
export function findChromium() {
  const chromium = process.env.KEYROLL_CHROMIUM ?? (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'chromium')).find((path) => existsSync(path));
  if (chromium === undefined || !existsSync(chromium)) return { skipped: 'no chromium' };
  const modules = process.env.KEYROLL_RUNTIMES ?? fileURLToPath(new URL('../.ci/runtimes/node_modules', import.meta.url));
  if (!existsSync(join(modules, 'puppeteer-core'))) return { skipped: 'no puppeteer-core (npm ci --prefix .ci/runtimes)' };
  return { chromium, modules };
}

/** The page's bundle: web-page.mjs with `keyroll/web` resolved for the browser platform (its WebCrypto build). */
async function pageBundle() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./web-page.mjs', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  if (!inputs.some((i) => /(^|\/)dist\/web\.js$/.test(i))) throw new Error(`bench: the page bundle did not resolve keyroll/web to dist/web.js (${inputs.join(', ')})`);
  return result.outputFiles[0].text;
}

/** Runs the web cases in the page; resolves to what web-page.mjs's benchInPage returns, plus the browser version. */
export async function benchInChromium({ chromium, modules }, quick) {
  const puppeteer = createRequire(join(modules, 'noop.js'))('puppeteer-core');
  const bundle = await pageBundle();
  const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer((request, response) => {
    if (request.url === '/bench.js') {
      response.writeHead(200, { 'content-type': 'text/javascript', ...isolated });
      response.end(bundle);
    } else {
      response.writeHead(200, { 'content-type': 'text/html', ...isolated });
      response.end('<!doctype html><title>keyroll bench</title><script type="module">import { benchInPage } from "/bench.js"; window.benchInPage = benchInPage;</script>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'keyroll-bench-chromium-'));
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: [...FLAGS, `--user-data-dir=${profile}`], protocolTimeout: 900_000 });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.benchInPage === 'function', { timeout: 30_000 });
    const result = await page.evaluate((q) => window.benchInPage(q), quick);
    return { ...result, version: await browser.version() };
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
