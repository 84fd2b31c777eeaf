/**
 * `keyroll reencrypt`: the batch job on a real database. Progress on stderr
 * (a bar on a TTY, plain lines otherwise), the summary on stdout.
 * @module
 */
import { resolve } from 'node:path';
import { fileCheckpoint, parseShard, reencryptAll, recommendedTemplate, parseContextTemplate, sampleRows, type ReencryptResult, type Shard } from '../../rotation/index.js';
import type { Keyring } from '../../keyring/keyring.js';
import type { RowStore } from '../../rotation/store.js';
import { fail } from '../../errors.js';
import { DEFAULT_BATCH_SIZE } from '../../rotation/reencrypt.js';
import { openStore } from '../../stores/open.js';
import { quoteTable } from '../../stores/sql.js';
import { EXIT, UsageError, type CliIO, type Command } from '../command.js';
import { KEYRING_HELP, KEYRING_OPTIONS, loadKeyringArg } from '../keyring-file.js';
import { DATA_OPTIONS, dataFromArgs } from '../data-args.js';
import { INDEX_HELP, INDEX_OPTIONS, indexFromArgs } from '../index-args.js';
import { LEGACY_HELP, LEGACY_OPTIONS, legacyFromArgs } from '../legacy-args.js';
import { createProgress } from '../progress.js';

