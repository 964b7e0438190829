/**
 * Every `rollcall` subcommand, in the order `rollcall --help` lists them.
 *
 * To add a command: write src/cli/commands/<name>.ts exporting
 * `register<Name>Command(program: Command): void` (see commands/instances.ts), then add it here.
 * A command that talks to etcd declares `withConnectionOptions(cmd)` (and `withPrefixOption(cmd)`
 * for the service commands) after its own options, and reads them with cli-options.ts.
 * A command prints its results on stdout, and throws for failure; program.ts turns a thrown
 * error into one `rollcall: <message>` line on stderr and an exit code (exit-codes.ts).
 */
import type { Command } from 'commander';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDeregisterCommand } from './commands/deregister.js';
import { registerDrainCommand, registerUndrainCommand } from './commands/drain.js';
import { registerEndpointCommand } from './commands/endpoint.js';
import { registerEtcdCommand } from './commands/etcd.js';
import { registerInstancesCommand } from './commands/instances.js';
import { registerKvCommand } from './commands/kv.js';
import { registerLockCommand } from './commands/lock.js';
import { registerMemberCommand } from './commands/member.js';
import { registerLeaseCommand } from './commands/lease.js';
import { registerPickCommand } from './commands/pick.js';
import { registerRegisterCommand } from './commands/register.js';
import { registerServicesCommand } from './commands/services.js';
import { registerWatchCommand } from './commands/watch.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerRegisterCommand,
  registerServicesCommand,
  registerInstancesCommand,
  registerWatchCommand,
  registerPickCommand,
  registerDrainCommand,
  registerDeregisterCommand,
  registerUndrainCommand,
  registerKvCommand,
  registerLeaseCommand,
  registerLockCommand,
  registerDemoCommand,
  registerDashboardCommand,
  registerEtcdCommand,
  registerEndpointCommand,
  registerMemberCommand,
];
