/**
 * The platform layout's rotation record. `ENCRYPTION_KEY`,
 * `ACTIVE_ENCRYPTION_KEY_NAME` and `oldEncKeys.json` hold an active key and
 * decrypt-only keys, nothing else: no pending key, no activation time, no
 * disabled key. `keyroll rotate` stages a rotation in that layout (the new
 * key waits in oldEncKeys.json, decrypt-only, until `finish` promotes it) and
 * keeps what the layout cannot say (which key is new, which is old, the
 * planned activation time, when the data was verified) in one annotation of
 * the Secret manifest: public facts, never a secret. The phase is read from
 * the layout first and the record second, so a write that replaced both in
 * one atomic step is all a rerun needs.
 * @module
 */
import { fail } from '../errors.js';
import { checkKeyId } from '../document/key-id.js';
import { parseTime } from '../document/time.js';
import type { Keyring } from '../keyring/keyring.js';

/** The annotation holding the record (metadata.annotations of the Secret). */
export const ROTATION_ANNOTATION = 'keyroll/rotation';

/** A rotation in the platform layout, as recorded in the annotation. */
export interface RotationRecord {
  /** The key the rotation brings in. */
  readonly new: string;
  /** The key it retires (the active key when it started). */
  readonly old: string;
  /** The earliest time `finish` promotes the new key (RFC 3339, UTC). */
  readonly activatesAt: string;
  /** When `finish` counted zero values under the old key. */
  readonly verifiedAt?: string;
  /** When `finish --remove` removed the old key: the rotation is over. */
  readonly removedAt?: string;
}

/**
 * Reads the record from a manifest's annotations; undefined when there is none.
 * @example
 * ```ts
 * readRecord(new Map([['keyroll/rotation', '{"new":"k2","old":"k1","activatesAt":"2026-12-01T00:00:00.000Z"}']]));
 * ```
 */
export function readRecord(annotations: ReadonlyMap<string, string> | undefined, where: string): RotationRecord | undefined {
  const text = annotations?.get(ROTATION_ANNOTATION);
  if (text === undefined) return undefined;
  const bad = (why: string): never =>
    fail('ERR_INVALID_KEYRING', `${where}: annotation ${ROTATION_ANNOTATION} ${why}; it is written by keyroll rotate start (delete the annotation to start over)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('is not a JSON object');
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) if (!['new', 'old', 'activatesAt', 'verifiedAt', 'removedAt'].includes(name)) bad(`has an unknown field "${name.slice(0, 40)}"`);
  for (const name of ['new', 'old']) {
    try {
      checkKeyId(record[name]);
    } catch {
      bad(`field "${name}" is not a key id`);
    }
  }
  if (record['new'] === record['old']) bad('names the same key as new and old');
  for (const name of ['activatesAt', 'verifiedAt', 'removedAt']) {
    if (record[name] === undefined && name !== 'activatesAt') continue;
    if (parseTime(record[name]) === undefined) bad(`field "${name}" is not an RFC 3339 time`);
  }
  return record as unknown as RotationRecord;
}

/**
 * The annotations with `record` in place (and the others kept).
 * @example
 * ```ts
 * withRecord(manifest.annotations, { new: 'k2', old: 'k1', activatesAt: at.toISOString() });
 * ```
 */
export function withRecord(annotations: ReadonlyMap<string, string> | undefined, record: RotationRecord): Map<string, string> {
  const out = new Map(annotations ?? []);
  const { new: added, old, activatesAt, verifiedAt, removedAt } = record;
  out.set(ROTATION_ANNOTATION, JSON.stringify({ new: added, old, activatesAt, ...(verifiedAt === undefined ? {} : { verifiedAt }), ...(removedAt === undefined ? {} : { removedAt }) }));
  return out;
}

/**
 * Where a platform-layout rotation stands:
 * - `idle`: no rotation in progress (none recorded, or the last one removed its old key);
 * - `pending`: the new key is in oldEncKeys.json, decrypt-only; before the planned time;
 * - `promote`: the same, once the planned time has passed (`finish` promotes it);
 * - `reencrypt`: the new key is ENCRYPTION_KEY, the old one in oldEncKeys.json, values may remain under it;
 * - `retired`: no stored value names the old key (counted now, or verified by `finish`).
 */
export interface PlatformPhase {
  readonly name: 'idle' | 'pending' | 'promote' | 'reencrypt' | 'retired';
  readonly active: string;
  readonly record: RotationRecord | undefined;
  /** Values still under the old key, when the data was counted. */
  readonly remaining?: number;
}

/**
 * The phase, from the layout (which key is active, which are in
 * oldEncKeys.json) and the record. A record the layout contradicts (a key
 * removed or promoted by hand) is refused with what was found.
 * @example
 * ```ts
 * platformPhase(loaded.ring, record, new Date(), counts).name; // 'promote'
 * ```
 */
export function platformPhase(ring: Keyring, record: RotationRecord | undefined, now: Date, counts?: ReadonlyMap<string, number>): PlatformPhase {
  const active = ring.activeKeyId;
  if (record === undefined || record.removedAt !== undefined) return { name: 'idle', active, record };
  const has = (id: string) => ring.has(id);
  const remaining = counts === undefined ? undefined : (counts.get(record.old) ?? 0);
  const extra = remaining === undefined ? {} : { remaining };
  if (active === record.old && has(record.new)) {
    return { name: now.getTime() >= Date.parse(record.activatesAt) ? 'promote' : 'pending', active, record, ...extra };
  }
  if (active === record.new && has(record.old)) {
    const retired = remaining === undefined ? record.verifiedAt !== undefined : remaining === 0;
    return { name: retired ? 'retired' : 'reencrypt', active, record, ...extra };
  }
  if (active === record.new) return { name: 'idle', active, record };
  return fail(
    'ERR_INVALID_KEYRING',
    `the Secret does not match its rotation record (new "${record.new}", old "${record.old}"): "${active}" is ENCRYPTION_KEY and "${has(record.new) ? record.old : record.new}" is missing; restore the Secret from its backup, or delete the ${ROTATION_ANNOTATION} annotation to start over`,
  );
}
