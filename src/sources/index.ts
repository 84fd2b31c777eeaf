/**
 * The sources room: edges with I/O that read and unseal keyring documents.
 * They hand back plain documents; `Keyring`'s static loaders validate them.
 * STUB: implemented by the key-sources work (issue 3).
 * @module
 */
import { fail } from '../errors.js';
import type { KeyringDocument } from '../keyring/document.js';

/** How a sealed keyring is unlocked. */
export type UnlockOptions = { readonly masterKey: string | Uint8Array } | { readonly passphrase: string } | { readonly wrapper: KeyWrapper };

/** Wraps and unwraps the data key of a sealed keyring (a cloud KMS, a master key, a passphrase). */
export interface KeyWrapper {
  /** A short, stable name written in the sealed file (e.g. `master-key`, `passphrase`, `aws-kms`). */
  readonly kind: string;
  wrap(dataKey: Uint8Array): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

export async function loadKeyringFile(path: string): Promise<unknown> {
  return fail('ERR_IO', `not implemented yet: ${path}`);
}
export async function loadSealedKeyringFile(path: string, unlock: UnlockOptions): Promise<unknown> {
  void unlock;
  return fail('ERR_IO', `not implemented yet: ${path}`);
}
export async function loadKeyringFromEnv(env: Readonly<Record<string, string | undefined>>): Promise<unknown> {
  void env;
  return fail('ERR_IO', 'not implemented yet');
}
export async function loadKeyringFromDirectory(dir: string): Promise<unknown> {
  return fail('ERR_IO', `not implemented yet: ${dir}`);
}
export async function sealKeyring(ring: { export(): KeyringDocument }, unlock: UnlockOptions): Promise<string> {
  void ring;
  void unlock;
  return fail('ERR_IO', 'not implemented yet');
}
