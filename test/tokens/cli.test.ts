/**
 * `keyroll token issue` / `keyroll token verify` on the built CLI (npm test builds it first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir = '';

function keyroll(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, env: { PATH: process.env['PATH'] ?? '' }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function writeKeyring(name: string, keys: Array<{ id: string; state: string; secret: string }>): string {
  const doc = { format: 'keyroll.keyring', version: 1, keys: keys.map((k) => ({ ...k, encoding: 'utf8' })) };
  writeFileSync(join(dir, name), JSON.stringify(doc), { mode: 0o600 });
  return name;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` (npm test builds it)`);
  dir = mkdtempSync(join(tmpdir(), 'keyroll-token-cli-'));
  writeKeyring('before.json', [{ id: 'p1', state: 'active', secret: 'first-primary-secret-value' }]);
  writeKeyring('during.json', [
    { id: 'p1', state: 'decrypt-only', secret: 'first-primary-secret-value' },
    { id: 'p2', state: 'active', secret: 'second-primary-secret-value' },
  ]);
  writeKeyring('after.json', [{ id: 'p2', state: 'active', secret: 'second-primary-secret-value' }]);
});

describe('keyroll token issue / verify', () => {
  it('issues with the active key and verifies, printing the claims as JSON', () => {
    const issued = keyroll(['token', 'issue', '--keyring', 'before.json', '--ttl', '1h', '--claim', 'k=v', '--claim', 'note=a=b', '--aud', 'A']);
    expect(issued.stderr).toBe('');
    expect(issued.status).toBe(0);
    const token = issued.stdout.trim();
    expect(token).toMatch(/^v4\.local\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const verified = keyroll(['token', 'verify', '--keyring', 'during.json', '--aud', 'A', token]);
    expect(verified.status).toBe(0);
    const claims = JSON.parse(verified.stdout) as Record<string, unknown>;
    expect(claims).toMatchObject({ k: 'v', note: 'a=b', aud: 'A' });
    expect(Date.parse(String(claims['exp'])) - Date.parse(String(claims['iat']))).toBe(3_600_000);
    // From stdin too.
    expect(JSON.parse(keyroll(['token', 'verify', '--keyring', 'before.json', '--aud', 'A', '-'], `${token}\n`).stdout)).toMatchObject({ k: 'v' });
    // With no TOKEN argument at all, so the token never shows in the process list.
    expect(JSON.parse(keyroll(['token', 'verify', '--keyring', 'before.json', '--aud', 'A'], `${token}\n`).stdout)).toMatchObject({ k: 'v' });
  });

  it('exits 1 with the code and reason when the token is invalid, expired, mismatched or from a cleared key', () => {
    const token = keyroll(['token', 'issue', '--keyring', 'before.json', '--ttl', '1h', '--aud', 'A', '--ip', '203.0.113.0/24']).stdout.trim();
    const cases: Array<[string[], RegExp]> = [
      [['--keyring', 'before.json', '--aud', 'A', '--ip', '198.51.100.1', token], /ERR_TOKEN_CLAIM_MISMATCH: .*restrict\.ip/],
      [['--keyring', 'before.json', '--aud', 'B', '--ip', '203.0.113.1', token], /ERR_TOKEN_CLAIM_MISMATCH: .*aud/],
      [['--keyring', 'before.json', '--aud', 'A', '--ip', '203.0.113.1', '--now', '2999-01-01T00:00:00Z', token], /ERR_TOKEN_EXPIRED/],
      [['--keyring', 'after.json', '--aud', 'A', '--ip', '203.0.113.1', token], /ERR_UNKNOWN_KEY: .*"p1"/],
      // One character changed (never to itself: a token with an x there would stay valid).
      [['--keyring', 'before.json', '--aud', 'A', `${token.slice(0, 30)}${token[30] === 'x' ? 'y' : 'x'}${token.slice(31)}`], /ERR_TOKEN_INVALID/],
      [['--keyring', 'before.json', 'v3.local.AAAA'], /ERR_TOKEN_UNSUPPORTED/],
    ];
    for (const [args, reason] of cases) {
      const r = keyroll(['token', 'verify', ...args]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(reason);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(keyroll(['token', 'verify', '--keyring', 'before.json', '--aud', 'A', '--ip', '203.0.113.9', token]).status).toBe(0);
  });

  it('writes restrictions and times from options', () => {
    const token = keyroll(['token', 'issue', '--keyring', 'during.json', '--ttl', '2h', '--nbf', '1m', '--sub', 'u1', '--iss', 'me', '--country', 'de', '--path', '/v/', '--referrer', 'example.com', '--protocol', 'https', '--implicit', 'row:1']).stdout.trim();
    const args = ['token', 'verify', '--keyring', 'during.json', '--sub', 'u1', '--iss', 'me', '--country', 'DE', '--path', '/v/x', '--referrer', 'https://example.com/', '--protocol', 'https', '--implicit', 'row:1'];
    expect(keyroll([...args, token]).stderr).toMatch(/ERR_TOKEN_NOT_YET_VALID/);
    const ok = keyroll([...args, '--skew', '2m', token]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ sub: 'u1', iss: 'me', restrict: { country: ['DE'], path: '/v/', referrer: ['example.com'], protocol: ['https'] } });
    expect(keyroll([...args.slice(0, -2), '--skew', '2m', token]).stderr).toMatch(/ERR_TOKEN_INVALID/);
  });

  it('runs the rotation playbook of docs/tokens.md with keyroll commands', () => {
    const step = (args: string[]) => {
      const r = keyroll(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout.trim();
    };
    step(['init', '--keyring', 'playbook.json', '--id', 'p1']);
    const old = step(['token', 'issue', '--keyring', 'playbook.json', '--ttl', '1h', '--aud', 'cdn']);
    step(['add', 'p2', '--keyring', 'playbook.json', '--generate']);
    step(['promote', 'p2', '--keyring', 'playbook.json']);
    const fresh = step(['token', 'issue', '--keyring', 'playbook.json', '--ttl', '1h', '--aud', 'cdn']);
    // Primary and backup both verify.
    step(['token', 'verify', '--keyring', 'playbook.json', '--aud', 'cdn', old]);
    step(['token', 'verify', '--keyring', 'playbook.json', '--aud', 'cdn', fresh]);
    step(['disable', 'p1', '--keyring', 'playbook.json', '--force']);
    expect(keyroll(['token', 'verify', '--keyring', 'playbook.json', '--aud', 'cdn', old]).stderr).toMatch(/ERR_KEY_DISABLED/);
    step(['remove', 'p1', '--keyring', 'playbook.json', '--force']);
    expect(keyroll(['token', 'verify', '--keyring', 'playbook.json', '--aud', 'cdn', old]).stderr).toMatch(/ERR_UNKNOWN_KEY/);
    step(['token', 'verify', '--keyring', 'playbook.json', '--aud', 'cdn', fresh]);
  });

  it('bad usage exits 2', () => {
    expect(keyroll(['token', 'issue', '--keyring', 'before.json']).status).toBe(2);
    expect(keyroll(['token', 'issue', '--keyring', 'before.json', '--ttl', '1h', '--claim', 'exp=1']).status).toBe(2);
    expect(keyroll(['token', 'issue', '--keyring', 'before.json', '--ttl', '1h', '--claim', 'a=1', '--claim', 'a=2']).status).toBe(2);
    expect(keyroll(['token', 'verify', '--keyring', 'before.json']).status).toBe(2);
    expect(keyroll(['token', 'verify', '--keyring', 'before.json', '--now', 'tomorrow', 'v4.local.x']).status).toBe(2);
    expect(keyroll(['token', 'issue', '--help']).stdout).toMatch(/Usage: keyroll token issue/);
    expect(keyroll(['--help']).stdout).toMatch(/token verify/);
  });
});
