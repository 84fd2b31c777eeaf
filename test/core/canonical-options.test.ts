/**
 * The re-encryption paths open and seal with a context canonicalised once
 * (keyringInternals): they must give exactly what the public methods give
 * for the same context, and refuse what those refuse.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, readAndRefresh } from '../../src/index.js';
import { testKeyring } from '../../src/testing/index.js';
import { canonicalContext, contextFromCanonical } from '../../src/envelope/context.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keyringInternals } from '../../src/keyring/keyring.js';

const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })] });
const context = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 4 });

describe('keyringInternals', () => {
  it('seals the same bytes as encrypt / encryptToBytes for the same context, and opens as open does', () => {
    fc.assert(
      fc.property(context, fc.uint8Array({ maxLength: 64 }), fc.constantFrom('text' as const, 'binary' as const), (ctx, plaintext, form) => {
        // Two keyrings with one seed draw the same salts: the envelopes must be identical.
        const a = testKeyring({ seed: 'internals', deterministicEnvelopes: true });
        const b = testKeyring({ seed: 'internals', deterministicEnvelopes: true });
        const bytes = canonicalContext(ctx);
        const viaInternals = keyringInternals.seal(a, plaintext, bytes, form);
        const viaPublic = form === 'text' ? b.encrypt(plaintext, { context: ctx }) : b.encryptToBytes(plaintext, { context: ctx });
        expect(typeof viaInternals === 'string' ? viaInternals : Buffer.from(viaInternals).toString('hex')).toBe(typeof viaPublic === 'string' ? viaPublic : Buffer.from(viaPublic).toString('hex'));
        const opened = keyringInternals.open(a, viaInternals, bytes);
        expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
        expect(opened).toMatchObject({ keyId: a.activeKeyId, stale: false, form });
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a context that differs by one entry, as decrypt does', () => {
    fc.assert(
      fc.property(context, fc.string({ minLength: 1, maxLength: 8 }), (ctx, extra) => {
        const sealed = keyringInternals.seal(ring, 'x', canonicalContext(ctx), 'text');
        const other = { ...ctx, [extra]: `${ctx[extra] ?? ''}!` };
        expect(() => keyringInternals.open(ring, sealed, canonicalContext(other))).toThrow(/decryption failed/);
        expect(() => ring.decrypt(sealed, { context: other })).toThrow(/decryption failed/);
      }),
      { numRuns: 100 },
    );
  });

  it('contextFromCanonical inverts canonicalContext (records, bytes, none)', () => {
    const anyContext = fc.oneof(context, fc.uint8Array({ maxLength: 16 }), fc.constant(undefined));
    fc.assert(
      fc.property(anyContext, (ctx) => {
        const bytes = canonicalContext(ctx);
        expect(Buffer.from(canonicalContext(contextFromCanonical(bytes))).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a keyring from another copy of the package (the built one) takes the public path, with the same results', async () => {
    const dist = (await import(pathToFileURL(join(import.meta.dirname, '../../dist/index.js')).href)) as typeof import('../../src/index.js');
    const foreign = dist.Keyring.create({ keys: [{ id: 'f1', secret: 'f'.repeat(32) }] });
    fc.assert(
      fc.property(context, fc.uint8Array({ maxLength: 32 }), fc.constantFrom('text' as const, 'binary' as const), (ctx, plaintext, form) => {
        const bytes = canonicalContext(ctx);
        const sealed = keyringInternals.seal(foreign as unknown as Keyring, plaintext, bytes, form);
        expect(typeof sealed === 'string').toBe(form === 'text');
        expect(Buffer.from(foreign.decrypt(sealed, { context: ctx })).equals(Buffer.from(plaintext))).toBe(true);
        const opened = keyringInternals.open(foreign as unknown as Keyring, sealed, bytes);
        expect(opened.keyId).toBe('f1');
        expect(() => keyringInternals.open(foreign as unknown as Keyring, sealed, canonicalContext({ ...ctx, 'longer-than-eight': 'x' }))).toThrow(/decryption failed/);
      }),
      { numRuns: 50 },
    );
  });

  it('readAndRefresh seals under the context it opened with, non-ASCII and empty values included', () => {
    const old = Keyring.create({ keys: [generateKey({ id: 'a' })] });
    const next = old.add(generateKey({ id: 'b' }), { activate: true });
    for (const context of [{ table: 'users', id: '7' }, { 'clé': 'ünïcode €', id: '' }, { ['x'.repeat(70)]: 'y'.repeat(100) }]) {
      const stored = old.encrypt('secret', { context });
      const read = readAndRefresh(next, stored, { context });
      expect(read.stale).toBe(true);
      expect(next.decryptString(read.fresh as string, { context })).toBe('secret');
      expect(() => next.decryptString(read.fresh as string, { context: { ...context, extra: '1' } })).toThrow(/decryption failed/);
    }
  });
});
