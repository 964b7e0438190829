/**
 * `rollcall etcd [--data-dir D] [--port P]`: one etcd on 127.0.0.1 in the foreground, for demos
 * and local development. Prints one line with the endpoint, stops etcd cleanly on SIGINT/SIGTERM
 * (also during start-up, before that line) and exits 0. A temp data dir is removed on exit; a
 * --data-dir is kept (and reused next time).
 *
 * `rollcall etcd --members N`: a local N-member cluster instead (the harness the fault tests use:
 * free ports, temp data dirs), one line per member with its endpoint, so that users can kill or
 * pause members and watch failover. A member that dies meanwhile does not end the command.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { EtcdCluster } from '../../dev/etcd-cluster.js';
import { EtcdProcess, type EtcdExit } from '../../dev/etcd-process.js';
import { isPortFree } from '../../dev/free-port.js';
import { armStopSignal, type StopSignal } from '../stop-signal.js';

export interface EtcdCommandOptions {
  dataDir?: string;
  /** Client port; default DEFAULT_ETCD_PORT, or a free port when that one is taken. */
  port?: number;
  /** Start a cluster of this many members (free ports, temp data dirs) instead of one etcd. */
  members?: number;
}

/** Most members --members accepts: a local cluster for trying failover, not a deployment. */
const MAX_MEMBERS = 7;

/** etcd's usual client port, so `etcdctl` works without --endpoints. */
export const DEFAULT_ETCD_PORT = 2379;

/**
 * The client port to use. An explicit --port is used as given (busy means a clear failure). Without
 * it we prefer 2379 but fall back to a free port: installing Debian's etcd-server on a systemd
 * host starts a system etcd on 2379, and the quick start must still work there.
 */
async function choosePort(requested: number | undefined): Promise<{ port: number | undefined; note: string }> {
  if (requested !== undefined) return { port: requested, note: '' };
  if (await isPortFree(DEFAULT_ETCD_PORT)) return { port: DEFAULT_ETCD_PORT, note: '' };
  return { port: undefined, note: `; port ${DEFAULT_ETCD_PORT} was busy, so a free one was chosen` };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port number 1-65535, got "${value}"`);
  }
  return port;
}

function parseMembers(value: string): number {
  const members = Number(value);
  if (!Number.isInteger(members) || members < 1 || members > MAX_MEMBERS) {
    throw new InvalidArgumentError(`expected a member count 1-${MAX_MEMBERS}, got "${value}"`);
  }
  return members;
}

export function registerEtcdCommand(program: Command): void {
  program
    .command('etcd')
    .description('run a local etcd on 127.0.0.1 in the foreground until Ctrl-C')
    .option('--data-dir <dir>', 'data dir to use and keep (default: a temp dir, removed on exit)')
    .option('--port <port>', `client port on 127.0.0.1 (default: ${DEFAULT_ETCD_PORT}, or a free port if it is busy)`, parsePort)
    .option('--members <n>', `run a local cluster of n members (1-${MAX_MEMBERS}) on free ports, with temp data dirs`, parseMembers)
    .action(async (options: EtcdCommandOptions) => {
      if (options.members !== undefined && (options.port !== undefined || options.dataDir !== undefined)) {
        throw new InvalidArgumentError('--members picks free ports and temp data dirs: it cannot be combined with --port or --data-dir');
      }
      await runEtcd(options);
    });
}

type Ending = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'exit'; exit: EtcdExit };

/**
 * Runs etcd until a signal or its own exit; throws (exit code 1) if etcd died on its own.
 * The stop signal is armed before anything is started: a signal during start-up kills the
 * half-started etcd and removes its temp data dir (EtcdProcess.start's `signal`), and exits 0.
 * A second signal while stopping does not wait for etcd's graceful stop: it SIGKILLs etcd, and
 * the temp data dir is still removed.
 */
export async function runEtcd(options: EtcdCommandOptions): Promise<void> {
  const stop = armStopSignal();
  try {
    if (options.members === undefined) await runEtcdUntilStopped(options, stop);
    else await runClusterUntilStopped(options.members, stop);
  } finally {
    stop.dispose();
  }
}

/**
 * Runs an N-member cluster until a signal. A signal during start-up stops it as soon as it is up
 * (the members start together and cannot be abandoned one by one); a second signal while stopping
 * SIGKILLs every member. The temp data dirs are removed either way.
 */
async function runClusterUntilStopped(members: number, stop: StopSignal): Promise<void> {
  const cluster = await EtcdCluster.start({ size: members });
  const hurry = (): void => {
    for (const member of cluster.members) void member.kill('SIGKILL').catch(() => undefined);
  };
  const stopHurrying = stop.onRepeat(hurry);
  try {
    if (!stop.signal.aborted) {
      for (const [i, member] of cluster.members.entries()) {
        console.log(`etcd member m${i} ready at ${member.clientUrl} (pid ${member.pid}, data dir ${member.dataDir}, removed on exit)`);
      }
      console.log(`cluster of ${members} ready: --endpoints ${cluster.endpoints.join(',')}; Ctrl-C stops it`);
      await stop.stopped;
    }
  } finally {
    // stopAll() SIGKILLs members already killed by a hurry (kill and stop are idempotent).
    await cluster.stopAll().catch(() => Promise.allSettled(cluster.members.map((m) => m.stop())));
    stopHurrying();
  }
}

async function runEtcdUntilStopped(options: EtcdCommandOptions, stop: StopSignal): Promise<void> {
  const keep = options.dataDir !== undefined;
  const { port, note } = await choosePort(options.port);
  if (stop.signal.aborted) return;
  let etcd: EtcdProcess;
  try {
    etcd = await EtcdProcess.start({ clientPort: port, dataDir: options.dataDir, keepDataDir: keep, signal: stop.signal });
  } catch (error) {
    // start() has killed the half-started etcd and removed the temp dir it made.
    if (stop.signal.aborted) return;
    throw error;
  }
  const hurry = (): void => void etcd.kill('SIGKILL').catch(() => undefined);
  const stopHurrying = stop.onRepeat(hurry);
  try {
    if (!stop.signal.aborted) {
      console.log(
        `etcd ready at ${etcd.clientUrl} (pid ${etcd.pid}, data dir ${etcd.dataDir}, ${keep ? 'kept' : 'removed'} on exit)${note}; Ctrl-C stops it`,
      );
    }
    const ending = await untilStoppedOrExited(etcd, stop);
    await etcd.stop();
    if (ending.kind === 'exit') {
      const { code, signal } = ending.exit;
      // Ctrl-C in a terminal signals the whole process group, so etcd may see SIGINT before we do.
      if (signal === 'SIGINT' || signal === 'SIGTERM') return;
      const tail = etcd.stderrTail().slice(-10).join('\n');
      throw new Error(`etcd exited unexpectedly (code ${code}, signal ${signal}); last lines of its stderr:\n${tail}`);
    }
  } finally {
    // Whatever went wrong above, etcd does not outlive this command (stop() is idempotent).
    await etcd.stop().catch(() => etcd.reapSync());
    stopHurrying();
  }
}

function untilStoppedOrExited(etcd: EtcdProcess, stop: StopSignal): Promise<Ending> {
  let unsubscribe: () => void = () => undefined;
  const exited = new Promise<Ending>((resolve) => {
    unsubscribe = etcd.onExit((exit) => {
      if (!exit.expected) resolve({ kind: 'exit', exit });
    });
  });
  const stopped = stop.stopped.then((signal): Ending => ({ kind: 'signal', signal }));
  return Promise.race([stopped, exited]).finally(unsubscribe);
}
