/**
 * The batch job takes a parsed template's canonical context bytes straight
 * from the template: they must be exactly canonicalContext of the record the
 * template builds, for any names, literals and column values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalContext } from '../../src/envelope/context.js';
import { KeyrollError } from '../../src/errors.js';
import { parseContextTemplate, rowCanonicalContext } from '../../src/rotation/context-template.js';
import type { Row } from '../../src/rotation/store.js';

const name = fc.stringMatching(/^[A-Za-zé€_-][A-Za-zé€_0-9 -]{0,6}[A-Za-zé€_0-9-]$|^[A-Za-z]$/);
const part = fc.oneof(fc.stringMatching(/^(?:[a-z0-9 é€.]|🙂){1,5}$/).map((literal) => ({ literal })), fc.constantFrom('id', 'email', 'n').map((column) => ({ column })));
const template = fc.uniqueArray(fc.tuple(name, fc.array(part, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 5, selector: ([n]) => n });
const row = fc.record({ id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), email: fc.string({ maxLength: 10 }), n: fc.double({ noNaN: true }) });

const text = (entries: Array<[string, Array<{ literal: string } | { column: string }>]>): string =>
  entries.map(([n, parts]) => `${n}=${parts.map((p) => ('literal' in p ? p.literal : `{${p.column}}`)).join('')}`).join(',');
const asRow = (r: { id: unknown; email: string; n: number }): Row => ({ id: r.id as Row['id'], value: 'x', fields: new Map<string, unknown>(Object.entries(r)) });

describe('canonical contexts from a template', () => {
  it('are canonicalContext of the record the template builds', () => {
    fc.assert(
      fc.property(template, row, (entries, r) => {
        const { build } = parseContextTemplate(text(entries));
        const fast = rowCanonicalContext(build)(asRow(r));
        expect(fast).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(fast as Uint8Array).equals(Buffer.from(canonicalContext(build(asRow(r)))))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('return the refusal of a column value that is not well-formed Unicode (the row fails), as canonicalContext refuses it', () => {
    const { build } = parseContextTemplate('table=users,who={email}');
    const bad = asRow({ id: 1, email: 'a\ud800b', n: 0 });
    const refused = rowCanonicalContext(build)(bad);
    expect(refused).toBeInstanceOf(KeyrollError);
    expect(refused).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    // A function's context that builds but is refused comes back the same way.
    expect(rowCanonicalContext(() => ({ id: 5 }) as never)(bad)).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => canonicalContext(build(bad))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('throw when the template needs a column the row lacks (the job stops)', () => {
    const { build } = parseContextTemplate('who={missing}');
    expect(() => rowCanonicalContext(build)(asRow({ id: 1, email: '', n: 0 }))).toThrow(/needs column "missing"/);
  });

  it('functions and no context take the general path', () => {
    const fn = (r: Row) => ({ id: String(r.id), z: 'é' });
    const r = asRow({ id: 7, email: '', n: 0 });
    expect(Buffer.from(rowCanonicalContext(fn)(r) as Uint8Array).equals(Buffer.from(canonicalContext(fn(r))))).toBe(true);
    expect(rowCanonicalContext(undefined)(r)).toEqual(new Uint8Array(0));
    // A function that throws while building stops the job: the error is thrown, not returned.
    expect(() => rowCanonicalContext(() => { throw new RangeError('config'); })(r)).toThrow(RangeError);
  });
});
