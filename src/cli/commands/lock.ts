/**
 * `rollcall lock <name> [--ttl S] -- <command...>`: runs a command while holding the Store's fair
 * lock `name` (etcd's concurrency mutex recipe, compatible with Go's `concurrency.NewMutex`
 * under the same prefix). Waits for the lock, runs the command with this terminal's stdio,
 * releases the lock when the command ends, and exits with the command's exit code (128 + signal
 * number if it was killed by a signal, 127 if it could not be started).
 *
 * SIGINT/SIGTERM: while waiting, stop waiting (the queue key is removed; exit 1); while the
 * command runs, forward the signal to it, wait for it, then release. If the lock is lost while
 * held (lease expired, key deleted), the command gets SIGTERM and the exit code is 1.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { EtcdStore } from '../../store/index.js';
import { connectionOptions, parsePositiveInt, withConnectionOptions } from '../cli-options.js';
import { printWarning } from '../cli-output.js';
import { armStopSignal } from '../stop-signal.js';

const EXIT_NOT_STARTED = 127;

export function registerLockCommand(program: Command): void {
  const cmd = program
    .command('lock')
    .description('run a command while holding a distributed lock; exits with the command\'s exit code')
    .argument('<name>', 'lock name')
    .argument('<command...>', 'the command and its arguments (after --)')
    .option('--ttl <seconds>', 'TTL of the lease behind the lock: how long others wait if this process dies', parsePositiveInt, 10);
  withConnectionOptions(cmd);
  cmd.action(async (name: string, argv: string[], options: { ttl: number }, command: Command) => {
    process.exitCode = await runLocked(command, name, argv, options.ttl);
  });
}

async function runLocked(command: Command, name: string, argv: readonly string[], ttl: number): Promise<number> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('no command given');
  const stop = armStopSignal();
  const store = new EtcdStore({ ...connectionOptions(command), sessionTtl: ttl });
  try {
    let lock;
    try {
      lock = await store.lock(name, { ttl, signal: stop.signal });
    } catch (error) {
      if (!stop.signal.aborted) throw error;
      printWarning(`interrupted while waiting for lock ${name}`);
      return 1;
    }
    try {
      return await runChild(file, args, stop.signal, lock.lost);
    } finally {
      await lock.release().catch((error: unknown) => printWarning(`could not release lock ${name}: ${String(error)}`));
    }
  } finally {
    await store.close().catch(() => undefined);
    stop.dispose();
  }
}

/** Runs the command; forwards our stop signal to it, SIGTERMs it when the lock is lost. */
function runChild(file: string, args: readonly string[], stopped: AbortSignal, lost: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    let lockLost = false;
    const child = spawn(file, args, { stdio: 'inherit' });
    const onStop = (): void => {
      child.kill(stopped.reason instanceof Error && /SIGINT/.test(stopped.reason.message) ? 'SIGINT' : 'SIGTERM');
    };
    const onLost = (): void => {
      lockLost = true;
      printWarning(`lock lost (${lost.reason instanceof Error ? lost.reason.message : 'lease gone'}); stopping the command`);
      child.kill('SIGTERM');
    };
    const cleanup = (): void => {
      stopped.removeEventListener('abort', onStop);
      lost.removeEventListener('abort', onLost);
    };
    stopped.addEventListener('abort', onStop, { once: true });
    lost.addEventListener('abort', onLost, { once: true });
    child.once('error', (error) => {
      cleanup();
      printWarning(`cannot run ${file}: ${error.message}`);
      resolve(EXIT_NOT_STARTED);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      if (lockLost) resolve(1);
      else if (code !== null) resolve(code);
      else resolve(128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
