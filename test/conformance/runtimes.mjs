// Drivers: run the conformance suite on Bun, Deno, workerd and headless
// Chromium, handing each what the runtimes before it wrote. Each returns
// `{ passed, failed, outbox }`, and where the export conditions led: Bun and
// Deno `resolved` (the file each entry resolves to by name there), workerd
// and Chromium `bundled` (the package files in the bundle), Chromium also
// `rootImport` (the error code importing the root entry threw in the page). The binaries come from .ci/runtimes (npm
// packages carrying them) and Debian's chromium; see runtimes.test.ts.
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceBundle } from './bundle.mjs';

const NODE_FLAGS = '"nodejs_compat", "enable_nodejs_fs_module"';
const CLI = fileURLToPath(new URL('./cli.mjs', import.meta.url));

function tempDir() {
  return mkdtempSync(join(tmpdir(), 'keyroll-runtime-'));
}

function run(command, args, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && err.code !== 1) reject(new Error(`${command} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Bun or Deno running cli.mjs over dist/ (they read files like Node does). */
export async function runCli(command, prefixArgs, runtime, edition, inbox) {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'inbox.json'), JSON.stringify(inbox));
    const { stdout, stderr } = await run(command, [...prefixArgs, CLI, runtime, edition, join(dir, 'inbox.json'), join(dir, 'outbox.json')]);
    const line = stdout.trim().split('\n').pop();
    let summary;
    try {
      summary = JSON.parse(line);
    } catch {
      throw new Error(`${runtime}: no result line\n${stdout}\n${stderr}`);
    }
    const outbox = summary.failed.length === 0 ? JSON.parse(readFileSync(join(dir, 'outbox.json'), 'utf8')) : undefined;
    return { passed: summary.passed, failed: summary.failed, outbox, resolved: summary.resolved };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function postUntilUp(url, body, child, deadline) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { method: 'POST', body });
      if (!response.ok) throw new Error(`workerd answered ${response.status}: ${await response.text()}`);
      return await response.json();
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('workerd answered')) throw err;
      if (Date.now() > deadline) throw new Error(`workerd did not answer: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Bun's binary from its platform package: the `bun` package's own bin is a
 * placeholder its install script replaces, and install scripts stay off.
 */
export function bunBinary(dir) {
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  const candidates = [`bun-${process.platform}-${arch}`, `bun-${process.platform}-${arch}-baseline`, `bun-${process.platform}-${arch}-musl`];
  for (const name of candidates) if (existsSync(join(dir, '@oven', name, 'bin', 'bun'))) return join(dir, '@oven', name, 'bin', 'bun');
  return join(dir, '@oven', candidates[0], 'bin', 'bun');
}

/** The workerd binary of the `workerd` package installed in `dir` (its bin/ shim is a Node script: killing it would leave workerd running). */
export function workerdBinary(dir) {
  return createRequire(join(dir, 'noop.js'))('workerd').default;
}

/** workerd serving the suite as a module worker (with or without nodejs_compat). */
export async function runWorkerd(workerd, runtime, edition, nodejsCompat, inbox) {
  const dir = tempDir();
  const port = await freePort();
  const { code, inputs } = await conformanceBundle(edition, 'worker');
  writeFileSync(join(dir, 'worker.js'), code);
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (
    modules = [(name = "worker.js", esModule = embed "worker.js")],
    compatibilityDate = "2025-09-01",
    compatibilityFlags = [${nodejsCompat ? NODE_FLAGS : ''}],
  ))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
  );
  let stderr = '';
  const child = spawn(workerd, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    return { ...(await postUntilUp(`http://127.0.0.1:${port}/`, JSON.stringify({ runtime, inbox }), child, Date.now() + 30_000)), bundled: inputs };
  } catch (err) {
    throw new Error(`${runtime}: ${err instanceof Error ? err.message : err}\n${stderr}`);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Headless Chromium (the system browser, driven by puppeteer-core) on a page served from 127.0.0.1 (a secure context). */
export async function runChromium(puppeteerDir, chromium, runtime, inbox) {
  const puppeteer = createRequire(join(puppeteerDir, 'noop.js'))('puppeteer-core');
  const { code: bundle, inputs } = await conformanceBundle('web', 'browser');
  const server = createServer((request, response) => {
    if (request.url === '/conformance.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(bundle);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>keyroll conformance</title><script type="module">import { conformance, rootImport } from "/conformance.js"; window.conformance = conformance; window.rootImport = rootImport;</script>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = tempDir();
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.conformance === 'function', { timeout: 30_000 });
    const result = await page.evaluate(
      async (name, box) => ({ ...(await window.conformance(name, box)), hasBuffer: typeof globalThis.Buffer !== 'undefined', rootImport: await window.rootImport() }),
      runtime,
      inbox,
    );
    return { ...result, bundled: inputs };
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
