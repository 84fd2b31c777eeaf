/**
 * `keyroll rotate start/status/finish` on a Kubernetes Secret manifest in
 * the platform layout (`ENCRYPTION_KEY`, `ACTIVE_ENCRYPTION_KEY_NAME`,
 * `oldEncKeys.json`). The layout has no pending and no disabled key, so the
 * rotation is staged (see rotate-record.ts for the record):
 * 1. `start`: the new key goes into oldEncKeys.json (every instance that
 *    reloads can decrypt with it; none encrypts with it) and the planned
 *    activation time into the record;
 * 2. `finish` after that time: promotes the new key (ENCRYPTION_KEY) and moves
 *    the old one into oldEncKeys.json, then stops: instances switch when they
 *    reload the applied Secret, not at a time, so the operator applies it and
 *    runs finish again;
 * 3. `finish` again: re-encrypts, and a zero dry-run count is what lets the
 *    old key go. Values that keep appearing under it mean an instance still
 *    encrypts with it: finish stops and says so. With `--remove` (the
 *    layout's only step after decrypt-only) the old key leaves oldEncKeys.json.
 * Every write replaces the manifest (fields and record together) atomically.
 * @module
 */
import { fail } from '../../errors.js';
import { EXIT, UsageError, type CliIO } from '../command.js';
import { saveKeyring, type LoadedKeyring } from '../keyring-file.js';
import { checkDelay, describeActivation } from '../activation.js';
import { countAll, keyringFlags } from '../rotate-common.js';
import { dataFlags, shellQuote, type DataArgs } from '../data-args.js';
import { platformPhase, readRecord, withRecord, type PlatformPhase, type RotationRecord } from '../rotate-record.js';
import { reencryptPass } from '../rotate-reencrypt.js';
import { reached } from '../steps.js';
import { platformSecret } from './keygen.js';

/** Passes over the data before finish concludes that an instance still writes under the old key. */
const PASSES = 2;

/** True when the keyring came from a Secret manifest in the platform layout. */
export function isPlatformManifest(loaded: LoadedKeyring): boolean {
  return loaded.layout?.kind === 'manifest' && loaded.layout.layout === 'platform';
}

/** A mounted directory can be neither written nor carry the record: the manifest it comes from can. */
export function refuseDirectory(loaded: LoadedKeyring, command: string): void {
  if (loaded.layout?.kind !== 'directory') return;
  throw new UsageError(
    `${loaded.path} is a mounted directory of key files, which cannot be written and has no annotations; run ${command} on the Secret's manifest instead (kubectl get secret NAME -o yaml > secret.yaml; keyroll ${command} --keyring secret.yaml ...; kubectl apply -f secret.yaml)`,
  );
}

function recordOf(loaded: LoadedKeyring): RotationRecord | undefined {
  return readRecord(loaded.layout?.kind === 'manifest' ? loaded.layout.manifest.annotations : undefined, `manifest ${loaded.path}`);
}

function annotations(loaded: LoadedKeyring): ReadonlyMap<string, string> | undefined {
  return loaded.layout?.kind === 'manifest' ? loaded.layout.manifest.annotations : undefined;
}

/** The phase of a platform manifest (with the data's counts when given). */
export function phaseOfPlatform(loaded: LoadedKeyring, now: Date, counts?: ReadonlyMap<string, number>): PlatformPhase {
  return platformPhase(loaded.ring, recordOf(loaded), now, counts);
}

/** `rotate start` on a platform manifest: the new key into oldEncKeys.json, the plan into the record. */
export async function startPlatform(loaded: LoadedKeyring, id: string, at: Date, now: Date, values: Record<string, unknown>, io: CliIO): Promise<number> {
  const phase = phaseOfPlatform(loaded, now);
  if (phase.name !== 'idle') {
    if (phase.record!.new === id && (phase.name === 'pending' || phase.name === 'promote')) {
      io.stdout.write(`key "${id}" is already staged in ${loaded.path} (in oldEncKeys.json, planned to activate at ${describeActivation(new Date(phase.record!.activatesAt), now)}); nothing changed\n`);
      io.stdout.write(describePlatform(phase, loaded, values, undefined, now));
      return EXIT.OK;
    }
    throw new UsageError(`a rotation from "${phase.record!.old}" to "${phase.record!.new}" is in progress in ${loaded.path}; finish it first (keyroll rotate status)`);
  }
  if (loaded.ring.has(id)) throw new UsageError(`key "${id}" is already in ${loaded.path}; choose a new id`);
  checkDelay(at, now, values, '--activate-in');
  const next = loaded.ring.add({ id, secret: platformSecret(), encoding: 'utf8' });
  const record: RotationRecord = { new: id, old: loaded.ring.activeKeyId, activatesAt: at.toISOString() };
  const backup = await saveKeyring(loaded, next, io, { annotations: withRecord(annotations(loaded), record) });
  reached('start');
  io.stdout.write(`added key "${id}" to oldEncKeys.json in ${loaded.path} (decrypt-only until finish promotes it, at ${describeActivation(at, new Date())} at the earliest)${backup ? `; backup ${backup}` : ''}\n`);
  io.stdout.write(describePlatform(platformPhase(next, record, new Date()), { ...loaded, ring: next }, values, undefined, new Date()));
  return EXIT.OK;
}

