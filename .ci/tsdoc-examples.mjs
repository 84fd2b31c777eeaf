// Lists every export of every entry point whose TSDoc has no @example, from a
// typedoc JSON model (`typedoc --json file`); exits 1 when there is one.
// Usage: node .ci/tsdoc-examples.mjs <api.json>
import { readFileSync } from 'node:fs';

const REFERENCE = 4194304; // a re-export of something documented elsewhere
const project = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const modules = project.children?.every((c) => c.kind === 2) ? project.children : [project];

/** The comment of a declaration: on itself, or on its first signature (functions, methods). */
function comment(decl) {
  return decl.comment ?? decl.signatures?.[0]?.comment ?? decl.getSignature?.comment;
}
function hasExample(decl) {
  return (comment(decl)?.blockTags ?? []).some((t) => t.tag === '@example');
}

const missing = [];
for (const mod of modules) {
  for (const decl of mod.children ?? []) {
    if (decl.kind === REFERENCE) continue;
    if (!hasExample(decl)) missing.push(`${mod.name}: ${decl.name}${comment(decl) ? ' (TSDoc without @example)' : ' (no TSDoc)'}`);
  }
}
if (missing.length > 0) {
  console.error(`tsdoc-examples: ${missing.length} export(s) without an @example:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`tsdoc-examples: all exports of ${modules.length} entry point(s) have an @example`);
