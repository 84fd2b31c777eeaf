/**
 * `prisma generate` for this example, offline: generate never runs the
 * schema engine, but the CLI would try to download it unless
 * PRISMA_SCHEMA_ENGINE_BINARY names an executable (a stub is enough).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Generates the client into src/generated and returns the path of its entry. */
export function generateClient(): string {
  const root = join(import.meta.dirname, '..');
  const stub = join(mkdtempSync(join(tmpdir(), 'prisma-stub-')), 'schema-engine');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  execFileSync(process.execPath, [cli, 'generate', '--schema', join(root, 'prisma', 'schema.prisma')], {
    cwd: root,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    stdio: 'pipe',
  });
  return join(root, 'src', 'generated', 'client.ts');
}
