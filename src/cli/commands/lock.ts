/**
 * `rollcall lock <name> [--ttl S] -- <command...>`: runs a command while holding the Store's fair
 * lock `name` (etcd's concurrency mutex recipe, compatible with Go's `concurrency.NewMutex`
 * under the same prefix). Waits for the lock, runs the command with this terminal's stdio,
 * releases the lock when the command ends, and exits with the command's exit code (128 + signal
 * number if it was killed by a signal, 127 if it could not be started).
 *
 * SIGINT/SIGTERM: while waiting (or starting up), stop waiting (the queue key is removed) and fail
 * with exit 1; while the command runs, forward every such signal to it, wait for it, then
 * release. If the lock is lost while held (lease expired, key deleted), the command gets SIGTERM
 * and the exit code is 1. Each of these is one `rollcall: …` error line on stderr.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { EtcdStore } from '../../store/index.js';
import { connectionOptions, parsePositiveInt, withConnectionOptions } from '../cli-options.js';
import { printWarning } from '../cli-output.js';
import { armStopSignal, type StopSignal } from '../stop-signal.js';

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
      // Interrupted during start-up: do not even open a session (its lease would outlive us).
      stop.signal.throwIfAborted();
      lock = await store.lock(name, { ttl, signal: stop.signal });
    } catch (error) {
      if (!stop.signal.aborted) throw error;
      throw new Error(`interrupted by ${stop.received ?? 'a signal'} while waiting for lock ${name}; the command was not run`);
    }
    let outcome: ChildOutcome | undefined;
    try {
      // Interrupted just as the lock was granted: release it without running the command.
      if (!stop.signal.aborted) outcome = await runChild(file, args, stop, lock.lost);
    } finally {
      await lock.release().catch((error: unknown) => printWarning(`could not release lock ${name}: ${String(error)}`));
    }
    if (outcome === undefined) throw new Error(`interrupted by ${stop.received ?? 'a signal'} while taking lock ${name}; the command was not run`);
    if (outcome.kind === 'not-started') {
      // Exit code 127 (the shell's "command not found"), which no thrown error maps to.
      console.error(`rollcall: cannot run ${file}: ${outcome.error.message}`);
      return EXIT_NOT_STARTED;
    }
    if (outcome.kind === 'lost') throw new Error(`lock ${name} was lost while held (${outcome.reason}); the command was stopped with SIGTERM`);
    return outcome.code;
  } finally {
    await store.close().catch(() => undefined);
    stop.dispose();
  }
}

type ChildOutcome = { kind: 'exited'; code: number } | { kind: 'not-started'; error: Error } | { kind: 'lost'; reason: string };

/** Runs the command; forwards every SIGINT/SIGTERM we get to it, SIGTERMs it when the lock is lost. */
function runChild(file: string, args: readonly string[], stop: StopSignal, lost: AbortSignal): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    let lostReason: string | undefined;
    const child = spawn(file, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    const onStop = (): void => forward(stop.received ?? 'SIGTERM');
    const stopForwarding = stop.onRepeat(forward);
    const onLost = (): void => {
      lostReason = lost.reason instanceof Error ? lost.reason.message : 'lease gone';
      child.kill('SIGTERM');
    };
    const cleanup = (): void => {
      stop.signal.removeEventListener('abort', onStop);
      stopForwarding();
      lost.removeEventListener('abort', onLost);
    };
    stop.signal.addEventListener('abort', onStop, { once: true });
    lost.addEventListener('abort', onLost, { once: true });
    child.once('error', (error) => {
      cleanup();
      resolve({ kind: 'not-started', error });
    });
    child.once('exit', (code, signal) => {
      cleanup();
      if (lostReason !== undefined) resolve({ kind: 'lost', reason: lostReason });
      else if (code !== null) resolve({ kind: 'exited', code });
      else resolve({ kind: 'exited', code: 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0) });
    });
  });
}
