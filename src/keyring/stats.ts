/**
 * Per-key usage counters for this process, so an operator can see when a
 * retired key stops being used.
 * @module
 */

/**
 * Usage of one key in this process.
 * @example
 * ```ts
 * const unused = ring.stats().filter((u) => u.keyId !== ring.activeKeyId && u.decryptions === 0);
 * ```
 */
export interface KeyUsage {
  readonly keyId: string;
  readonly encryptions: number;
  readonly decryptions: number;
  /** Decryptions of envelopes that were stale (not from the active key and default suite). */
  readonly staleDecryptions: number;
  readonly lastEncryptAt?: string;
  readonly lastDecryptAt?: string;
}

interface Counter {
  encryptions: number;
  decryptions: number;
  staleDecryptions: number;
  lastEncryptAt: number;
  lastDecryptAt: number;
}

/** Counters shared by a keyring and the keyrings derived from it. */
export class UsageStats {
  readonly #counters = new Map<string, Counter>();

  #get(keyId: string): Counter {
    let counter = this.#counters.get(keyId);
    if (counter === undefined) {
      counter = { encryptions: 0, decryptions: 0, staleDecryptions: 0, lastEncryptAt: 0, lastDecryptAt: 0 };
      this.#counters.set(keyId, counter);
    }
    return counter;
  }
  encrypted(keyId: string, now: number): void {
    const c = this.#get(keyId);
    c.encryptions++;
    c.lastEncryptAt = now;
  }
  decrypted(keyId: string, stale: boolean, now: number): void {
    const c = this.#get(keyId);
    c.decryptions++;
    if (stale) c.staleDecryptions++;
    c.lastDecryptAt = now;
  }
  /** A snapshot for the given key ids (every id gets a row, zero when unused). */
  snapshot(keyIds: Iterable<string>): KeyUsage[] {
    const rows: KeyUsage[] = [];
    for (const keyId of keyIds) {
      const c = this.#counters.get(keyId);
      if (c === undefined) {
        rows.push({ keyId, encryptions: 0, decryptions: 0, staleDecryptions: 0 });
        continue;
      }
      rows.push({
        keyId,
        encryptions: c.encryptions,
        decryptions: c.decryptions,
        staleDecryptions: c.staleDecryptions,
        ...(c.lastEncryptAt > 0 ? { lastEncryptAt: new Date(c.lastEncryptAt).toISOString() } : {}),
        ...(c.lastDecryptAt > 0 ? { lastDecryptAt: new Date(c.lastDecryptAt).toISOString() } : {}),
      });
    }
    return rows;
  }
}
