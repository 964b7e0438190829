/**
 * Suite helpers on top of src/dev: a real etcd (or cluster) per test or per suite, always stopped
 * when it ends, and the two ways to wait in a test:
 *
 *   waitFor(probe, opts)        polls until probe returns something truthy, returns it
 *   eventually(assertion, opts) retries assertions until they pass; on timeout throws the last
 *                               assertion error itself, so the test report shows the real diff
 *
 * Both are bounded (default 10 s) and never sleep as synchronisation. Example:
 *
 *   describe('my feature', () => {
 *     const server = useEtcd();                     // one etcd for the suite
 *     it('sees a put', async (t) => {
 *       const client = etcdClient(t, server.etcd);   // closed when the test ends
 *       await client.put('k').value('v');
 *       await eventually(async () => assert.equal(await client.get('k').string(), 'v'));
 *     });
 *   });
 *
 * If the test process exits, or gets SIGINT/SIGTERM/SIGHUP, with etcds still running, src/dev's
 * exit safety net kills them and removes their data dirs (importing this file turns that on).
 */
import { readFileSync } from 'node:fs';
import { after, before, type TestContext } from 'node:test';
import { Etcd3, type IOptions } from 'etcd3';
import {
  EtcdCluster,
  EtcdProcess,
  reapOnSignals,
  waitUntil,
  type EtcdClusterOptions,
  type EtcdProcessOptions,
  type Probe,
  type WaitUntilOptions,
} from '../../src/dev/index.js';

export type { Probe, WaitUntilOptions } from '../../src/dev/index.js';

reapOnSignals();

/**
 * Polls `probe` until it returns a truthy value and resolves with it; throws WaitTimeoutError
 * (naming `options.message` and the probe's last error) after `options.timeoutMs` (default 10 s).
 * Note 0 and '' count as "not yet": wrap numbers, e.g. `() => (n > 0 ? { n } : undefined)`.
 */
export function waitFor<T>(probe: Probe<T>, options: WaitUntilOptions = {}): Promise<T> {
  return waitUntil(probe, options);
}

/**
 * Runs `assertion` until it stops throwing; on timeout rethrows its last error unchanged (an
 * AssertionError keeps its actual/expected). Use for "this becomes true" checks.
 */
export async function eventually(
  assertion: () => void | Promise<void>,
  options: Omit<WaitUntilOptions, 'message'> = {},
): Promise<void> {
  let last: unknown;
  try {
    await waitUntil(
      async () => {
        try {
          await assertion();
          return true;
        } catch (error) {
          last = error;
          return false;
        }
      },
      { ...options, message: 'assertion to pass' },
    );
  } catch (timeout) {
    throw last ?? timeout;
  }
}

/** Starts an etcd that is stopped (process gone, data dir removed) when test `t` ends. */
export async function startEtcd(t: TestContext, options: EtcdProcessOptions = {}): Promise<EtcdProcess> {
  const etcd = await EtcdProcess.start(options);
  t.after(() => etcd.stop());
  return etcd;
}

/** Starts a cluster (3 members by default) that is stopped when test `t` ends. */
export async function startCluster(t: TestContext, options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const cluster = await EtcdCluster.start(options);
  t.after(() => cluster.stopAll());
  return cluster;
}

/** A value that a before() hook fills in; reading it earlier is a test bug, said loudly. */
export interface SuiteHandle<T> {
  readonly current: T;
}

function suiteResource<T>(what: string, start: () => Promise<T>, stop: (value: T) => Promise<void>): SuiteHandle<T> {
  let value: T | undefined;
  before(async () => {
    value = await start();
  });
  after(async () => {
    if (value !== undefined) await stop(value);
  });
  return {
    get current(): T {
      if (value === undefined) throw new Error(`${what} is not started: read it inside a test, not at suite definition`);
      return value;
    },
  };
}

/** Call inside describe(): one etcd for the whole suite, started before its first test, stopped after its last. */
export function useEtcd(options: EtcdProcessOptions = {}): { readonly etcd: EtcdProcess } {
  const handle = suiteResource('useEtcd() etcd', () => EtcdProcess.start(options), (etcd) => etcd.stop());
  return {
    get etcd() {
      return handle.current;
    },
  };
}

/** Call inside describe(): one cluster for the whole suite. */
export function useCluster(options: EtcdClusterOptions = {}): { readonly cluster: EtcdCluster } {
  const handle = suiteResource('useCluster() cluster', () => EtcdCluster.start(options), (c) => c.stopAll());
  return {
    get cluster() {
      return handle.current;
    },
  };
}

/** An etcd3 client for `target` (an EtcdProcess, an EtcdCluster or endpoint URLs), closed when `t` ends. */
export function etcdClient(
  t: TestContext,
  target: EtcdProcess | EtcdCluster | string[],
  options: Omit<IOptions, 'hosts'> = {},
): Etcd3 {
  const hosts = Array.isArray(target) ? target : target.endpoints;
  const client = new Etcd3({ ...options, hosts });
  t.after(() => client.close());
  return client;
}

/**
 * True when the process is gone: kill(pid, 0) fails with ESRCH, or it is a zombie (dead, waiting
 * for a parent to reap it; an orphan's new parent may be a container init that never does).
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return processState(pid) === 'Z';
}

/** The state letter of /proc/<pid>/stat (R running, S sleeping, T stopped, Z zombie), or undefined. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
