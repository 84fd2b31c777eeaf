/**
 * From {@link UnlockOptions} to the way a data key is wrapped (sealing, a
 * fresh salt) or recovered (unsealing, rebuilt from the file's header).
 * @module
 */
import { fail, KeyrollError } from '../errors.js';
import { checkOptions } from '../args.js';
import { describe, fromBase64urlStrict } from '../bytes.js';
import { BUILTIN_KINDS, derivationOf, openWithDerivation, type KekDerivation } from './builtin.js';
import { masterKeyDerivation, masterKeyWrapper, parseMasterKey } from './master-key.js';
import { checkScrypt, passphraseDerivation, passphraseWrapper, type CheckedScrypt } from './passphrase.js';
import type { SealedHeader } from './sealed-header.js';
import { checkWrapper, type KeyWrapper, type UnlockOptions } from './wrapper.js';

const DATA_KEY_BYTES = 32;

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
  const wrapper = checkWrapper(unlock.wrapper);
  if (BUILTIN_KINDS.has(wrapper.kind) && derivationOf(wrapper) === undefined) {
    fail('ERR_INVALID_ARGUMENT', `KeyWrapper.kind "${wrapper.kind}" is reserved for keyroll's own wrapper: pass { masterKey } or { passphrase }`);
  }
  return wrapper;
}

/**
 * Recovers a file's data key. Never throws for a wrong key: `ok` is false and
 * `dataKey` 32 zero bytes; `cause` is a custom wrapper's own error, if any.
 */
export type DataKeyOpener = () => Promise<{ dataKey: Uint8Array; ok: boolean; cause?: unknown }>;

const KIND_OF = { masterKey: 'master-key', passphrase: 'passphrase' } as const;
const HOW = { 'master-key': '{ masterKey } or --master-key-env', passphrase: '{ passphrase } or --passphrase-env' } as Record<string, string>;

/**
 * How to recover the data key of an existing file, from its header. A file
 * sealed another way -> `ERR_INVALID_ARGUMENT`; wrapper parameters out of
 * bounds -> `ERR_INVALID_KEYRING`; both are visible without any key.
 * @example
 * ```ts
 * const { dataKey, ok } = await openerForUnseal({ masterKey }, header, 'sealed keyring k.sealed', 'k.sealed')();
 * ```
 */
export function openerForUnseal(unlock: UnlockOptions, header: SealedHeader, label: string, file: string | undefined): DataKeyOpener {
  checkUnlock(unlock);
  const where = file === undefined ? {} : { file };
  const kind = header.wrapper.kind;
  const expected = 'masterKey' in unlock ? KIND_OF.masterKey : 'passphrase' in unlock ? KIND_OF.passphrase : BUILTIN_KINDS.has(unlock.wrapper.kind) ? '' : unlock.wrapper.kind;
  if (kind !== expected) {
    const hint = kind === 'master-key' ? 'a master key' : kind === 'passphrase' ? 'a passphrase' : `a "${kind.slice(0, 64)}" key wrapper`;
    fail('ERR_INVALID_ARGUMENT', `${label} was sealed with ${hint}; unlock it with ${HOW[kind] ?? 'that wrapper'}`, where);
  }
  if ('wrapper' in unlock) return customOpener(checkWrapper(unlock.wrapper), header.wrappedKey);
  const derive = derivationFor(unlock, header, (why) => fail('ERR_INVALID_KEYRING', `${label}: ${why}`, where));
  const stored = header.version === 2 ? fromBase64urlStrict(String(header.wrapper.params.get('commitment'))) : undefined;
  return () => openWithDerivation(derive, header.version, header.wrappedKey, stored);
}

function customOpener(wrapper: KeyWrapper, wrapped: Uint8Array): DataKeyOpener {
  return async () => {
    let out: unknown;
    let cause: unknown;
    try {
      out = await wrapper.unwrap(wrapped);
    } catch (err) {
      // A wrong key is one failure among others; an I/O or usage error is the wrapper's own.
      if (err instanceof KeyrollError && err.code !== 'ERR_DECRYPT_FAILED') throw err;
      out = undefined;
      cause = err;
    }
    if (out !== undefined && !(out instanceof Uint8Array)) fail('ERR_INVALID_ARGUMENT', `key wrapper "${wrapper.kind}": unwrap() must resolve to a Uint8Array, got ${describe(out)}`);
    if (out instanceof Uint8Array && out.length === DATA_KEY_BYTES) return { dataKey: out, ok: true };
    if (out instanceof Uint8Array) out.fill(0);
    return { dataKey: new Uint8Array(DATA_KEY_BYTES), ok: false, ...(cause === undefined ? {} : { cause }) };
  };
}

const BUILTIN_PARAMS: Record<string, Record<1 | 2, ReadonlySet<string>>> = {
  'master-key': { 1: new Set(['kdf', 'salt']), 2: new Set(['kdf', 'salt', 'commitment']) },
  passphrase: { 1: new Set(['kdf', 'N', 'r', 'p', 'salt']), 2: new Set(['kdf', 'N', 'r', 'p', 'salt', 'commitment']) },
};

function derivationFor(unlock: { masterKey: string | Uint8Array } | { passphrase: string }, header: SealedHeader, bad: (why: string) => never): KekDerivation {
  const params = header.wrapper.params;
  const allowed = BUILTIN_PARAMS[header.wrapper.kind]![header.version];
  for (const name of params.keys()) if (!allowed.has(name)) bad(`the ${header.wrapper.kind} wrapper has an unknown parameter "${name.slice(0, 40)}"`);
  const salt = typeof params.get('salt') === 'string' ? fromBase64urlStrict(params.get('salt') as string) : undefined;
  if (salt === undefined || salt.length < 16 || salt.length > 64) return bad('the wrapper salt is not 16 to 64 bytes of base64url');
  if (header.version === 2) {
    const commitment = typeof params.get('commitment') === 'string' ? fromBase64urlStrict(params.get('commitment') as string) : undefined;
    if (commitment === undefined || commitment.length !== 32) bad('the wrapper commitment is not 32 bytes of base64url');
  }
  if ('masterKey' in unlock) {
    if (params.get('kdf') !== 'hkdf-sha256') bad('the master-key wrapper\'s kdf is not "hkdf-sha256"');
    return masterKeyDerivation(parseMasterKey(unlock.masterKey), salt);
  }
  if (params.get('kdf') !== 'scrypt') bad('the passphrase wrapper\'s kdf is not "scrypt"');
  if (typeof unlock.passphrase !== 'string' || unlock.passphrase.length === 0) fail('ERR_INVALID_ARGUMENT', 'the passphrase must be a non-empty string');
  return passphraseDerivation(unlock.passphrase, salt, storedScrypt(params, bad));
}

function storedScrypt(params: ReadonlyMap<string, string | number>, bad: (why: string) => never): CheckedScrypt {
  const N = params.get('N');
  const r = params.get('r');
  const p = params.get('p');
  if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number') return bad('the scrypt parameters N, r, p are missing');
  try {
    return checkScrypt({ N, r, p }, 'the stored scrypt parameters');
  } catch (err) {
    return bad((err as Error).message);
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
