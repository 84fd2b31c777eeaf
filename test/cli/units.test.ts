import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextFromPairs, parsePair } from '../../src/cli/context.js';
import { readSecret, renderSecret } from '../../src/cli/k8s-manifest.js';
import { parseYaml, type YamlMap } from '../../src/cli/yaml-lite.js';
import { KeyrollError } from '../../src/index.js';

describe('context pairs', () => {
  it('splits at the first =, builds a null-prototype record where __proto__ is an ordinary key', () => {
    expect(parsePair('a=b=c')).toEqual(['a', 'b=c']);
    expect(parsePair('a=')).toEqual(['a', '']);
    const ctx = contextFromPairs(['__proto__=x', 'constructor=y'])!;
    expect(Object.keys(ctx)).toEqual(['__proto__', 'constructor']);
    expect(ctx['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(ctx)).toBeNull();
    expect(contextFromPairs([])).toBeUndefined();
  });

  it('property: any key without = and any value survive parsing', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((k) => !k.includes('=')), fc.string(), (key, value) => {
        expect(parsePair(`${key}=${value}`)).toEqual([key, value]);
      }),
    );
  });
});

describe('the YAML subset reader', () => {
  it('reads plain, quoted and block scalars, comments and nested maps, and skips sequences', () => {
    const doc = parseYaml(
      [
        '---',
        'apiVersion: v1 # trailing comment',
        'kind: "Secret"',
        'metadata:',
        '  name: app',
        '  annotations:',
        "    note: 'it''s # not a comment'",
        '  finalizers:',
        '  - a',
        '  - b',
        'data:',
        '  A: QUJD',
        '  "quoted.key": "x\\ny"',
        'stringData:',
        '  literal: |',
        '    line 1',
        '',
        '    line 3',
        '  stripped: |-',
        '    kept',
        '  folded: >',
        '    one',
        '    two',
        '  empty: {}',
      ].join('\n'),
    );
    expect(doc.get('kind')).toBe('Secret');
    const meta = doc.get('metadata') as YamlMap;
    expect((meta.get('annotations') as YamlMap).get('note')).toBe("it's # not a comment");
    expect(meta.get('finalizers')).toEqual({ opaque: true });
    const data = doc.get('data') as YamlMap;
    expect(data.get('quoted.key')).toBe('x\ny');
    const sd = doc.get('stringData') as YamlMap;
    expect(sd.get('literal')).toBe('line 1\n\nline 3\n');
    expect(sd.get('stripped')).toBe('kept');
    expect(sd.get('folded')).toBe('one two\n');
  });

  it('refuses what it does not read, naming the line but never its content', () => {
    for (const [text, why] of [
      ['a: 1\n\tb: 2', /tabs/],
      ['a: 1\na: 2', /appears twice/],
      ['a:\n  b: 1\n c: 2', /indentation/],
      ['a: "unterminated', /must end on its line/],
      ['a: 1\n---\nb: 2', /only one YAML document/],
      ['', /empty/],
      ['key: |2\n  x', /block scalar/],
    ] as const) {
      let caught: unknown;
      try {
        parseYaml(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KeyrollError);
      expect((caught as Error).message).toMatch(why);
    }
    let err: unknown;
    try {
      parseYaml('data:\n  ENCRYPTION_KEY: "SECRETSECRET\\q"');
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/line 2/);
    expect((err as Error).message).not.toContain('SECRETSECRET');
  });

  it('property: rendered manifests read back to the same fields', () => {
    const field = fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(field, fc.string()), { selector: (t) => t[0], maxLength: 6 }), (entries) => {
        const fields = new Map(entries);
        const back = readSecret(renderSecret({ name: 'app-keys', namespace: 'ns', fields }));
        expect(back.name).toBe('app-keys');
        expect(back.namespace).toBe('ns');
        expect(back.fields).toEqual(fields);
      }),
    );
  });

  it('reads what `kubectl get secret -o yaml` prints (managedFields, annotations with JSON, quoted timestamps)', () => {
    const b64 = (v: string): string => Buffer.from(v).toString('base64');
    const text = [
      'apiVersion: v1',
      'data:',
      `  ACTIVE_ENCRYPTION_KEY_NAME: ${b64('mykey')}`,
      `  ENCRYPTION_KEY: ${b64('ASDFGHJKL1234567')}`,
      `  oldEncKeys.json: ${b64('{}')}`,
      'kind: Secret',
      'metadata:',
      '  annotations:',
      '    kubectl.kubernetes.io/last-applied-configuration: |',
      '      {"apiVersion":"v1","data":{"ENCRYPTION_KEY":"x"},"kind":"Secret"}',
      '  creationTimestamp: "2026-11-22T03:00:00Z"',
      '  managedFields:',
      '  - apiVersion: v1',
      '    fieldsType: FieldsV1',
      '    fieldsV1:',
      '      f:data:',
      '        .: {}',
      '    manager: kubectl-client-side-apply',
      '  name: app-keys',
      '  namespace: prod',
      '  resourceVersion: "12345"',
      '  uid: 0b9f1c2e-1111-2222-3333-444455556666',
      'type: Opaque',
      '',
    ].join('\n');
    const secret = readSecret(text);
    expect(secret.name).toBe('app-keys');
    expect(secret.namespace).toBe('prod');
    expect(Object.fromEntries(secret.fields)).toEqual({ ACTIVE_ENCRYPTION_KEY_NAME: 'mykey', ENCRYPTION_KEY: 'ASDFGHJKL1234567', 'oldEncKeys.json': '{}' });
  });

  it('refuses a data value that is not base64 and a field in data and stringData that disagree', () => {
    expect(() => readSecret('data:\n  A: not*base64')).toThrow(/data.A is not valid base64/);
    expect(() => readSecret('data:\n  A: QQ==\nstringData:\n  A: B')).toThrow(/both data and stringData/);
    expect(() => readSecret('kind: ConfigMap\ndata:\n  A: QQ==')).toThrow(/kind is not Secret/);
  });
});

describe('printed next commands', () => {
  it('never put a database URL with credentials back on a command line: --db-env instead', async () => {
    const { dataFlags } = await import('../../src/cli/data-args.js');
    const targets = [{ table: 'users', column: 'token', id: 'id' }];
    const withPassword = dataFlags({ url: 'postgres://app:S3cretPassw0rd@db:5432/app', targets }, {});
    expect(withPassword).toBe('--db-env DATABASE_URL --table users --column token');
    expect(withPassword).not.toContain('S3cretPassw0rd');
    expect(dataFlags({ url: 'postgres://app:x@db/app', targets }, { 'db-env': 'APP_DB' })).toBe('--db-env APP_DB --table users --column token');
    expect(dataFlags({ url: 'sqlite:app.db', targets }, {})).toBe('--db sqlite:app.db --table users --column token');
  });
});
