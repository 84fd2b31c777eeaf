/**
 * `npm run bench [-- --quick | --write] [--web]`: keyroll against raw node:crypto
 * AES-256-GCM and @47ng/cloak, interleaved, at 64 B, 1 KiB, 64 KiB and 1 MiB;
 * per-message overhead; peak RSS; the 64 MiB memory check in a child process;
 * then the re-encryption and token benches when they exist. Prints markdown
 * tables. `--write` also puts this run into docs/performance.md (the whole
 * output, and the round-trip summary) and the same summary into README.md, so
 * every published figure comes from one run, and the WebCrypto edition's
 * figures (Node and Chromium) into its section. `--web` runs (and with
 * `--write` writes) only the WebCrypto edition's bench. Never a timed test:
 * `--quick` only shows that everything runs.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { clockName, formatOps, formatSize, runCase, table } from './harness.mjs';
import { overheadFor, variantsFor } from './cases.mjs';

const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
if (quick && write) {
  console.error('bench: --write needs a full run (not --quick)');
  process.exit(2);
}
const SIZES = [64, 1024, 64 * 1024, 1024 * 1024];
const OPS = ['encrypt', 'decrypt', 'roundtrip'];
// Many short slices rather than a few long ones: on a shared machine noise
// comes in bursts, and short slices keep a variant and its baseline close in time.
const settings = quick ? { slices: 3, budgetMs: 5, warmupMs: 5 } : { slices: 31, budgetMs: 12, warmupMs: 100 };

function machine() {
  let model = 'unknown CPU';
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? model;
    const all = /^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(' ') ?? [];
    flags = ['aes', 'vaes', 'pclmulqdq', 'vpclmulqdq', 'sha_ni', 'avx2', 'avx512f'].filter((f) => all.includes(f)).join(' ');
  } catch {
    model = cpus()[0]?.model ?? model;
  }
  return `${model}, ${cpus().length} cores${flags ? ` (${flags})` : ''}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** The machine's load when the run started: absolute figures (rows/s, tokens/s) fall with it, ratios much less. */
const loadAtStart = loadavg()[0];
function load() {
  return `load average ${loadAtStart.toFixed(1)} at the start (${cpus().length} cores)`;
}

const ratio = (r) => `${r.ratio.toFixed(2)} (${r.minRatio.toFixed(2)}-${r.maxRatio.toFixed(2)})`;

// Everything printed is also kept, for --write.
const printed = [];
const log = console.log;
console.log = (...args) => {
  printed.push(args.join(' '));
  log(...args);
};

const webOnly = process.argv.includes('--web');
console.log(`# keyroll bench${webOnly ? ' (the WebCrypto edition only)' : ''}${quick ? ' (quick: too short to mean anything, CI smoke only)' : ''}`);
console.log(`machine: ${machine()}`);
let summaryTable;
if (!webOnly) summaryTable = await benchCore();

