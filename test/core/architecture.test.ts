// The rooms' arrows (docs/architecture.md), checked on the import lines.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The rooms (top-level folders or files of src/) that files in `room` import. */
function importedRooms(room: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const dir = join(SRC, room);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)'/gms)) {
      const target = relative(SRC, resolve(dirname(file), match[1]!)).split(/[\\/]/)[0]!.replace(/\.js$/, '');
      if (target === room) continue;
      found.set(target, [...(found.get(target) ?? []), relative(SRC, file)]);
    }
  }
  return found;
}

describe('rooms', () => {
  it('sources never import the keyring room (the arrow runs from keyring to sources)', () => {
    expect(importedRooms('sources').get('keyring')).toBeUndefined();
  });

  it('the document room imports only errors, bytes and args', () => {
    for (const room of importedRooms('document').keys()) expect(['errors', 'bytes', 'args']).toContain(room);
  });

  it('args (entry-point checks) imports only errors and bytes', () => {
    const text = readFileSync(join(SRC, 'args.ts'), 'utf8');
    for (const match of text.matchAll(/from '(\.[^']+)'/g)) expect(['./errors.js', './bytes.js']).toContain(match[1]);
  });

  it('the lookup room (blind indexes) uses only errors, bytes and the suites primitives', () => {
    for (const room of importedRooms('lookup').keys()) expect(['errors', 'bytes', 'args', 'suites']).toContain(room);
  });

  it('envelope and suites stay below the keyring', () => {
    for (const low of ['envelope', 'suites', 'document']) {
      const rooms = importedRooms(low);
      for (const high of ['keyring', 'sources', 'rotation', 'stores', 'cli', 'tokens']) expect(rooms.get(high), `${low} -> ${high}`).toBeUndefined();
    }
  });

  it('the WebCrypto edition (web), tokens and the root entry\'s browser stand-in reach no node: module, no primitives over node:crypto', () => {
    for (const entry of ['web/index.ts', 'tokens/index.ts', 'unsupported.ts']) {
      const seen = new Set<string>();
      const todo = [join(SRC, entry)];
      while (todo.length > 0) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        const text = readFileSync(file, 'utf8');
        // Type-only imports are erased from the build: they pull in no code.
        for (const match of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from '([^']+)'/gms)) {
          const target = match[1]!;
          expect(target.startsWith('node:'), `${relative(SRC, file)} imports ${target}`).toBe(false);
          if (target.startsWith('.')) todo.push(resolve(dirname(file), target.replace(/\.js$/, '.ts')));
        }
      }
      const reached = [...seen].map((f) => relative(SRC, f));
      for (const nodeOnly of ['suites/primitives.ts', 'suites/hmac.ts', 'suites/suite1.ts', 'suites/node-engine.ts', 'web/node.ts', 'keyring/keyring.ts', 'sources/index.ts']) expect(reached, entry).not.toContain(nodeOnly);
      if (entry === 'unsupported.ts') expect(reached.sort()).toEqual(['errors.ts', 'unsupported.ts']); // the root entry's browser stand-in stays tiny
      if (entry === 'web/index.ts') expect(reached).toContain('keyring/rules.ts'); // the rules are shared, not copied
    }
  });
});
