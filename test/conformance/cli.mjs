// Runs the conformance suite on the runtime that runs this file (Node, Bun,
// Deno): `<runtime> test/conformance/cli.mjs <name> <root|web|web-node> <inbox.json> <outbox.json>`.
// Reads the outboxes listed in inbox.json, writes its own, prints the result
// (and the file each entry resolves to by name here) as one JSON line and
// exits 1 when a check failed.
import { readFileSync, writeFileSync } from 'node:fs';
import { runConformance } from './suite.mjs';
import { loadEdition, resolvedEntries } from './load.mjs';

const [name, edition, inboxFile, outboxFile] = process.argv.slice(2);
const dist = new URL('../../dist/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('../fixtures/frozen-vectors.json', import.meta.url), 'utf8')).vectors;
const inbox = JSON.parse(readFileSync(inboxFile, 'utf8'));
const { lib, tokens } = await loadEdition(dist, edition);
const result = await runConformance({ runtime: name, lib, tokens, vectors, inbox });
writeFileSync(outboxFile, JSON.stringify(result.outbox));
console.log(JSON.stringify({ passed: result.passed.length, failed: result.failed, resolved: resolvedEntries() }));
process.exitCode = result.failed.length === 0 ? 0 : 1;
