/**
 * What the guides tell people to type: no secret on a command line (a
 * database URL goes through --db-env, a token to verify through stdin), SQL
 * `LIKE` examples that escape `_`, and a leaked-key playbook that destroys
 * the backups the CLI keeps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Files under `dir` (relative to the repository) whose names end with one of `ends`, skipping node_modules. */
function filesUnder(dir: string, ends: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'api') out.push(...filesUnder(path, ends));
    else if (entry.isFile() && ends.some((e) => entry.name.endsWith(e))) out.push(path);
  }
  return out;
}

const guides = ['README.md', ...filesUnder('docs', ['.md']), ...filesUnder('examples', ['.md', '.yaml', '.yml'])];
/** Every line of every guide and of every TSDoc comment in src/ (the API reference is made from them). */
const lines = [...guides, ...filesUnder('src', ['.ts'])].flatMap((file) =>
  read(file)
    .split('\n')
    .map((text, i) => ({ where: `${file}:${i + 1}`, text }))
    .filter(({ where, text }) => !where.startsWith('src/') || /^\s*(\*|\/\*\*)/.test(text)),
);

describe('guides put no secret on a command line', () => {
  it('no `keyroll ... --db` with a URL holding a password or an expanded variable', () => {
    const offending = lines.filter(({ text }) => /--db[ =]+["']?(?:\$|[a-z]+:\/\/[^\s/@]*:[^\s/@]*@)/.test(text));
    expect(offending).toEqual([]);
  });

  it('the Kubernetes example reads the database URL with --db-env', () => {
    const job = read('examples/kubernetes/reencrypt-job.yaml');
    expect(job).toMatch(/--db-env DATABASE_URL/);
    expect(job).not.toMatch(/--db\s/);
    expect(read('examples/kubernetes/README.md')).toMatch(/keyroll reencrypt --db-env DATABASE_URL/);
  });

  it('a token to verify comes from stdin, never as an argument', () => {
    const verify = lines.filter(({ text }) => /keyroll token verify/.test(text));
    expect(verify.length).toBeGreaterThan(0);
    const offending = verify.filter(({ text }) => /token verify.*(?:\$\{?TOKEN|v4\.local\.)/.test(text));
    expect(offending).toEqual([]);
    expect(read('docs/tokens.md')).toMatch(/printf %s "\$TOKEN" \| keyroll token verify/);
  });
});

describe('guides count values per key with an escaped LIKE', () => {
  it("every `LIKE 'kr1.` example escapes `_` with ESCAPE '!'", () => {
    const like = lines.filter(({ text }) => /LIKE\s+'kr\d/.test(text));
    expect(like.length).toBeGreaterThan(0);
    expect(like.filter(({ text }) => !/ESCAPE '!'/.test(text))).toEqual([]);
  });
});

describe('the leaked-key playbook', () => {
  it('destroys the backups and the temp files a crash can leave, backup temps included', () => {
    const rotation = read('docs/rotation.md');
    const start = rotation.indexOf('### (e) A leaked key');
    expect(start).toBeGreaterThan(-1);
    const playbook = rotation.slice(start, rotation.indexOf('\n## ', start));
    expect(playbook).toMatch(/shred -u [^\n]*keyring\.sealed\.bak/);
    // A crash leaves `.<file>.<random>.tmp` and, while the backup is written, `.<file>.<random>.tmp.bak`.
    expect(playbook).toMatch(/-name '\.keyring\.sealed\.\*\.tmp\*'/);
  });
});
