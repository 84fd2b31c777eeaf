/**
 * Help for every command, both ways: `keyroll <command> --help` and
 * `keyroll help <command>` print the same text; a group of commands
 * (`keyroll token`) lists its members.
 */
import { describe, expect, it } from 'vitest';
import { fails, ok, run, workdir } from './helpers.js';

describe('keyroll help', () => {
  it('`keyroll help` alone prints the general help, exit 0', () => {
    const dir = workdir();
    expect(ok(dir, ['help'])).toBe(ok(dir, ['--help']));
  });

  it('`keyroll help <command>` prints that command\'s --help, for every listed command', () => {
    const dir = workdir();
    const names = [...ok(dir, ['--help']).matchAll(/^ {2}(\S+(?: (?!\s)\S+)?) {2,}/gm)].map((m) => m[1]!);
    expect(names).toContain('token issue');
    expect(names).toContain('keygen');
    for (const name of names) {
      const own = ok(dir, [...name.split(' '), '--help']);
      expect(own.startsWith(`Usage: keyroll ${name}`), name).toBe(true);
      expect(ok(dir, ['help', ...name.split(' ')]), name).toBe(own);
    }
  });

  it('`keyroll token --help` and `keyroll help token` list the token commands', () => {
    const dir = workdir();
    const text = ok(dir, ['token', '--help']);
    expect(text.startsWith('Usage: keyroll token <command>')).toBe(true);
    expect(text).toMatch(/^ {2}token issue {2,}\S/m);
    expect(text).toMatch(/^ {2}token verify {2,}\S/m);
    expect(ok(dir, ['token', '-h'])).toBe(text);
    expect(ok(dir, ['help', 'token'])).toBe(text);
  });

  it('`keyroll token` with no command prints the list with exit 2, like `keyroll` alone', () => {
    const r = run(workdir(), ['token']);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/token issue/);
  });

  it('`--min-version` is explained as the envelope format version, with `disable` as the minimum key version', () => {
    const help = ok(workdir(), ['init', '--help']).replace(/\s+/g, ' ');
    expect(help).toMatch(/--min-version N policy\.minVersion: the lowest envelope FORMAT version that decrypts \(the 1 of kr1\.; today the only one\)\. Not a key version: to stop accepting an old key, `keyroll disable` it/);
  });

  it('an unknown command or subcommand is exit 2 and says where the list is', () => {
    const dir = workdir();
    fails(dir, ['help', 'rotate-everything'], 2, /unknown command "rotate-everything"; run `keyroll --help`/);
    fails(dir, ['token', 'mint'], 2, /unknown command "token mint"; run `keyroll token --help`/);
    fails(dir, ['help', 'token', 'mint'], 2, /unknown command "token mint"/);
  });
});
