import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { KeyrollError, type KeyrollErrorCode } from '../../src/index.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp directory, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyroll-sources-'));
  made.push(dir);
  return dir;
}

/** Every spelling of a secret that must never show in output. */
export function spellings(secret: string | Uint8Array): string[] {
  const b = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const out = [b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url'), b.toString('latin1')];
  if (typeof secret === 'string') out.push(secret);
  return out.filter((s) => s.length >= 8);
}

/** Runs `fn`, expects a KeyrollError with `code`, and returns it. */
export async function expectKeyrollError(fn: () => unknown, code: KeyrollErrorCode): Promise<KeyrollError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(KeyrollError);
  expect((caught as KeyrollError).code).toBe(code);
  return caught as KeyrollError;
}

/** Asserts none of the secrets shows in the error's message, stack or cause chain. */
export function expectNoSecretIn(err: unknown, secrets: ReadonlyArray<string | Uint8Array>): void {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(e));
    e = (e as { cause?: unknown }).cause;
  }
  const text = parts.join('\n');
  for (const s of secrets) for (const spelling of spellings(s)) expect(text).not.toContain(spelling);
}