export const reencryptCommand: Command = {
  name: 'reencrypt',
  summary: 're-encrypt a database column under the active key (batch job, resumable, shardable)',
  help: [
    'Usage: keyroll reencrypt (--db URL | --db-env NAME) --table T --column C --id ID --keyring FILE',
    '         [--context TEMPLATE] [--batch N] [--shard I/N] [--checkpoint FILE]',
    '         [--workers N|auto] [--dry-run] [--from-plaintext] [--json]',
    '         [--index-column C --index-purpose P ...] [--legacy cloak|layout ...]',
    '',
    'Walks the table by primary key in batches (one transaction each) and rewrites',
    'every value not under the active key. A value changed by someone else in the',
    'meantime is left alone; a value that fails to decrypt is reported by id and',
    'never overwritten. Before writing, it tries a few rows: when every one fails',
    'to decrypt and no --context was given, it stops (the values were probably',
    'written with a context) instead of reporting every row as failed.',
    '',
    'Options:',
    '  --db URL                sqlite:PATH, postgres://... (uses pg), postgres: (pg with the',
    '                          PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE variables), or pglite:DIR',
    '  --db-env NAME           read the database URL from environment variable NAME, so a',
    '                          password never shows on the command line',
    '  --table T, --column C   the table (optionally schema.table) and the column of envelopes',
    '  --id ID                 the primary key column (default id)',
    ...INDEX_HELP,
    ...KEYRING_HELP,
    '  --context TEMPLATE      each row\'s context, e.g. table=users,column=token,id={id}',
    '                          ({col} is the row\'s column col; "recommended" means',
    '                          table=T,column=C,id={ID}); repeatable: pairs are joined',
    '  --batch N               rows per batch and transaction (default 500)',
    '  --shard I/N             only shard I of N (0-based), e.g. $JOB_COMPLETION_INDEX/4',
    '  --checkpoint FILE       resume from and save progress to FILE (one file per shard)',
    '  --workers N|auto        worker threads for the crypto (0 = none); default auto: one',
    '                          per CPU (at most 8) for tables of 20,000 rows or more',
    '  --dry-run               count rows per key id from the prefix only (no key used)',
    '  --from-plaintext        encrypt values that are not envelopes (legacy plaintext)',
    ...LEGACY_HELP,
    '  --json                  print the summary as JSON',
    '',
    'Examples:',
    '  keyroll reencrypt --db sqlite:app.db --table users --column token --id id \\',
    '    --keyring keyring.json --context recommended --checkpoint reencrypt.json',
    '  keyroll reencrypt --db-env DATABASE_URL --table users --column token --id id --dry-run',
    '  keyroll reencrypt --db sqlite:app.db --table users --column email --index-column email_idx \\',
    '    --index-purpose users.email --index-normalize trim,casefold --keyring keyring.json --context recommended',
    '  CLOAK_KEYS=k1.aesgcm256.... keyroll reencrypt --db sqlite:app.db --table users --column email \\',
    '    --keyring keyring.json --context recommended --legacy cloak --legacy-keys-env CLOAK_KEYS',
    '  PGPASSWORD=... keyroll reencrypt --db postgres://app@db.internal/app --table users --column token --id id --dry-run',
  ].join('\n'),
  options: {
    ...KEYRING_OPTIONS,
    ...DATA_OPTIONS,
    ...INDEX_OPTIONS,
    ...LEGACY_OPTIONS,
    context: { type: 'string', multiple: true },
    batch: { type: 'string' },
    shard: { type: 'string' },
    checkpoint: { type: 'string' },
    workers: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'from-plaintext': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const data = dataFromArgs(values, io);
    if (data === undefined) throw new UsageError('--db URL or --db-env NAME is required');
    if (data.targets.length !== 1) throw new UsageError('reencrypt takes one --column per run (run it once per column)');
    const db = data.url;
    const target = data.targets[0]!;
    const batch = values['batch'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch']);
    if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new UsageError('--batch must be an integer from 1 to 100000');
    const shard = values['shard'] === undefined ? undefined : parseShardArg(String(values['shard']));
    const dryRun = values['dry-run'] === true;
    const workersText = values['workers'] as string | undefined;
    if (workersText !== undefined && workersText !== 'auto' && !/^(0|[1-9][0-9]?)$/.test(workersText)) throw new UsageError('--workers must be a number from 0 to 64, or auto');
    const workers = workersText === undefined || workersText === 'auto' ? 'auto' : Number(workersText);
    const template = contextTemplate(values['context'] as string[] | undefined, target);
    const columns = template === undefined ? [] : parseContextTemplate(template).columns;
    const index = indexFromArgs(values);
    const tableOptions = { ...target, columns, ...(index === undefined ? {} : { indexColumn: index.column }) };
    try {
      quoteTable(tableOptions); // a bad name is bad usage, refused before anything opens
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const legacy = legacyFromArgs(values, io.env, dryRun);
    const keyring = dryRun && values['keyring'] === undefined && values['keyring-env'] !== true ? undefined : (await loadKeyringArg(values, io)).ring;
    const store = await openStore(db, tableOptions);
    if (!dryRun && template === undefined && keyring !== undefined) {
      try {
        await refuseContextless(keyring, store, shard);
      } catch (err) {
        await store.close();
        throw err;
      }
    }
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const progress = values['json'] === true ? undefined : createProgress(io, { label: dryRun ? 'counting' : 'reencrypt' });
    let result: ReencryptResult;
    try {
      const checkpointPath = values['checkpoint'];
      result = await reencryptAll({
        store,
        batchSize: batch,
        signal: controller.signal,
        dryRun,
        fromPlaintext: values['from-plaintext'] === true,
        ...(legacy.length > 0 ? { legacy } : {}),
        ...(index === undefined || dryRun ? {} : { blindIndex: index.definition }),
        ...(dryRun ? {} : { workers }),
        ...(keyring ? { keyring } : {}),
        ...(shard ? { shard } : {}),
        ...(template === undefined ? {} : { context: template }),
        ...(typeof checkpointPath === 'string' && !dryRun ? { checkpoint: fileCheckpoint(resolve(io.cwd, checkpointPath), { scope: `${target.table}.${target.column}`, ...(shard ? { shard } : {}) }) } : {}),
        ...(progress ? { onProgress: (p) => progress.update(p.done, p.total) } : {}),
      });
      progress?.finish(result.counters.scanned, result.total);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await store.close();
    }
    report(result, dryRun, values['json'] === true, io);
    if (result.aborted) {
      io.stderr.write('keyroll reencrypt: interrupted; run the same command again (with the same --checkpoint) to resume\n');
      return EXIT.FAILED;
    }
    return result.counters.failed > 0 ? EXIT.FAILED : EXIT.OK;
  },
};

/** Stops before the first write when every sampled row fails to decrypt without a context. */
export async function refuseContextless(keyring: Keyring, store: RowStore, shard: Shard | undefined): Promise<void> {
  const s = await sampleRows(keyring, store, shard === undefined ? {} : { shard });
  if (s.tried === 0 || s.decryptFailed < s.tried) return;
  const hint = s.openWithRecommended === s.tried
    ? 'they decrypt with --context recommended: run again with it'
    : 'pass --context with the context they were written with (for example --context recommended, or table=users,column=token,id={id})';
  fail('ERR_DECRYPT_FAILED', `stopped before writing: all ${s.tried} sampled rows failed to decrypt without a context, so the values were probably written with one; ${hint}`);
}

function parseShardArg(text: string): Shard {
  try {
    return parseShard(text);
  } catch (err) {
    throw new UsageError(`--shard: ${(err as Error).message}`);
  }
}

/** The `--context` option as one template (`recommended` resolved for the target). */
export function contextTemplate(pairs: string[] | undefined, target: { table: string; column: string; id: string }): string | undefined {
  if (pairs === undefined || pairs.length === 0) return undefined;
  if (pairs.length === 1 && pairs[0] === 'recommended') return recommendedTemplate(target);
  const template = pairs.join(',');
  try {
    parseContextTemplate(template);
  } catch (err) {
    throw new UsageError(`--context: ${(err as Error).message}`);
  }
  return template;
}

function report(result: ReencryptResult, dryRun: boolean, json: boolean, io: CliIO): void {
  if (json) {
    const out = dryRun
      ? { total: result.total, byKeyId: Object.fromEntries(result.keyIds!.byKeyId), notEnvelope: result.keyIds!.notEnvelope, unsupported: result.keyIds!.unsupported, ...(result.keyIds!.stale === undefined ? {} : { stale: result.keyIds!.stale }), ...(result.keyIds!.legacy === undefined ? {} : { legacy: Object.fromEntries(result.keyIds!.legacy) }) }
      : { total: result.total, ...result.counters, resumed: result.resumed, aborted: result.aborted, failures: result.failures.map((f) => ({ ...f, id: String(f.id) })) };
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  if (dryRun) {
    const k = result.keyIds!;
    io.stdout.write(`${k.total} rows with a value\n`);
    for (const [keyId, n] of [...k.byKeyId].sort((a, b) => b[1] - a[1])) io.stdout.write(`  ${keyId.padEnd(24)} ${n}\n`);
    if (k.notEnvelope > 0) io.stdout.write(`  ${'(not an envelope)'.padEnd(24)} ${k.notEnvelope}\n`);
    for (const [kind, n] of k.legacy ?? []) io.stdout.write(`    ${`legacy ${kind}`.padEnd(22)} ${n}\n`);
    if (k.unsupported > 0) io.stdout.write(`  ${'(unsupported version)'.padEnd(24)} ${k.unsupported}\n`);
    if (k.stale !== undefined) io.stdout.write(`${k.stale} rows not under the active key\n`);
    return;
  }
  const c = result.counters;
  io.stdout.write(`re-encrypted ${c.reencrypted}, already current ${c.current}, failed ${c.failed}, changed concurrently ${c.conflicts}${c.legacyPlaintext ? `, legacy plaintext encrypted ${c.legacyPlaintext}` : ''}${c.legacyDecoded ? `, legacy values migrated ${c.legacyDecoded}` : ''} (${c.scanned} rows${result.resumed ? ', resumed from checkpoint' : ''})\n`);
  for (const f of result.failures.slice(0, 20)) io.stdout.write(`  failed: id ${String(f.id).slice(0, 80)}: ${f.code}${f.keyId ? ` (key ${f.keyId})` : ''}\n`);
  if (result.failures.length > 20 || c.failed > result.failures.length) io.stdout.write(`  ... ${c.failed - Math.min(20, result.failures.length)} more (use --json for the list)\n`);
  if (c.conflicts > 0) io.stdout.write('rows changed concurrently keep the other writer\'s value; run again to re-encrypt them if still stale\n');
}