/** `rotate finish` on a platform manifest: promote (then stop), or re-encrypt, verify and `--remove`. */
/**
 * `postpone` on a platform manifest: the planned time in the record moves.
 * Nothing switches by itself at that time here (finish promotes), so it is
 * only the earliest time finish will promote the new key.
 */
export async function postponePlatform(loaded: LoadedKeyring, id: string, when: { by?: number; to?: Date }, values: Record<string, unknown>, io: CliIO): Promise<number> {
  const now = new Date();
  const phase = phaseOfPlatform(loaded, now);
  const record = phase.record;
  if ((phase.name !== 'pending' && phase.name !== 'promote') || record?.new !== id) {
    const staged = phase.name === 'pending' || phase.name === 'promote' ? ` (the staged key is "${record!.new}")` : '';
    throw new UsageError(`key "${id}" is not waiting to be promoted in ${loaded.path}${staged}: only a key staged by rotate start and not yet promoted by finish can be postponed`);
  }
  const was = record.activatesAt;
  const at = when.to ?? new Date(Date.parse(was) + when.by!);
  checkDelay(at, now, values, when.to === undefined ? '--by' : '--to');
  const next: RotationRecord = { ...record, activatesAt: at.toISOString() };
  const backup = await saveKeyring(loaded, loaded.ring, io, { annotations: withRecord(annotations(loaded), next) });
  io.stdout.write(`finish will promote key "${id}" at ${describeActivation(at, now)} at the earliest (was ${was}) in ${loaded.path}${backup ? `; backup ${backup}` : ''}\n`);
  return EXIT.OK;
}

export async function finishPlatform(loaded: LoadedKeyring, values: Record<string, unknown>, args: { data: DataArgs | undefined; batch: number }, io: CliIO): Promise<number> {
  const now = new Date();
  const phase = phaseOfPlatform(loaded, now);
  const record = phase.record;
  if (phase.name === 'idle') {
    const last = record?.removedAt === undefined ? '' : ` (the last rotation removed "${record.old}" at ${record.removedAt})`;
    io.stdout.write(`nothing to finish: no rotation in progress in ${loaded.path}; "${phase.active}" is ENCRYPTION_KEY${last}\n`);
    return EXIT.OK;
  }
  const r = record!;
  if (phase.name === 'pending') {
    fail('ERR_INVALID_KEYRING', `key "${r.new}" is planned to activate at ${describeActivation(new Date(r.activatesAt), now)}; until then every instance must load the Secret that holds it. Run finish after that time`, { keyId: r.new });
  }
  let ring = loaded.ring;
  let notes = withRecord(annotations(loaded), r);
  if (phase.name === 'promote') {
    ring = ring.promote(r.new);
    await saveKeyring(loaded, ring, io, { annotations: notes });
    reached('activate');
    io.stdout.write(`promoted "${r.new}" to ENCRYPTION_KEY in ${loaded.path}; "${r.old}" moved to oldEncKeys.json\n`);
    io.stdout.write(nextAfterPromote(loaded, values, args.data, ring.fingerprint()));
    return EXIT.OK;
  }
  const { data } = args;
  if (data !== undefined) {
    let remaining = (await countAll(data)).get(r.old) ?? 0;
    for (let pass = 1; remaining > 0; pass++) {
      if (pass > PASSES) {
        fail('ERR_KEY_IN_USE', `${remaining} stored values name "${r.old}" again after ${PASSES} passes: an instance still encrypts with it (it has not reloaded the Secret). Check that every instance reports fingerprint ${ring.fingerprint()}, then run finish again; "${r.old}" stays in oldEncKeys.json`, { keyId: r.old });
      }
      if ((await reencryptPass(ring, data, values, pass, args.batch, io)) > 0) return EXIT.FAILED;
      remaining = (await countAll(data)).get(r.old) ?? 0;
    }
    reached('reencrypt');
    io.stdout.write(`verified: no stored value names "${r.old}"\n`);
    if (r.verifiedAt === undefined) {
      notes = withRecord(notes, { ...r, verifiedAt: new Date().toISOString() });
      await saveKeyring(loaded, ring, io, { annotations: notes });
    }
    reached('verify');
  } else {
    io.stderr.write(`keyroll rotate finish: warning: not checking the data (--force): values still under "${r.old}" will fail with ERR_UNKNOWN_KEY once it is removed\n`);
  }
  if (values['remove'] !== true) {
    io.stdout.write(`"${r.old}" stays in oldEncKeys.json (decrypt-only): the platform layout has no disabled state, so removing it is the next and last step\n`);
    io.stdout.write(`next: once no instance has written under "${r.old}" for a while: keyroll rotate finish ${flags(values, data)} --remove\n`);
    return EXIT.OK;
  }
  if (data !== undefined && ((await countAll(data)).get(r.old) ?? 0) > 0) fail('ERR_KEY_IN_USE', `values under "${r.old}" appeared again; it stays in oldEncKeys.json. Run finish again`, { keyId: r.old });
  const removedAt = new Date().toISOString();
  notes = withRecord(notes, { ...r, ...(data === undefined ? {} : { verifiedAt: r.verifiedAt ?? removedAt }), removedAt });
  await saveKeyring(loaded, ring.remove(r.old), io, { annotations: notes });
  reached('remove');
  io.stdout.write(`removed "${r.old}" from oldEncKeys.json in ${loaded.path}\nrotation finished: "${r.new}" is the only key in use. Apply the Secret: kubectl apply -f ${shellQuote(loaded.path)}\n`);
  return EXIT.OK;
}

