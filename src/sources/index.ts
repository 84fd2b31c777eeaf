/**
 * The sources room: edges with I/O that read and unseal keyring documents.
 * They hand back plain documents; `Keyring`'s static loaders validate them.
 * @module
 */
export { loadKeyringFile } from './plain.js';
export { loadSealedKeyringFile, nextGenerationAt, sealKeyring, sealedGeneration, type SealOptions } from './sealed-file.js';
export { loadKeyringFromEnv, withEnvOrigin } from './env.js';
export { loadKeyringFromDirectory } from './directory.js';
export { isSealedText, sealDocument, sealedGenerationOf, sealedHeader, unsealText, unsealFailedMessage, SEALED_FORMAT, SEALED_VERSION, type SealedHeader, type UnsealOptions } from './sealed.js';
export { headerScrypt, checkUnlock } from './unlock.js';
export { masterKeyWrapper, parseMasterKey, MIN_MASTER_KEY_BYTES } from './master-key.js';
export { passphraseWrapper, checkScrypt, DEFAULT_SCRYPT, SCRYPT_FLOOR, SCRYPT_MAX_NRP, type CheckedScrypt } from './passphrase.js';
export { checkPlatformSecret, parseOldKeys, platformDocument, platformKeysOf, serializeOldKeys, PLATFORM, PLATFORM_MULTIPLE, type PlatformKeys } from './platform.js';
export { isPlatformKeyFile, platformKeyFileDocument } from './platform-file.js';
export { SourceWatcher, type SourceWatchOptions } from './watcher.js';
export { loadKeyringPath, pathSignature } from './load-path.js';
export { writeFileAtomic, writeStreamAtomic, type AtomicWriteOptions } from './atomic.js';
export { keyringFileContent, writeKeyringFile, type WriteKeyringFileOptions } from './keyring-write.js';
export type { KeyWrapper, ScryptParams, UnlockOptions } from './wrapper.js';
