/**
 * The `keyroll` CLI: dispatch with node:util parseArgs. Errors are one line
 * on stderr; exit codes 0 ok, 1 operation failed, 2 bad usage.
 * @module
 */
import { parseArgs } from 'node:util';
import { KeyrollError, escapeControls } from '../errors.js';
import { printable } from '../args.js';
import { EXIT, UsageError, type CliIO, type Command } from './command.js';
import { commands } from './commands/index.js';
import { releaseLocks } from './keyring-file.js';

const GENERAL_HELP = (list: readonly Command[]): string =>
  [
    'keyroll: keyrings, key rotation and envelope encryption',
    '',
    'Usage: keyroll <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
    '',
    'Run `keyroll <command> --help` or `keyroll help <command>` for a command\'s options.',
    'Exit codes: 0 ok, 1 the operation failed, 2 bad usage.',
    '',
  ].join('\n');

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first, so `token issue` wins over a hypothetical `token`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** The help of a group of commands such as `token` (`token issue`, `token verify`). */
function groupHelp(group: string): string | undefined {
  const members = commands.filter((c) => c.name.startsWith(`${group} `));
  if (members.length === 0) return undefined;
  return [
    `Usage: keyroll ${group} <command> [options]`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
    '',
    `Run \`keyroll ${members[0]!.name} --help\` for a command's options.`,
    '',
  ].join('\n');
}

/** `keyroll help [command...]`: the same text as `keyroll [command...] --help`. */
function help(words: readonly string[], io: CliIO): number {
  if (words.length === 0) {
    io.stdout.write(GENERAL_HELP(commands));
    return EXIT.OK;
  }
  const found = findCommand(words);
  const text = found !== undefined && found.rest.length === 0 ? found.command.help : words.length === 1 ? groupHelp(words[0]!) : undefined;
  if (text === undefined) return unknownCommand(words, io);
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return EXIT.OK;
}

function unknownCommand(argv: readonly string[], io: CliIO): number {
  const group = groupHelp(String(argv[0])) !== undefined ? String(argv[0]) : undefined;
  const name = group !== undefined && argv[1] !== undefined && !argv[1].startsWith('-') ? `${group} ${argv[1]}` : String(argv[0]);
  io.stderr.write(`keyroll: unknown command "${printable(name, 60)}"; run \`keyroll ${group ?? ''}${group ? ' ' : ''}--help\` for the list\n`);
  return EXIT.USAGE;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(GENERAL_HELP(commands));
    return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
  }
  if (argv[0] === 'help') return help(argv.slice(1), io);
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    // `keyroll token` and `keyroll token --help` list the group's commands.
    const group = groupHelp(String(argv[0]));
    if (group !== undefined && (argv.length === 1 || (argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h')))) {
      io.stdout.write(group);
      return argv.length === 1 ? EXIT.USAGE : EXIT.OK;
    }
    return unknownCommand(argv, io);
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.OK;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true }) as typeof parsed;
  } catch (err) {
    io.stderr.write(`keyroll ${command.name}: ${usageMessage(err)}; run \`keyroll ${command.name} --help\`\n`);
    return EXIT.USAGE;
  }
  try {
    return await command.run(parsed, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`keyroll ${command.name}: ${oneLine(err.message)}; run \`keyroll ${command.name} --help\`\n`);
      return EXIT.USAGE;
    }
    if (err instanceof KeyrollError) {
      io.stderr.write(`keyroll ${command.name}: ${err.code}: ${oneLine(err.message)}\n`);
      return EXIT.FAILED;
    }
    io.stderr.write(`keyroll ${command.name}: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT.FAILED;
  } finally {
    await releaseLocks();
  }
}

function usageMessage(err: unknown): string {
  // parseArgs messages quote the offending option name, never a value.
  const message = err instanceof Error ? err.message : String(err);
  return oneLine(message.replace(/\. To specify a positional argument.*$/s, '')).replace(/\.$/, '');
}

/** One line for stderr: line breaks folded, other control characters (from file names, arguments) escaped. */
function oneLine(text: string): string {
  return escapeControls(text.replace(/\s*\n\s*/g, ' ').trim());
}

declare const __KEYROLL_VERSION__: string | undefined;
const VERSION = typeof __KEYROLL_VERSION__ === 'string' ? __KEYROLL_VERSION__ : '0.0.0-dev';
