// The conformance suite, written once, run on every runtime and edition
// (Node 20/22/24, the WebCrypto edition, Bun, Deno, workerd, Chromium).
// It imports nothing: each runtime's driver hands it the library it loaded
// (`keyroll` or `keyroll/web`, plus `keyroll/tokens`), the frozen vectors and
// what the other runtimes wrote, and gets back its results and what this
// runtime wrote (its outbox) for the next one to read.

/** The keyring every runtime writes with (test secrets only). */
export const CONFORMANCE_KEYRING = {
  format: 'keyroll.keyring',
  version: 1,
  keys: [
    { id: 'k2', secret: 'conformance-secret-k2-0123456789', encoding: 'utf8', state: 'active', createdAt: '2026-02-01T00:00:00Z' },
    { id: 'k1', secret: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', encoding: 'hex', state: 'decrypt-only', createdAt: '2026-01-01T00:00:00Z' },
  ],
};

/** The token vector of docs/tokens.md. */
export const TOKEN_VECTOR = {
  keys: [{ id: 'k2', secret: 'ASDFGHJKL1234567', state: 'active' }],
  token:
    'v4.local.KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKipb1Ld8pQoj0WVQC1KUvjWWyk0hWYGPjwndzFjG83AlEpqZPrlLj4wf0H99dLjb5iHzxbNuQpTE5qDo3eMjkMdwC9ndq9zqnXvZLl82dCSu5NdpkT_ZqQmu4UAvqFUdraHBvxZExZtsXyysqIOequercXjGmqWEZLMoGlLqvwXiZIQPrOPszQmKid7UfNUfht4.eyJraWQiOiJrMiJ9',
  now: Date.UTC(2030, 0, 1, 12, 0, 0),
  claims: { sub: 'user-42', iat: '2026-01-01T00:00:00+00:00', exp: '2099-01-01T00:00:00+00:00', purpose: 'password-reset' },
};

const CASES = [
  { plaintext: '', context: null },
  { plaintext: 'hello from every runtime', context: { table: 'users', column: 'token', id: '42' } },
  { plaintext: 'Grüße, 世界 🔑', context: { '😀': 'astral key', 'a': 'ascii' } },
  { plaintext: 'bytes context', context: { bytes: '00ff10' } },
  { plaintext: 'x'.repeat(70000), context: null },
];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function hex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function unhex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function contextOf(context) {
  if (context === null) return undefined;
  if (Object.keys(context).length === 1 && typeof context.bytes === 'string') return unhex(context.bytes);
  return context;
}

function options(context) {
  const c = contextOf(context);
  return c === undefined ? undefined : { context: c };
}

function flipped(bytes, index) {
  const copy = bytes.slice();
  copy[index] ^= 0x01;
  return copy;
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs every check. `lib`: `{ create(options), fromJSON(doc), inspect, KeyrollError }`
 * (methods may be sync or async); `tokens`: `{ issueToken, verifyToken }`;
 * `vectors`: test/fixtures/frozen-vectors.json's `vectors`; `inbox`: outboxes
 * of other runtimes. Returns `{ passed, failed, outbox }`.
 */
export async function runConformance({ runtime, lib, tokens, vectors, inbox = [] }) {
  const passed = [];
  const failed = [];
  async function check(name, fn) {
    try {
      await fn();
      passed.push(name);
    } catch (err) {
      failed.push({ name, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  function expect(condition, message) {
    if (!condition) throw new Error(message);
  }
  async function code(fn) {
    try {
      await fn();
    } catch (err) {
      if (err instanceof lib.KeyrollError) return err.code;
      throw err;
    }
    return 'no error';
  }
  async function expectCode(expected, fn, what) {
    const got = await code(fn);
    expect(got === expected, `${what}: expected ${expected}, got ${got}`);
  }

  for (const v of vectors) {
    await check(`frozen vector: ${v.name}`, async () => {
      const ring = await lib.create({ keys: [{ id: v.keyId, secret: v.secret, encoding: v.encoding }] });
      const opts = options(v.context);
      expect((await ring.decryptString(v.envelopeText, opts)) === v.plaintext, 'text form decrypts to the vector plaintext');
      const binary = unhex(v.envelopeHex);
      expect(decoder.decode(await ring.decrypt(binary, opts)) === v.plaintext, 'binary form decrypts to the vector plaintext');
      expect(lib.inspect(v.envelopeText).keyId === v.keyId, 'inspect names the key');
      const headerEnd = 3 + v.keyId.length;
      for (const [part, index] of [['salt', headerEnd], ['commitment', headerEnd + 16], ['ciphertext or tag', binary.length - 17], ['tag', binary.length - 1]]) {
        await expectCode('ERR_DECRYPT_FAILED', () => ring.decrypt(flipped(binary, index), opts), `a flipped ${part} bit`);
      }
      await expectCode('ERR_DECRYPT_FAILED', () => ring.decrypt(binary, { context: { another: 'context' } }), 'another context');
      await expectCode('ERR_UNSUPPORTED_VERSION', () => ring.decrypt(flipped(binary, 0)), 'a flipped version bit');
      await expectCode('ERR_MALFORMED_ENVELOPE', () => ring.decrypt(binary.subarray(0, 40), opts), 'a truncated envelope');
    });
  }

  const ring = await lib.fromJSON(CONFORMANCE_KEYRING);
  await check('round trips, text and binary forms', async () => {
    for (const c of CASES) {
      const opts = options(c.context);
      const text = await ring.encrypt(c.plaintext, opts);
      expect(text.startsWith('kr1.k2.'), 'text form names the active key');
      expect((await ring.decryptString(text, opts)) === c.plaintext, 'text round trip');
      const bytes = await ring.encryptToBytes(encoder.encode(c.plaintext), opts);
      expect(bytes.length === 69 + encoder.encode(c.plaintext).length, 'binary overhead is 67 bytes plus the key id');
      expect(equal(await ring.decrypt(bytes, opts), encoder.encode(c.plaintext)), 'binary round trip');
      const opened = await ring.open(text, opts);
      expect(opened.keyId === 'k2' && opened.stale === false && opened.version === 1 && opened.suite === 1, 'open reports key, version, suite');
    }
  });

  await check('errors: the same codes for the same faults', async () => {
    const other = await lib.create({ keys: [{ id: 'k9', secret: 'another-secret-0123456789' }] });
    const foreign = await other.encrypt('x');
    await expectCode('ERR_UNKNOWN_KEY', () => ring.decrypt(foreign), 'an unknown key');
    const disabled = await lib.create({ keys: [{ id: 'k2', secret: CONFORMANCE_KEYRING.keys[0].secret, state: 'disabled' }, { id: 'k3', secret: 'a-third-secret-0123456789', state: 'active' }] });
    await expectCode('ERR_KEY_DISABLED', async () => disabled.decrypt(await ring.encrypt('y')), 'a disabled key');
    await expectCode('ERR_MALFORMED_ENVELOPE', () => ring.decrypt('kr1.k2.!!!'), 'bad base64url');
    await expectCode('ERR_MALFORMED_ENVELOPE', () => ring.decrypt('not an envelope'), 'not an envelope');
    // One text, one decoding, whichever base64 codec the runtime has: whitespace and non-zero unused bits are refused.
    const good = await ring.encrypt('canonical!'); // 79 bytes: the last base64url character carries 4 unused bits
    await expectCode('ERR_MALFORMED_ENVELOPE', () => ring.decrypt(`${good.slice(0, 20)} ${good.slice(21)}`), 'a space in the payload');
    await expectCode('ERR_MALFORMED_ENVELOPE', () => ring.decrypt(`${good.slice(0, 20)}\n${good.slice(20)}`), 'a line break in the payload');
    const last = good.at(-1);
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last) ^ 1;
    await expectCode('ERR_MALFORMED_ENVELOPE', () => ring.decrypt(good.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[sibling]), 'non-zero unused bits');
    await expectCode('ERR_UNSUPPORTED_VERSION', () => ring.decrypt('kr2.k2.AAAA'), 'version 2');
    await expectCode('ERR_INVALID_KEYRING', () => lib.create({ keys: [{ id: 'a', secret: 'aaaaaaaaaaaaaaaa', state: 'active' }, { id: 'b', secret: 'bbbbbbbbbbbbbbbb', state: 'active' }] }), 'two active keys');
    await expectCode('ERR_INVALID_KEY', () => lib.create({ keys: [{ id: 'a', secret: 'short' }] }), 'a short secret');
    await expectCode('ERR_INVALID_ARGUMENT', () => ring.encrypt('x', { context: new Map() }), 'a Map as context');
    await expectCode('ERR_INVALID_ARGUMENT', () => ring.encrypt('x', { contxt: {} }), 'a misspelt option');
    const text = await ring.encrypt('z', { context: { id: '1' } });
    await expectCode('ERR_DECRYPT_FAILED', () => ring.decrypt(text, { context: { id: '2' } }), 'the wrong context');
  });

  await check('staleness and key selection', async () => {
    const oldRing = await lib.create({ keys: [{ id: 'k1', secret: CONFORMANCE_KEYRING.keys[1].secret, encoding: 'hex' }] });
    const old = await oldRing.encrypt('old');
    const opened = await ring.open(old);
    expect(opened.keyId === 'k1' && opened.stale === true, 'a value under the older key opens as stale');
    expect(ring.isStale(old) === true && ring.activeKeyId === 'k2', 'isStale and activeKeyId');
  });

  if (tokens !== undefined) {
    await check('tokens: the frozen vector of docs/tokens.md', async () => {
      const tokenRing = await lib.create({ keys: TOKEN_VECTOR.keys });
      const claims = tokens.verifyToken(tokenRing, TOKEN_VECTOR.token, { now: TOKEN_VECTOR.now });
      expect(JSON.stringify(claims) === JSON.stringify(TOKEN_VECTOR.claims), 'claims of the frozen token');
      const t = TOKEN_VECTOR.token;
      const tampered = t.slice(0, 20) + (t[20] === 'A' ? 'B' : 'A') + t.slice(21);
      await expectCode('ERR_TOKEN_INVALID', () => tokens.verifyToken(tokenRing, tampered, { now: TOKEN_VECTOR.now }), 'a tampered token');
      const issued = tokens.issueToken(ring, { purpose: 'round trip' }, { expiresIn: 60 });
      expect(tokens.verifyToken(ring, issued).purpose === 'round trip', 'token round trip');
    });
  }

  const outbox = { runtime, envelopes: [], tokens: [] };
  await check('writes values for the other runtimes', async () => {
    for (const c of CASES) {
      const opts = options(c.context);
      outbox.envelopes.push({ plaintext: c.plaintext, context: c.context, text: await ring.encrypt(c.plaintext, opts), binaryHex: hex(await ring.encryptToBytes(c.plaintext, opts)) });
    }
    if (tokens !== undefined) outbox.tokens.push(tokens.issueToken(ring, { from: runtime }, { expiresIn: 86400 }));
  });

  for (const other of inbox) {
    await check(`reads what ${other.runtime} wrote`, async () => {
      expect(other.envelopes.length === CASES.length, 'every case is there');
      for (const e of other.envelopes) {
        const opts = options(e.context);
        expect((await ring.decryptString(e.text, opts)) === e.plaintext, 'text form');
        const binary = unhex(e.binaryHex);
        expect(decoder.decode(await ring.decrypt(binary, opts)) === e.plaintext, 'binary form');
        await expectCode('ERR_DECRYPT_FAILED', () => ring.decrypt(flipped(binary, binary.length - 1), opts), 'tampered');
      }
      if (tokens !== undefined) for (const t of other.tokens) expect(tokens.verifyToken(ring, t).from === other.runtime, 'token');
    });
  }
  return { passed, failed, outbox };
}
