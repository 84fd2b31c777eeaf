import { describe, expect, it } from 'vitest';
import { Key, Keyring, generateKey } from '../../src/index.js';

const SECRET = 'material-test-secret-0123456789ab';

describe('a key has no way out for its secret but export()', () => {
  const ring = Keyring.create({ keys: [{ id: 'k1', secret: SECRET }] });
  const key = ring.get('k1')!;

  it('no method or property of a Key reaches the material', () => {
    const names = [...Object.getOwnPropertyNames(Key.prototype), ...Object.getOwnPropertySymbols(Key.prototype).map(String)];
    expect(names).not.toContain('material');
    expect((key as unknown as { material?: unknown }).material).toBeUndefined();
    expect(Object.getOwnPropertyNames(key).sort()).toEqual(['activatesAt', 'createdAt', 'id', 'state']);
    for (const candidate of [key, generateKey({ id: 'g' })]) {
      for (const name of Object.getOwnPropertyNames(Key.prototype)) {
        if (name === 'constructor') continue;
        const member = (candidate as unknown as Record<string, unknown>)[name];
        const value = typeof member === 'function' ? (member as () => unknown).call(candidate) : member;
        expect(JSON.stringify(value) ?? '').not.toContain(SECRET);
        expect(String(value)).not.toContain(SECRET);
      }
    }
  });

  it('export() is the way out', () => {
    expect(ring.export().keys[0]!.secret).toBe(SECRET);
  });
});
