/**
 * `keyroll list` after a pending key's activation time has passed: the list
 * shows the states now (the pending key active, the old one decrypt-only) and
 * says, under the table and in --json, that the file still records the states
 * it was written with.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, generateKey } from '../../src/index.js';
import { ok, snapshot, workdir } from './helpers.js';

/** A keyring file written while k2 was pending; its activation time is now in the past. */
function activatedFile(dir: string): string {
  const activatesAt = '2021-01-01T00:00:00.000Z';
  const then = new Date('2020-06-01T00:00:00Z');
  const ring = Keyring.create({ keys: [generateKey({ id: 'k1' })], clock: () => then }).add(generateKey({ id: 'k2' }), { activatesAt });
  const path = join(dir, 'keyring.json');
  writeFileSync(path, JSON.stringify(ring.export()));
  const states = (JSON.parse(readFileSync(path, 'utf8')) as { keys: Array<{ id: string; state: string }> }).keys.map((k) => [k.id, k.state]);
  expect(states).toEqual([['k1', 'active'], ['k2', 'pending']]);
  return path;
}

describe('keyroll list after a pending key activates', () => {
  it('shows the states now and explains that the file still records the old ones', () => {
    const dir = workdir();
    activatedFile(dir);
    const before = snapshot(dir);
    const out = ok(dir, ['list', '--keyring', 'keyring.json']);
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^k1 +decrypt-only +\S+$/);
    expect(lines[2]).toMatch(/^k2 +active +\S+ +2021-01-01T00:00:00\.000Z$/);
    expect(out).toMatch(/The file still records k1 as active and k2 as pending: k2's activation time has passed, so it is active now/);
    expect(out).toMatch(/The next command that writes the file records the new states/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('--json gives each such key its fileState', () => {
    const dir = workdir();
    activatedFile(dir);
    const json = JSON.parse(ok(dir, ['list', '--keyring', 'keyring.json', '--json'])) as { activeKeyId: string; keys: Array<Record<string, string>> };
    expect(json.activeKeyId).toBe('k2');
    expect(json.keys.map((k) => [k['id'], k['state'], k['fileState']])).toEqual([['k1', 'decrypt-only', 'active'], ['k2', 'active', 'pending']]);
    expect(json.keys[1]!['activatesAt']).toBe('2021-01-01T00:00:00.000Z');
  });

  it('a file that agrees with now prints no note and no fileState', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'keyring.json'), JSON.stringify(Keyring.create({ keys: [generateKey({ id: 'k1' })] }).export()));
    expect(ok(dir, ['list', '--keyring', 'keyring.json'])).not.toMatch(/still records/);
    expect(ok(dir, ['list', '--keyring', 'keyring.json', '--json'])).not.toMatch(/fileState/);
  });
});
