/**
 * Every `rollcall` subcommand, in the order `rollcall --help` lists them.
 *
 * To add a command: write src/cli/commands/<name>.ts exporting
 * `register<Name>Command(program: Command): void` (see commands/etcd.ts), then add it here.
 * A command prints its results on stdout, and throws for failure; program.ts turns a thrown
 * error into one `rollcall: <message>` line on stderr and an exit code.
 */
import type { Command } from 'commander';
import { registerEtcdCommand } from './commands/etcd.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerEtcdCommand,
];
