// The conformance suite (suite.mjs, written once) on Node, over the built
// package: the Node edition, the WebCrypto edition and `keyroll/web`'s
// node:crypto build each read what the others wrote. Other runtimes run the
// same file through runtimes.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript shared with runtimes that do not run TypeScript
import { runConformance } from './suite.mjs';
// @ts-expect-error: plain JavaScript, see above
import { loadEdition } from './load.mjs';

interface Result {
  passed: string[];
  failed: { name: string; message: string }[];
  outbox: unknown;
}

const dist = new URL('../../dist/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('../fixtures/frozen-vectors.json', import.meta.url), 'utf8')).vectors;

async function run(runtime: string, edition: 'root' | 'web' | 'web-node', inbox: unknown[]): Promise<Result> {
  const { lib, tokens } = await loadEdition(dist, edition);
  return (await runConformance({ runtime, lib, tokens, vectors, inbox })) as Result;
}

describe(`conformance on Node ${process.version}`, () => {
  it('passes on every edition, each reading what the others wrote', async () => {
    const root = await run('node-root', 'root', []);
    expect(root.failed).toEqual([]);
    const web = await run('node-web', 'web', [root.outbox]);
    expect(web.failed).toEqual([]);
    const webNode = await run('node-web-node', 'web-node', [root.outbox, web.outbox]);
    expect(webNode.failed).toEqual([]);
    const back = await run('node-root', 'root', [web.outbox, webNode.outbox]);
    expect(back.failed).toEqual([]);
    // Every frozen vector, round trips, errors, staleness, tokens, writing, and the others' values.
    expect(web.passed.length).toBe(vectors.length + 6);
    expect(webNode.passed.length).toBe(vectors.length + 7);
    expect(back.passed).toEqual(expect.arrayContaining(['reads what node-web wrote', 'reads what node-web-node wrote']));
  });
});

describe('the WebCrypto edition with no Buffer global (as in a browser or workerd)', () => {
  it('passes and reads what the Node edition wrote', async () => {
    const root = await run('node-root', 'root', []);
    const dir = mkdtempSync(join(tmpdir(), 'keyroll-conformance-'));
    try {
      writeFileSync(join(dir, 'inbox.json'), JSON.stringify([root.outbox]));
      const cli = fileURLToPath(new URL('./cli.mjs', import.meta.url));
      // Deleting the global leaves Node's own modules working (they hold their own reference).
      const script = `delete globalThis.Buffer; process.argv.splice(1, 0, ${JSON.stringify(cli)}); await import(${JSON.stringify(new URL('./cli.mjs', import.meta.url).href)});`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, 'node-web-no-buffer', 'web', join(dir, 'inbox.json'), join(dir, 'outbox.json')], { encoding: 'utf8' });
      expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ passed: vectors.length + 6, failed: [] });
      const back = await run('node-root', 'root', [JSON.parse(readFileSync(join(dir, 'outbox.json'), 'utf8'))]);
      expect(back.failed).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
