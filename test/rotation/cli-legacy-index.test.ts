/**
 * `keyroll reencrypt` with another library's ciphertexts (`--legacy`) and
 * with a blind index column (`--index-column`), over the built CLI.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cloak from '@47ng/cloak';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey, inspect } from '../../src/index.js';
import { expectNoSecrets, fails, ok, run, workdir } from '../cli/helpers.js';

const cloakKey = cloak.generateKey();
const encKey = randomBytes(32);
const macKey = randomBytes(32);
/** AES-256-CBC + HMAC-SHA256 over iv || ciphertext, written iv:ciphertext:mac in hex. */
function cbc(plaintext: string): string {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', encKey, iv);
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return [iv, body, createHmac('sha256', macKey).update(iv).update(body).digest()].map((b) => b.toString('hex')).join(':');
}
const common = ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--id', 'id'];

describe('keyroll reencrypt --legacy', () => {
  it('counts legacy values per kind in a dry run (no key), migrates them, refuses what no decoder knows, and never prints a key', () => {
    const dir = workdir();
    const ring = Keyring.create({ keys: [generateKey({ id: 'k1', state: 'active' })] });
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(ring.export()), { mode: 0o600 });
    const db = new Database(join(dir, 'app.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
    const originals = new Map<number, string>();
    for (let id = 1; id <= 60; id++) {
      const token = `token-${id}`;
      originals.set(id, token);
      db.prepare('INSERT INTO users VALUES (?, ?)').run(id, id <= 30 ? cloak.encryptStringSync(token, cloakKey) : cbc(token));
    }
    db.prepare('INSERT INTO users VALUES (?, ?)').run(61, 'neither an envelope nor a known layout');
    db.close();
    const env = { OLD_CLOAK: cloakKey, OLD_ENC: encKey.toString('hex'), OLD_MAC: macKey.toString('hex') };
    const layout = ['--legacy', 'layout', '--legacy-algorithm', 'aes-256-cbc-hmac-sha256', '--legacy-encoding', 'hex', '--legacy-order', 'iv,ciphertext,tag'];

    const dry = JSON.parse(ok(dir, ['reencrypt', ...common, '--dry-run', '--json', '--legacy', 'cloak', ...layout])) as { notEnvelope: number; legacy: Record<string, number> };
    expect(dry.notEnvelope).toBe(61);
    expect(dry.legacy).toEqual({ cloak: 30, 'aes-256-cbc-hmac-sha256': 30 });
    expect(ok(dir, ['reencrypt', ...common, '--dry-run', '--legacy', 'cloak'])).toMatch(/legacy cloak\s+30/);

    // Without the keys the real run is a usage error naming the flag, never a silent skip.
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--legacy', 'cloak'], 2, /--legacy-keys-env NAME is required/, { env });
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--legacy', 'rot13'], 2, /--legacy must be cloak or layout/, { env });
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--legacy-keys-env', 'OLD_CLOAK'], 2, /needs --legacy/, { env });
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--legacy', 'layout', '--legacy-key-env', 'OLD_ENC'], 2, /--legacy layout needs --legacy-algorithm/, { env });
    const badKey = fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--legacy', 'cloak', '--legacy-keys-env', 'OLD_ENC'], 2, /--legacy cloak: cloak key 1 is not of the form/, { env });
    expectNoSecrets(badKey.stderr, [encKey.toString('hex')]);

    for (const workers of ['2', '0']) {
      const args = ['reencrypt', ...common, '--keyring', 'keyring.json', '--context', 'recommended', '--workers', workers, '--json', '--legacy', 'cloak', '--legacy-keys-env', 'OLD_CLOAK', ...layout, '--legacy-key-env', 'OLD_ENC', '--legacy-mac-key-env', 'OLD_MAC'];
      const result = run(dir, args, { env });
      expect(result.status, result.stderr).toBe(1);
      const summary = JSON.parse(result.stdout) as { legacyDecoded: number; failed: number; failures: Array<{ id: string; code: string }> };
      // The first run migrates all 60; the second finds them current. Row 61 is reported both times, never passed through.
      expect(summary.legacyDecoded).toBe(workers === '2' ? 60 : 0); // decoded on worker threads
      expect(summary.failures).toEqual([{ id: '61', code: 'ERR_MALFORMED_ENVELOPE' }]);
      expectNoSecrets(result.stdout + result.stderr, [cloakKey, encKey.toString('hex'), macKey.toString('hex')]);
    }
    const check = new Database(join(dir, 'app.db'), { readonly: true });
    for (const { id, token } of check.prepare('SELECT id, token FROM users').all() as { id: number; token: string }[]) {
      if (id === 61) expect(token).toBe('neither an envelope nor a known layout');
      else expect(ring.decryptString(token, { context: { table: 'users', column: 'token', id: String(id) } })).toBe(originals.get(id));
    }
    check.close();
  });
});

describe('keyroll reencrypt --index-column', () => {
  it('rewrites the index column with each value, under the active key; bad index flags are usage errors', () => {
    const dir = workdir();
    const k1 = generateKey({ id: 'k1', state: 'active' });
    const old = Keyring.create({ keys: [k1] });
    const def = { purpose: 'users.token', bits: 64, normalize: { trim: true, caseFold: true } };
    const db = new Database(join(dir, 'app.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT, token_idx TEXT)');
    for (let id = 1; id <= 40; id++) db.prepare('INSERT INTO users VALUES (?, ?, ?)').run(id, old.encrypt(`Token-${id}`, { context: { table: 'users', column: 'token', id: String(id) } }), old.blindIndex(`Token-${id}`, def));
    db.close();
    const k2 = generateKey({ id: 'k2', state: 'active' });
    const ring = Keyring.create({ keys: [k2, k1.withState('decrypt-only')] });
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(ring.export()), { mode: 0o600 });
    const index = ['--index-column', 'token_idx', '--index-purpose', 'users.token', '--index-bits', '64', '--index-normalize', 'trim,casefold'];

    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--index-column', 'token_idx'], 2, /--index-purpose/);
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--index-purpose', 'users.token'], 2, /needs --index-column/);
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', ...index, '--index-normalize', 'upper'], 2, /unknown step "upper"/);
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', ...index, '--index-bits', '300'], 2, /bits must be an integer from 8 to 256/);
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--index-column', 'token', '--index-purpose', 'users.token'], 2, /index column must differ/);
    fails(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--index-column', 'nope', '--index-purpose', 'users.token', '--context', 'recommended'], 1, /ERR_STORE: table users has no column nope/);

    const summary = JSON.parse(ok(dir, ['reencrypt', ...common, '--keyring', 'keyring.json', '--context', 'recommended', '--json', ...index])) as { reencrypted: number };
    expect(summary.reencrypted).toBe(40);
    const fresh = Keyring.create({ keys: [k2] });
    const check = new Database(join(dir, 'app.db'), { readonly: true });
    for (const { id, token, token_idx } of check.prepare('SELECT id, token, token_idx FROM users').all() as { id: number; token: string; token_idx: string }[]) {
      expect(inspect(token).keyId).toBe('k2');
      expect(token_idx).toBe(fresh.blindIndex(` token-${id} `, def));
    }
    check.close();
  });
});