async function benchCore() {
  console.log(`settings: ${settings.slices} interleaved slices of ${settings.budgetMs} ms (${clockName}) per variant and case, ratio = median over slices of ops/s / raw GCM ops/s in the same slice (min-max in brackets)\n`);

  const summary = [];
  for (const size of SIZES) {
    const rows = [];
    for (const op of OPS) {
      const results = await runCase(variantsFor(size, op), settings);
      for (const r of results) rows.push([op, r.name, formatOps(r.opsPerSec), ratio(r)]);
      if (op === 'roundtrip') summary.push({ size, results });
    }
    console.log(`## ${formatSize(size)}\n`);
    console.log(table(['op', 'variant', 'ops/s', 'ratio to raw GCM'], rows));
    console.log();
  }

  const pick = (results, name) => results.find((r) => r.name === name);
  const summaryTable = table(
    ['size', 'keyroll binary', 'keyroll text', 'keyroll text, string in/out', '@47ng/cloak (async)', '@47ng/cloak (sync)', 'raw GCM again (A/A noise)'],
    summary.map(({ size, results }) => [
      formatSize(size),
      ...['keyroll binary', 'keyroll text', 'keyroll text, string in/out', 'cloak (async, awaited)', 'cloak (sync)', 'raw GCM (A/A)'].map((name) => pick(results, name).ratio.toFixed(2)),
    ]),
  );
  console.log('## Round trip, ratio to raw GCM (median over slices)\n');
  console.log(summaryTable);
  console.log();

  console.log('## Per-message overhead in bytes (key id "k1", 2 bytes)\n');
  console.log(
    table(
      ['size', 'keyroll binary', 'keyroll text', 'cloak'],
      SIZES.map((size) => {
        const o = overheadFor(size);
        return [formatSize(size), o.binary, o.text, o.cloak];
      }),
    ),
  );
  console.log();
  console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB\n`);

  const memoryScript = fileURLToPath(new URL('./memory.mjs', import.meta.url));
  const MiB = 1 << 20;
  for (const mode of ['hold', 'drop']) {
    for (const form of ['binary', 'text']) {
      let m;
      try {
        const out = execFileSync(process.execPath, ['--expose-gc', memoryScript, quick ? '8' : '64', form, mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        m = JSON.parse(out.trim().split('\n').pop());
      } catch (error) {
        // Say which check failed and go on to the rest; the exit code still reports it.
        console.log(`memory (${form} form, ${mode}): FAILED: ${String(error.stderr ?? error.message).split('\n').find((l) => /Error/.test(l)) ?? 'see stderr'}`);
        process.exitCode = 1;
        continue;
      }
      console.log(
        `memory (${form} form, caller ${mode === 'hold' ? 'holds plaintext, envelope and result' : 'drops the plaintext after encrypting'}): ` +
          `${m.payloadBytes / MiB} MiB: peak RSS ${(m.peakRssBytes / MiB).toFixed(1)} MiB = ${m.peakOverPayload.toFixed(2)}x the payload ` +
          `(${m.netPeakOverPayload.toFixed(2)}x net of the ${(m.rssBeforeBytes / MiB).toFixed(1)} MiB the process had before)`,
      );
    }
  }
  console.log();
  return summaryTable;
}

let webReport;
const sections = [['./reencrypt.mjs', 'benchReencryptReport'], ['./tokens.mjs', 'benchTokens'], ['./stream.mjs', 'benchStream'], ['./web.mjs', 'benchWeb']];
for (const [file, fn] of webOnly ? sections.slice(-1) : sections) {
  let mod;
  try {
    mod = await import(file);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(file.slice(2))) {
      console.log(`(bench/${file.slice(2)} does not exist yet: skipped)\n`);
      continue;
    }
    throw error;
  }
  if (typeof mod[fn] !== 'function') {
    console.log(`(bench/${file.slice(2)} exports no ${fn}: skipped)\n`);
    continue;
  }
  console.log(`## bench/${file.slice(2)} (${fn})\n`);
  const result = await mod[fn]({ quick });
  if (typeof result === 'string') console.log(result);
  else if (result !== undefined) console.log(JSON.stringify(result, null, 2));
  if (fn === 'benchWeb') webReport = result;
  console.log();
}

if (write) {
  const when = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const source = `${machine()}, ${load()}; \`npm run bench -- ${webOnly ? '--web ' : ''}--write\`, ${when}`;
  const summaryBlock = [
    'Round trip (encrypt, then decrypt), as a ratio to raw node:crypto AES-256-GCM',
    '(random 96-bit IV, `createCipheriv`, `getAuthTag`) in the same run: 1.00 is',
    'as fast as raw GCM, 0.50 half as fast. Binary form unless it says text. The',
    'last column runs raw GCM against itself and shows the noise of the run.',
    '',
    summaryTable,
    '',
    `Measured on ${source}.`,
  ].join('\n');
  const runBlock = [`Measured on ${source}.`, '', '```', ...printed, '```'].join('\n');
  const replaceBlock = (file, name, content) => {
    const url = new URL(`../${file}`, import.meta.url);
    const text = readFileSync(url, 'utf8');
    const start = `<!-- bench:${name}:start -->`;
    const end = `<!-- bench:${name}:end -->`;
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`${file} has no ${start} ... ${end} block`);
    writeFileSync(url, `${text.slice(0, a + start.length)}\n${content}\n${text.slice(b)}`);
  };
  if (typeof webReport === 'string') replaceBlock('docs/performance.md', 'web', `Measured on ${source}.\n\n${webReport.replaceAll('\n### ', '\n#### ').replace(/^### /, '#### ')}`);
  if (webOnly) {
    log('bench: wrote the WebCrypto edition\'s figures into docs/performance.md');
  } else {
    replaceBlock('docs/performance.md', 'summary', summaryBlock);
    replaceBlock('docs/performance.md', 'run', runBlock);
    replaceBlock('README.md', 'summary', summaryBlock);
    log('bench: wrote this run into docs/performance.md and its summary into README.md');
  }
}
