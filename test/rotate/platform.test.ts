/**
 * `keyroll rotate` on a Kubernetes Secret manifest in the platform layout:
 * the staged flow (start -> promote -> re-encrypt and verify -> --remove),
 * the record in the keyroll/rotation annotation, refusals, and a SIGKILL
 * after every durable step (the crash CLI of test/helpers/sigkill.ts).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Keyring, inspect } from '../../src/index.js';
import { readSecret } from '../../src/cli/k8s-manifest.js';
import { parseOldKeys, platformDocument } from '../../src/sources/platform.js';
import { platformPhase, readRecord } from '../../src/cli/rotate-record.js';
import { fails, ok, workdir } from '../cli/helpers.js';
import { buildCrashCli, crashCli } from '../helpers/sigkill.js';

const ROWS = 300;
const K1 = 'K1K1K1K1K1K1K1K1K1K1K1K1K1K1K1K1';
const DATA = ['--db', 'sqlite:app.db', '--table', 'users', '--column', 'token', '--context', 'recommended', '--batch', '100'];
const FINISH = ['rotate', 'finish', '--keyring', 'secret.yaml', ...DATA];
const ctx = (id: number) => ({ table: 'users', column: 'token', id: String(id) });

beforeAll(buildCrashCli, 60_000);

/** The keyring a platform manifest holds, and its rotation record. */
function manifest(dir: string) {
  const m = readSecret(readFileSync(join(dir, 'secret.yaml'), 'utf8'));
  const ring = Keyring.fromJSON(platformDocument({
    activeId: m.fields.get('ACTIVE_ENCRYPTION_KEY_NAME')!,
    secret: m.fields.get('ENCRYPTION_KEY')!,
    old: parseOldKeys(m.fields.get('oldEncKeys.json')!, 'oldEncKeys.json'),
  }));
  return { ring, record: readRecord(m.annotations, 'secret.yaml'), fields: m.fields, annotations: m.annotations };
}

/** A Secret with k1 active (the platform layout) and ROWS rows under k1. */
function setup(): string {
  const dir = workdir();
  const env = { ENCRYPTION_KEY: K1, ACTIVE_ENCRYPTION_KEY_NAME: 'k1' };
  writeFileSync(join(dir, 'secret.yaml'), ok(dir, ['k8s-secret', '--keyring-env', '--name', 'app', '--namespace', 'prod', '--layout', 'platform'], { env }), { mode: 0o600 });
  const ring = manifest(dir).ring;
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, token TEXT)');
  const ins = db.prepare('INSERT INTO users VALUES (?, ?)');
  db.transaction(() => { for (let id = 1; id <= ROWS; id++) ins.run(id, ring.encrypt(`plain-${id}`, { context: ctx(id) })); })();
  db.close();
  return dir;
}

/** The manifest on disk decrypts every row to its plaintext; returns the rows per key id. */
function check(dir: string): Map<string, number> {
  const { ring } = manifest(dir);
  const db = new Database(join(dir, 'app.db'), { readonly: true });
  const byKey = new Map<string, number>();
  try {
    for (const { id, token } of db.prepare('SELECT id, token FROM users ORDER BY id').all() as Array<{ id: number; token: string }>) {
      expect(ring.decryptString(token, { context: ctx(id) })).toBe(`plain-${id}`);
      byKey.set(inspect(token).keyId, (byKey.get(inspect(token).keyId) ?? 0) + 1);
    }
  } finally {
    db.close();
  }
  return byKey;
}

/** Runs finish --remove until the rotation is over (at most 3 runs); returns the outputs. */
function finishAll(dir: string): string[] {
  const outs: string[] = [];
  for (let i = 0; i < 3; i++) {
    outs.push(ok(dir, [...FINISH, '--remove']));
    if (/rotation finished|nothing to finish/.test(outs.at(-1)!)) return outs;
  }
  throw new Error(`finish did not complete: ${outs.join('\n---\n')}`);
}

function expectFinished(dir: string): void {
  expect(check(dir)).toEqual(new Map([['k2', ROWS]]));
  const { ring, record, fields } = manifest(dir);
  expect(ring.keys().map((k) => [k.id, k.state])).toEqual([['k2', 'active']]);
  expect(fields.get('oldEncKeys.json')).toBe('{}');
  expect(record).toMatchObject({ new: 'k2', old: 'k1' });
  expect(record!.removedAt).toBeDefined();
  expect(readdirSync(dir).filter((f) => f.includes('checkpoint'))).toEqual([]);
}

