/**
 * `keyroll keygen`: random secret material, like `openssl rand -hex 32`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { EXIT, UsageError, type Command } from '../command.js';

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'print random secret material (like openssl rand -hex 32)',
  help: [
    'Usage: keyroll keygen [--bytes 32] [--encoding hex|base64|base64url] [--platform]',
    '',
    'Prints fresh random bytes from the CSPRNG. Use it for a master key',
    '(KEYROLL_MASTER_KEY) or a key secret. Prints a secret: that is its purpose.',
    '',
    'Options:',
    '  --bytes N       how many random bytes, 16 to 1024 (default 32)',
    '  --encoding E    hex (default), base64 or base64url',
    '  --platform      a platform-layout secret: 32 uppercase hex characters',
    '                  (16 random bytes, like a GUID without hyphens)',
    '',
    'Examples:',
    '  export KEYROLL_MASTER_KEY="$(keyroll keygen)"',
    '  keyroll keygen --platform | keyroll add k2 --keyring keyring.json --secret-stdin',
  ].join('\n'),
  options: { bytes: { type: 'string' }, encoding: { type: 'string' }, platform: { type: 'boolean' } },
  async run({ values }, io) {
    if (values['platform'] === true) {
      if (values['bytes'] !== undefined || values['encoding'] !== undefined) throw new UsageError('--platform fixes the length and encoding; drop --bytes and --encoding');
      io.stdout.write(`${platformSecret()}\n`);
      return EXIT.OK;
    }
    const bytes = values['bytes'] === undefined ? 32 : Number(values['bytes']);
    if (!/^\d+$/.test(String(values['bytes'] ?? '32')) || bytes < 16 || bytes > 1024) throw new UsageError('--bytes must be an integer from 16 to 1024');
    const encoding = (values['encoding'] as string | undefined) ?? 'hex';
    if (encoding !== 'hex' && encoding !== 'base64' && encoding !== 'base64url') throw new UsageError('--encoding must be hex, base64 or base64url');
    io.stdout.write(`${randomBytes(bytes).toString(encoding)}\n`);
    return EXIT.OK;
  },
};

/**
 * 16 random bytes as 32 uppercase hex characters: satisfies the platform layout's rules.
 * @example
 * ```ts
 * platformSecret(); // e.g. '0EE0D33AC67E4389AB2B46123729B875'
 * ```
 */
export function platformSecret(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}
