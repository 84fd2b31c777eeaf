/**
 * From {@link UnlockOptions} to a {@link KeyWrapper}: a fresh one (new salt)
 * when sealing, one rebuilt from the file's header when unsealing.
 * @module
 */
import { fail } from '../errors.js';
import { checkOptions } from '../args.js';
import { fromBase64urlStrict } from '../bytes.js';
import { masterKeyWrapper } from './master-key.js';
import { checkScrypt, passphraseWrapper, type CheckedScrypt } from './passphrase.js';
import type { SealedHeader } from './sealed-header.js';
import { checkWrapper, type KeyWrapper, type UnlockOptions } from './wrapper.js';

/**
 * Checks unlock options: exactly one of masterKey, passphrase (with an
 * optional scrypt), wrapper, and no other key.
 * @example
 * ```ts
 * checkUnlock({ passphrase: 'correct horse battery staple' });
 * ```
 */
export function checkUnlock(unlock: UnlockOptions): void {
  if (typeof unlock !== 'object' || unlock === null) fail('ERR_INVALID_ARGUMENT', 'unlock options must be { masterKey }, { passphrase } or { wrapper }');
  const given = ['masterKey', 'passphrase', 'wrapper'].filter((k) => k in unlock);
  if (given.length !== 1) fail('ERR_INVALID_ARGUMENT', 'unlock options must hold exactly one of masterKey, passphrase, wrapper');
  checkOptions(unlock, given[0] === 'passphrase' ? ['passphrase', 'scrypt'] : given, 'unlock options');
}

/**
 * The wrapper that seals a new file.
 * @example
 * ```ts
 * const wrapper = wrapperForSeal({ passphrase: 'correct horse battery staple' });
 * ```
 */
export function wrapperForSeal(unlock: UnlockOptions): KeyWrapper {
  checkUnlock(unlock);
  if ('masterKey' in unlock) return masterKeyWrapper(unlock.masterKey);
  if ('passphrase' in unlock) return passphraseWrapper(unlock.passphrase, unlock.scrypt);
  return checkWrapper(unlock.wrapper);
}

const KIND_OF = { masterKey: 'master-key', passphrase: 'passphrase' } as const;

/**
 * The wrapper that opens an existing file, built from its header.
 * @example
 * ```ts
 * const wrapper = wrapperForUnseal({ masterKey }, header, 'sealed keyring k.sealed', 'k.sealed');
 * ```
 */
export function wrapperForUnseal(unlock: UnlockOptions, header: SealedHeader, label: string, file: string | undefined): KeyWrapper {
  checkUnlock(unlock);
  const where = file === undefined ? {} : { file };
  const kind = header.wrapper.kind;
  const expected = 'masterKey' in unlock ? KIND_OF.masterKey : 'passphrase' in unlock ? KIND_OF.passphrase : unlock.wrapper.kind;
  if (kind !== expected) {
    const hint = kind === 'master-key' ? 'a master key' : kind === 'passphrase' ? 'a passphrase' : `a "${kind.slice(0, 64)}" key wrapper`;
    fail('ERR_INVALID_ARGUMENT', `${label} was sealed with ${hint}; unlock it with that`, where);
  }
  if ('wrapper' in unlock) return checkWrapper(unlock.wrapper);
  const params = header.wrapper.params;
  const bad = (why: string): never => fail('ERR_INVALID_KEYRING', `${label}: ${why}`, where);
  const salt = typeof params.get('salt') === 'string' ? fromBase64urlStrict(params.get('salt') as string) : undefined;
  if (salt === undefined || salt.length < 16 || salt.length > 64) return bad('the wrapper salt is not 16 to 64 bytes of base64url');
  if ('masterKey' in unlock) {
    if (params.get('kdf') !== 'hkdf-sha256') bad('the master-key wrapper\'s kdf is not "hkdf-sha256"');
    return masterKeyWrapper(unlock.masterKey, salt);
  }
  if (params.get('kdf') !== 'scrypt') bad('the passphrase wrapper\'s kdf is not "scrypt"');
  return passphraseWrapper(unlock.passphrase, storedScrypt(params, bad), salt);
}

function storedScrypt(params: ReadonlyMap<string, string | number>, bad: (why: string) => never): CheckedScrypt {
  const N = params.get('N');
  const r = params.get('r');
  const p = params.get('p');
  if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number') return bad('the scrypt parameters N, r, p are missing');
  try {
    return checkScrypt({ N, r, p });
  } catch (err) {
    return bad(`the stored scrypt parameters are out of bounds (${(err as Error).message.replace(/^scrypt parameters: /, '')})`);
  }
}

/**
 * The stored scrypt parameters of a passphrase-sealed header, so a
 * modified keyring can be re-sealed at the same cost.
 * @example
 * ```ts
 * const cost = headerScrypt(sealedHeader(text)); // { N: 131072, r: 8, p: 1 } or undefined
 * ```
 */
export function headerScrypt(header: SealedHeader): CheckedScrypt | undefined {
  if (header.wrapper.kind !== 'passphrase') return undefined;
  try {
    return storedScrypt(header.wrapper.params, (why) => fail('ERR_INVALID_KEYRING', why));
  } catch {
    return undefined;
  }
}