describe('keyroll rotate on a platform-layout Secret', () => {
  it('stages the new key in oldEncKeys.json, refuses finish before the planned time, then promotes, re-encrypts and removes', () => {
    const dir = setup();
    const started = ok(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.yaml', '--activate-in', '1h']);
    expect(started).toMatch(/added key "k2" to oldEncKeys.json .* at the earliest\)/);
    let m = manifest(dir);
    expect(m.ring.activeKeyId).toBe('k1');
    expect(m.ring.get('k2')!.state).toBe('decrypt-only');
    expect(m.record).toMatchObject({ new: 'k2', old: 'k1' });
    // The record is an annotation: never a field of the Secret, never a secret.
    expect([...m.fields.keys()].sort()).toEqual(['ACTIVE_ENCRYPTION_KEY_NAME', 'ENCRYPTION_KEY', 'oldEncKeys.json']);
    expect(m.annotations!.get('keyroll/rotation')).not.toContain(m.fields.get('ENCRYPTION_KEY'));
    expect(readFileSync(join(dir, 'secret.yaml'), 'utf8')).toMatch(/^ {2}namespace: prod$/m);
    expect(ok(dir, ['rotate', 'status', '--keyring', 'secret.yaml'])).toMatch(/phase: pending: "k2" waits in oldEncKeys.json .*\nnext: apply the Secret .* fingerprint fp1\.[0-9a-f]{16}/);
    fails(dir, FINISH, 1, /ERR_INVALID_KEYRING: key "k2" is planned to activate at .*\(in (59m|1h)/);
    fails(dir, ['rotate', 'start', 'k3', '--keyring', 'secret.yaml', '--activate-in', '1h'], 2, /a rotation from "k1" to "k2" is in progress/);

    // Move the plan into the past, as if the hour had gone by.
    const text = readFileSync(join(dir, 'secret.yaml'), 'utf8').replace(/"activatesAt":"[^"]+"/, '"activatesAt":"2026-01-01T00:00:00.000Z"');
    writeFileSync(join(dir, 'secret.yaml'), text, { mode: 0o600 });
    expect(ok(dir, ['rotate', 'status', '--keyring', 'secret.yaml'])).toMatch(/phase: promote: /);
    const promoted = ok(dir, FINISH);
    expect(promoted).toMatch(/promoted "k2" to ENCRYPTION_KEY .*"k1" moved to oldEncKeys.json\nnext: apply it .* not at a time\.\n {2}once every instance reports fingerprint (fp1\.[0-9a-f]{16}): keyroll rotate finish/);
    m = manifest(dir);
    expect(promoted).toContain(m.ring.fingerprint());
    expect([m.ring.activeKeyId, m.ring.get('k1')!.state]).toEqual(['k2', 'decrypt-only']);
    expect(check(dir)).toEqual(new Map([['k1', ROWS]])); // nothing re-encrypted before the Secret is applied

    const verified = ok(dir, FINISH);
    expect(verified).toMatch(/re-encrypted 300.*\nverified: no stored value names "k1"\n"k1" stays in oldEncKeys.json .* no disabled state/);
    expect(manifest(dir).record!.verifiedAt).toBeDefined();
    expect(JSON.parse(ok(dir, ['rotate', 'status', '--keyring', 'secret.yaml', ...DATA.slice(0, 6), '--json']))).toMatchObject({ name: 'retired', remaining: 0, counts: { k2: ROWS } });
    expect(ok(dir, [...FINISH, '--remove'])).toMatch(/removed "k1" from oldEncKeys.json .*\nrotation finished: "k2" is the only key in use/);
    expectFinished(dir);
    expect(ok(dir, [...FINISH, '--remove'])).toMatch(/nothing to finish: no rotation in progress .*the last rotation removed "k1"/);
    expect(ok(dir, ['rotate', 'status', '--keyring', 'secret.yaml'])).toMatch(/phase: idle: "k2" is ENCRYPTION_KEY/);
  }, 30_000);

  it('a JSON manifest stays JSON, keeps its other annotations and drops kubectl\'s last-applied copy', () => {
    const dir = setup();
    const yaml = readSecret(readFileSync(join(dir, 'secret.yaml'), 'utf8'));
    const data = Object.fromEntries([...yaml.fields].map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const annotations = { team: 'payments', 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data }) };
    writeFileSync(join(dir, 'secret.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app', annotations }, data }), { mode: 0o600 });
    ok(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.json', '--activate-in', '0', '--force']);
    const written = JSON.parse(readFileSync(join(dir, 'secret.json'), 'utf8')) as { metadata: { annotations: Record<string, string> } };
    expect(Object.keys(written.metadata.annotations)).toEqual(['team', 'keyroll/rotation']);
    expect(ok(dir, ['rotate', 'status', '--keyring', 'secret.json'])).toMatch(/phase: promote/);
  });

  it('postpone moves the planned time in the record (not the keys), only for the staged key and before finish promotes it', () => {
    const dir = setup();
    fails(dir, ['postpone', 'k2', '--keyring', 'secret.yaml', '--by', '30m'], 2, /key "k2" is not waiting to be promoted/);
    ok(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.yaml', '--activate-in', '1h']);
    const before = manifest(dir);
    const planned = Date.parse(before.record!.activatesAt);
    expect(ok(dir, ['postpone', 'k2', '--keyring', 'secret.yaml', '--by', '30m'])).toMatch(/finish will promote key "k2" at .* at the earliest \(was /);
    const after = manifest(dir);
    expect(Date.parse(after.record!.activatesAt) - planned).toBe(30 * 60_000);
    expect(after.fields).toEqual(before.fields);
    expect(after.ring.fingerprint()).toBe(before.ring.fingerprint());
    fails(dir, ['postpone', 'k1', '--keyring', 'secret.yaml', '--by', '30m'], 2, /key "k1" is not waiting to be promoted .*the staged key is "k2"/);
    fails(dir, ['postpone', 'k2', '--keyring', 'secret.yaml', '--to', '2026-01-01T00:00:00Z'], 2, /./);
    expect(manifest(dir).record!.activatesAt).toBe(after.record!.activatesAt);
    const to = new Date(Date.now() + 3 * 3600_000).toISOString();
    ok(dir, ['postpone', 'k2', '--keyring', 'secret.yaml', '--to', to]);
    expect(manifest(dir).record!.activatesAt).toBe(to);
    fails(dir, FINISH, 1, /ERR_INVALID_KEYRING: key "k2" is planned to activate at .*\(in (2h 59m|3h)/);
    // Once promoted, the plan is history: postpone refuses.
    ok(dir, ['postpone', 'k2', '--keyring', 'secret.yaml', '--to', new Date(Date.now() + 1000).toISOString(), '--force']);
    const text = readFileSync(join(dir, 'secret.yaml'), 'utf8').replace(/"activatesAt":"[^"]+"/, '"activatesAt":"2026-01-01T00:00:00.000Z"');
    writeFileSync(join(dir, 'secret.yaml'), text, { mode: 0o600 });
    ok(dir, FINISH);
    fails(dir, ['postpone', 'k2', '--keyring', 'secret.yaml', '--by', '30m'], 2, /not waiting to be promoted/);
  }, 30_000);

  it('refuses a mounted directory for start and finish, and a record the Secret contradicts', () => {
    const dir = setup();
    const mounted = join(dir, 'mounted');
    ok(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.yaml', '--activate-in', '0', '--force']);
    const { fields } = manifest(dir);
    mkdirSync(mounted);
    for (const [k, v] of fields) writeFileSync(join(mounted, k), v, { mode: 0o600 });
    fails(dir, ['rotate', 'start', 'k3', '--keyring', 'mounted', '--activate-in', '1h'], 2, /mounted directory .* run rotate start on the Secret's manifest instead/);
    fails(dir, ['rotate', 'finish', '--keyring', 'mounted', '--force'], 2, /mounted directory/);
    // status reads the keys and says where the record is; the fingerprint is the manifest's.
    const status = ok(dir, ['rotate', 'status', '--keyring', 'mounted']);
    expect(status).toContain(`fingerprint ${manifest(dir).ring.fingerprint()}`);
    expect(status).toMatch(/k2 +oldEncKeys.json\nphase: unknown here: the rotation is recorded in the Secret's manifest/);
    const ring = manifest(dir).ring;
    expect(() => platformPhase(ring.remove('k2'), { new: 'k2', old: 'k1', activatesAt: '2026-01-01T00:00:00Z' }, new Date())).toThrow(/does not match its rotation record .* "k2" is missing/);
    expect(() => readRecord(new Map([['keyroll/rotation', '{"new":"k2","old":"k2","activatesAt":"2026-01-01T00:00:00Z"}']]), 'm')).toThrow(/same key as new and old/);
    expect(() => readRecord(new Map([['keyroll/rotation', '{"new":"k2","old":"k1","activatesAt":"tomorrow"}']]), 'm')).toThrow(/not an RFC 3339 time/);
  });
});

describe('keyroll rotate on a platform-layout Secret survives SIGKILL at every step', () => {
  it('start: killed after writing; the rerun finds the staged key and changes nothing', () => {
    const dir = setup();
    const r = crashCli(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.yaml', '--activate-in', '1h'], 'start:1');
    expect(r.signal).toBe('SIGKILL');
    const written = readFileSync(join(dir, 'secret.yaml'), 'utf8');
    expect(manifest(dir).record).toMatchObject({ new: 'k2', old: 'k1' });
    expect(ok(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.yaml', '--activate-in', '1h'])).toMatch(/key "k2" is already staged .* nothing changed/);
    expect(readFileSync(join(dir, 'secret.yaml'), 'utf8')).toBe(written);
    expect(check(dir)).toEqual(new Map([['k1', ROWS]]));
  });

  for (const point of ['activate:1', 'batch:1', 'batch:2', 'reencrypt:1', 'verify:1', 'remove:1']) {
    it(`finish: killed at ${point}; every row still decrypts, and reruns complete`, () => {
      const dir = setup();
      ok(dir, ['rotate', 'start', 'k2', '--keyring', 'secret.yaml', '--activate-in', '0', '--force']);
      if (point !== 'activate:1') ok(dir, FINISH); // promote
      const r = crashCli(dir, [...FINISH, '--remove'], point);
      expect(r.signal, r.stderr + r.stdout).toBe('SIGKILL');
      expect([...check(dir).values()].reduce((a, b) => a + b, 0)).toBe(ROWS);
      const outs = finishAll(dir);
      if (point === 'batch:2') expect(outs[0]).toMatch(/resumed from checkpoint/);
      if (point === 'remove:1') expect(outs).toEqual([expect.stringMatching(/nothing to finish/)]);
      expectFinished(dir);
    }, 30_000);
  }
});
