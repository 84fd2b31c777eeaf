/**
 * What the three `keyroll rotate` commands share: their options, the
 * keyring and data they act on, the phase, and the exact next command.
 * @module
 */
import type { LoadedKeyring } from './keyring-file.js';
import { countKeyIds } from '../rotation/dry-run.js';
import { describeActivation } from './activation.js';
import { dataFlags, shellQuote, withStores, type DataArgs } from './data-args.js';
import { detectPhase, type Phase } from './rotate-phase.js';
import { UsageError, type CliIO } from './command.js';

/** Values per key id over every target, from the envelope headers (no key needed). */
export async function countAll(data: DataArgs): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  await withStores(data, async (stores) => {
    for (const store of stores) {
      const counts = await countKeyIds({ store, batchSize: 2000 });
      for (const [id, n] of counts.byKeyId) total.set(id, (total.get(id) ?? 0) + n);
    }
  });
  return total;
}

/** The phase of the loaded keyring, with `--old` checked against it. */
export function phaseOf(loaded: LoadedKeyring, values: Record<string, unknown>, counts?: ReadonlyMap<string, number>): Phase {
  const old = values['old'] as string | undefined;
  const keys = loaded.ring.keys();
  if (old !== undefined) {
    const key = keys.find((k) => k.id === old);
    if (key === undefined) {
      const removed = loaded.ring.removed().some((r) => r.id === old);
      throw new UsageError(removed ? `key "${old}" was already removed from ${loaded.path}: the rotation is finished` : `--old: key "${old}" is not in ${loaded.path}`);
    }
    if (key.state !== 'decrypt-only' && key.state !== 'disabled') throw new UsageError(`--old: key "${old}" is ${key.state}; the old key of a rotation is decrypt-only or disabled`);
  }
  return detectPhase(keys, old, counts);
}

/** `--keyring FILE [--master-key-env NAME]` as given, for printed commands. */
export function keyringFlags(values: Record<string, unknown>): string {
  const unlock = values['master-key-env'] !== undefined ? ` --master-key-env ${String(values['master-key-env'])}` : values['passphrase-env'] !== undefined ? ` --passphrase-env ${String(values['passphrase-env'])}` : '';
  return `--keyring ${shellQuote(String(values['keyring']))}${unlock}`;
}

/**
 * One line per fact of the phase, then `next:` and the command(s) to run.
 * @example
 * ```ts
 * io.stdout.write(describePhase(phase, values, data, new Date()));
 * ```
 */
export function describePhase(phase: Phase, values: Record<string, unknown>, data: DataArgs | undefined, now: Date): string {
  const ring = keyringFlags(values);
  const context = ((values['context'] as string[] | undefined) ?? []).map((c) => ` --context ${shellQuote(c)}`).join('');
  const db = (data === undefined ? '--db URL --table T --column C' : dataFlags(data, values)) + context;
  const old = phase.old !== undefined && values['old'] !== undefined ? ` --old ${phase.old}` : '';
  const left = phase.remaining === undefined ? '' : `; ${phase.remaining} stored value${phase.remaining === 1 ? '' : 's'} under "${phase.old}"`;
  switch (phase.name) {
    case 'idle':
      return `phase: idle: "${phase.active}" is the only key in use\nnext: keyroll rotate start NEW_ID ${ring} --activate-in 1h\n`;
    case 'pending':
      return [
        `phase: pending: "${phase.pending!.id}" activates at ${describeActivation(new Date(phase.pending!.at), now)}; "${phase.active}" encrypts until then${left}`,
        'next: roll the keyring out to every instance before that time (keyroll postpone if the rollout runs late), then after it:',
        `  keyroll rotate finish ${ring} ${db}`,
        '',
      ].join('\n');
    case 'reencrypt':
      return `phase: reencrypt: "${phase.active}" is active, "${phase.old}" is decrypt-only${left === '' ? ' (pass --db to count the values still under it)' : left}\nnext: keyroll rotate finish ${ring} ${db}${old}\n`;
    case 'retired':
      return `phase: retired: no stored value names "${phase.old}" any more\nnext: keyroll rotate finish ${ring} ${db}${old}   (disables "${phase.old}")\n`;
    case 'disabled':
      return `phase: disabled: "${phase.old}" no longer decrypts${left}\nnext: once no instance reports ERR_KEY_DISABLED for it: keyroll rotate finish ${ring} ${db}${old} --remove\n`;
    case 'ambiguous':
      return `phase: ambiguous: keys ${phase.candidates!.map((c) => `"${c}"`).join(', ')} are retired or disabled; name the one this rotation retires\nnext: keyroll rotate status ${ring} ${db} --old ID\n`;
  }
}

/** Writes the phase as JSON (for scripts), with the counts when known. */
export function phaseJson(phase: Phase, counts: ReadonlyMap<string, number> | undefined, io: CliIO): void {
  io.stdout.write(`${JSON.stringify({ ...phase, ...(counts === undefined ? {} : { counts: Object.fromEntries(counts) }) })}\n`);
}