function flags(values: Record<string, unknown>, data: DataArgs | undefined): string {
  const context = ((values['context'] as string[] | undefined) ?? []).map((c) => ` --context ${shellQuote(c)}`).join('');
  return `${keyringFlags(values)} ${data === undefined ? '--db URL --table T --column C' : dataFlags(data, values)}${context}`;
}

function nextAfterPromote(loaded: LoadedKeyring, values: Record<string, unknown>, data: DataArgs | undefined, fingerprint: string): string {
  return [
    `next: apply it (kubectl apply -f ${shellQuote(loaded.path)}); instances switch to the new key when they reload the Secret, not at a time.`,
    `  once every instance reports fingerprint ${fingerprint}: keyroll rotate finish ${flags(values, data)}`,
    '',
  ].join('\n');
}

/**
 * One line per fact of a platform phase, then `next:` and the command to run.
 * @example
 * ```ts
 * io.stdout.write(describePlatform(phase, loaded, values, data, new Date()));
 * ```
 */
export function describePlatform(phase: PlatformPhase, loaded: LoadedKeyring, values: Record<string, unknown>, data: DataArgs | undefined, now: Date): string {
  const r = phase.record;
  const fp = loaded.ring.fingerprint();
  const left = phase.remaining === undefined || r === undefined ? '' : `; ${phase.remaining} stored value${phase.remaining === 1 ? '' : 's'} under "${r.old}"`;
  const apply = `kubectl apply -f ${shellQuote(loaded.path)}`;
  switch (phase.name) {
    case 'idle':
      return `phase: idle: "${phase.active}" is ENCRYPTION_KEY (platform layout)\nnext: keyroll rotate start NEW_ID ${keyringFlags(values)} --activate-in 1h\n`;
    case 'pending':
      return [
        `phase: pending: "${r!.new}" waits in oldEncKeys.json (decrypts, does not encrypt); "${r!.old}" encrypts; planned activation ${describeActivation(new Date(r!.activatesAt), now)}${left}`,
        `next: apply the Secret (${apply}) and check that every instance reports fingerprint ${fp}; after the planned time:`,
        `  keyroll rotate finish ${flags(values, data)}`,
        '',
      ].join('\n');
    case 'promote':
      return `phase: promote: the planned activation time of "${r!.new}" has passed (${r!.activatesAt}); it is still in oldEncKeys.json${left}\nnext: once every instance reports fingerprint ${fp}: keyroll rotate finish ${flags(values, data)}\n`;
    case 'reencrypt':
      return `phase: reencrypt: "${r!.new}" is ENCRYPTION_KEY, "${r!.old}" is in oldEncKeys.json${left === '' ? ' (pass --db to count the values still under it)' : left}\nnext: once every instance reports fingerprint ${fp} (${apply}): keyroll rotate finish ${flags(values, data)}\n`;
    case 'retired':
      return `phase: retired: no stored value names "${r!.old}"${r!.verifiedAt === undefined ? '' : ` (verified at ${r!.verifiedAt})`}; it is still in oldEncKeys.json\nnext: keyroll rotate finish ${flags(values, data)} --remove   (removes "${r!.old}": the layout has no disabled state)\n`;
  }
}
