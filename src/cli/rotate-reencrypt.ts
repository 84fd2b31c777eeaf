/**
 * One pass of `keyroll rotate finish` over the data: the batch job on every
 * column (checkpointed per column, so a killed run resumes), shared by the
 * keyroll and the platform layout's rotations.
 * @module
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Keyring } from '../keyring/keyring.js';
import { fileCheckpoint, reencryptAll, type JobCounters } from '../rotation/index.js';
import { parseContextTemplate } from '../rotation/context-template.js';
import { openStore } from '../stores/open.js';
import type { CliIO } from './command.js';
import type { DataArgs } from './data-args.js';
import { reached } from './steps.js';
import { contextTemplate, refuseContextless } from './commands/reencrypt.js';

/**
 * Re-encrypts every column once; returns the number of rows that failed
 * (listed on stdout, with a summary on stderr).
 * @example
 * ```ts
 * if ((await reencryptPass(ring, data, values, 1, 500, io)) > 0) return EXIT.FAILED;
 * ```
 */
export async function reencryptPass(ring: Keyring, data: DataArgs, values: Record<string, unknown>, pass: number, batch: number, io: CliIO): Promise<number> {
  const dir = resolve(io.cwd, String(values['checkpoint-dir'] ?? '.'));
  let failed = 0;
  for (const target of data.targets) {
    const template = contextTemplate(values['context'] as string[] | undefined, target);
    const columns = template === undefined ? [] : parseContextTemplate(template).columns;
    const store = await openStore(data.url, { ...target, columns: [...columns] });
    try {
      if (template === undefined && pass === 1) await refuseContextless(ring, store, undefined);
      const path = resolve(dir, `rotate-${target.table}.${target.column}.checkpoint.json`);
      const checkpoint = fileCheckpoint(path, { scope: `${target.table}.${target.column}` });
      const result = await reencryptAll({ keyring: ring, store, batchSize: batch, checkpoint, ...(template === undefined ? {} : { context: template }), onProgress: () => reached('batch') });
      io.stdout.write(`${target.table}.${target.column}: ${summary(result.counters)}${result.resumed ? ' (resumed from checkpoint)' : ''}\n`);
      for (const f of result.failures.slice(0, 20)) io.stdout.write(`  failed: id ${String(f.id).slice(0, 80)}: ${f.code}${f.keyId ? ` (key ${f.keyId})` : ''}\n`);
      failed += result.counters.failed;
      if (result.counters.failed === 0) await rm(path, { force: true });
    } finally {
      await store.close();
    }
  }
  if (failed > 0) io.stderr.write(`keyroll rotate finish: ${failed} values could not be re-encrypted (listed above); the old key stays as it is. Fix them (or the --context) and run finish again\n`);
  return failed;
}

function summary(c: JobCounters): string {
  return `re-encrypted ${c.reencrypted}, already current ${c.current}, failed ${c.failed}, changed concurrently ${c.conflicts}`;
}
