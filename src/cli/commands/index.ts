/**
 * Every CLI command, in the order `keyroll --help` lists them. Add a command
 * by adding its file and one line here.
 * @module
 */
import type { Command } from '../command.js';
import { inspectCommand } from './inspect.js';
import { tokenIssueCommand, tokenVerifyCommand } from './token.js';
import { keygenCommand } from './keygen.js';
import { initCommand } from './init.js';
import { addCommand } from './add.js';
import { postponeCommand } from './postpone.js';
import { promoteCommand, retireCommand, disableCommand, removeCommand } from './lifecycle.js';
import { listCommand } from './list.js';
import { statusCommand } from './status.js';
import { importCommand } from './import.js';
import { sealCommand } from './seal.js';
import { unsealCommand } from './unseal.js';
import { k8sSecretCommand } from './k8s-secret.js';
import { encryptCommand } from './encrypt.js';
import { decryptCommand } from './decrypt.js';
import { reencryptCommand } from './reencrypt.js';
import { reencryptFileCommand } from './reencrypt-file.js';
import { demoCommand } from './demo.js';
import { rotateStartCommand } from './rotate-start.js';
import { rotateStatusCommand } from './rotate-status.js';
import { rotateFinishCommand } from './rotate-finish.js';

export const commands: readonly Command[] = [
  keygenCommand,
  initCommand,
  addCommand,
  postponeCommand,
  promoteCommand,
  retireCommand,
  disableCommand,
  removeCommand,
  listCommand,
  statusCommand,
  sealCommand,
  unsealCommand,
  k8sSecretCommand,
  importCommand,
  encryptCommand,
  decryptCommand,
  reencryptCommand,
  reencryptFileCommand,
  rotateStartCommand,
  rotateStatusCommand,
  rotateFinishCommand,
  demoCommand,
  inspectCommand,
  tokenIssueCommand,
  tokenVerifyCommand,
];
