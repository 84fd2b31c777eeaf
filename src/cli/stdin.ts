/**
 * Reading stdin for commands: whole input as bytes, or a secret with one
 * trailing newline trimmed (as `echo` and here-strings add one).
 * @module
 */
import { UsageError, type CliIO } from './command.js';

/** Largest stdin a command reads (64 MiB). */
export const MAX_STDIN = 64 * 1024 * 1024;

/**
 * All of stdin as one Buffer. Refuses an interactive terminal, so a command
 * never hangs waiting for input nobody knows it wants.
 * @example
 * ```ts
 * const plaintext = await readStdin(io, 'the plaintext');
 * ```
 */
export async function readStdin(io: CliIO, what: string): Promise<Buffer> {
  if (io.stdin.isTTY === true) throw new UsageError(`${what} is read from stdin; pipe it in`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    length += buf.length;
    if (length > MAX_STDIN) throw new UsageError(`${what} on stdin is larger than ${MAX_STDIN} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * A secret from stdin as text, with one trailing `\n` (or `\r\n`) trimmed.
 * @example
 * ```ts
 * const secret = await readSecretStdin(io); // printf 'ASDFGHJKL1234567' | keyroll add ...
 * ```
 */
export async function readSecretStdin(io: CliIO): Promise<string> {
  const bytes = await readStdin(io, 'the secret');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError('the secret on stdin is not UTF-8 text');
  } finally {
    bytes.fill(0);
  }
  text = text.replace(/\r?\n$/, '');
  if (text.length === 0) throw new UsageError('the secret on stdin is empty');
  return text;
}
