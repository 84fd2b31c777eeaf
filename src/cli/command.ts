/**
 * What every CLI command is: a name, its help, and a `run` over parsed
 * arguments. Commands live one per file in `commands/` and are listed in
 * `commands/index.ts`.
 * @module
 */
import type { ParseArgsConfig } from 'node:util';

/** Exit codes: documented in docs/cli.md. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** The process surface a command may touch (replaced in tests). */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A CLI command. */
export interface Command {
  /** The word after `keyroll` (may contain a space for sub-commands, e.g. `token issue`). */
  readonly name: string;
  /** One line for `keyroll --help`. */
  readonly summary: string;
  /** The full `--help` text (usage line, options, examples). */
  readonly help: string;
  /** node:util parseArgs options (`--help` is added for every command). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Whether positional arguments are accepted. */
  readonly allowPositionals?: boolean;
  /** Runs the command; resolves to an exit code. Throw `UsageError` for bad usage. */
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: CliIO): Promise<number>;
}

/** Bad usage: printed as one line and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
