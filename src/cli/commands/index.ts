/**
 * Every CLI command, in the order `keyroll --help` lists them. Add a command
 * by adding its file and one line here.
 * @module
 */
import type { Command } from '../command.js';
import { inspectCommand } from './inspect.js';

export const commands: readonly Command[] = [inspectCommand];
