/**
 * `rollcall demo [--duration S] [--endpoints …]`: the whole library in one terminal.
 *
 * Starts a throwaway etcd unless --endpoints is given; keys go under a prefix of the run's own
 * (`demo-<random>`, unless --prefix is given), so a shared etcd's keys never collide with it;
 * starts five instances of two services as child processes running `rollcall register`
 * (different weights and zones, 2 s leases); a consumer (Catalog + one picker per service)
 * prints which instance gets each simulated call;
 * then one instance is crashed with SIGKILL (its key stays until its lease expires: `removed …
 * reason expired`) and one is stopped with SIGTERM (it deregisters: `removed … reason
 * deregistered` at once). Keeps picking every 2 s until Ctrl-C (or --duration), then stops every
 * instance and the etcd it started (data dir removed) and exits 0.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { serveDashboard, type ServedDashboard } from '../../dashboard/index.js';
import { parsePort } from './dashboard.js';
import { EtcdProcess } from '../../dev/etcd-process.js';
import { resolveConnectionOptions } from '../../etcd/index.js';
import { connectionArgv, connectionOptions, endpointsGiven, givenPrefix, parsePositiveInt, withConnectionOptions } from '../cli-options.js';
import { DemoConsumer, type DemoService } from '../demo-consumer.js';
import { DemoInstance, type DemoInstanceSpec } from '../demo-instances.js';
import { armStopSignal, type StopSignal } from '../stop-signal.js';

const SERVICES: readonly DemoService[] = [
  { name: 'api', strategy: 'weighted', calls: 10 },
  { name: 'billing', strategy: 'round-robin', calls: 6 },
];

const INSTANCES: readonly DemoInstanceSpec[] = [
  { service: 'api', id: 'api-1', address: '127.0.0.1:9101', weight: 3, zone: 'eu-a' },
  { service: 'api', id: 'api-2', address: '127.0.0.1:9102', weight: 1, zone: 'eu-a' },
  { service: 'api', id: 'api-3', address: '127.0.0.1:9103', weight: 1, zone: 'eu-b' },
  { service: 'billing', id: 'billing-1', address: '127.0.0.1:9201', weight: 1, zone: 'eu-a' },
  { service: 'billing', id: 'billing-2', address: '127.0.0.1:9202', weight: 1, zone: 'eu-b' },
];
const CRASH = 'api-2';
const CLEAN_STOP = 'billing-2';
const ROUND_EVERY_MS = 2000;
const STOP_GRACE_MS = 5000;

interface DemoOptions {
  duration?: number;
  ttl: number;
  dashboardPort: number;
}

export function registerDemoCommand(program: Command): void {
  const cmd = program
    .command('demo')
    .description('run a narrated demo: a local etcd, instances of two services, a consumer picking, a crash and a clean stop')
    .option('--duration <seconds>', 'end by itself this many seconds after start, once the scripted part is done (default: run until Ctrl-C)', parsePositiveInt)
    .option('--ttl <seconds>', 'lease TTL of the demo instances', parsePositiveInt, 2)
    .option('--prefix <prefix>', 'key prefix of the demo instances (default: demo-<random>, new for each run)')
    .option('--dashboard-port <port>', 'port of the web dashboard on 127.0.0.1 (default: a free port)', parsePort, 0);
  withConnectionOptions(cmd);
  cmd.action(async (options: DemoOptions, command: Command) => {
    await runDemo(command, options);
  });
}

async function runDemo(command: Command, options: DemoOptions): Promise<void> {
  const startedAt = Date.now();
  const say = (line: string): void => console.log(line);
  const stop = armStopSignal();
  const signal = stop.signal;
  const instances: DemoInstance[] = [];
  let etcd: EtcdProcess | undefined;
  let consumer: DemoConsumer | undefined;
  let dashboard: ServedDashboard | undefined;
  try {
    let endpoints: string;
    if (endpointsGiven(command)) {
      endpoints = resolveConnectionOptions(connectionOptions(command)).endpoints.join(',');
      say(`demo: using etcd at ${endpoints}`);
    } else {
      etcd = await EtcdProcess.start({ signal });
      endpoints = etcd.clientUrl;
      say(`demo: started a throwaway etcd at ${endpoints} (pid ${etcd.pid}, data dir ${etcd.dataDir}); it is stopped and removed on exit`);
    }
    // A prefix of its own per run: a shared etcd may hold another demo's (or anyone's) api-1.
    const prefix = givenPrefix(command) ?? `demo-${randomBytes(4).toString('hex')}`;
    say(`demo: instances live under ${prefix}/ (a prefix of this run's own; --prefix chooses another)`);
    const connection = { ...connectionOptions(command), endpoints };
    consumer = await DemoConsumer.open(connection, prefix, SERVICES, say);
    dashboard = await serveDashboard({ ...connection, prefix, port: options.dashboardPort });
    say(`demo: dashboard at ${dashboard.url} (live view of the instances below)`);
    say(`demo: consumer follows ${SERVICES.map((s) => `${prefix}/${s.name}/`).join(' and ')} with a Catalog; pickers: ${SERVICES.map((s) => `${s.name} ${s.strategy}`).join(', ')}`);

    const marker = `rollcall-demo-${process.pid}`;
    const childArgs = (spec: DemoInstanceSpec): string[] => [
      '--id', spec.id, '--ttl', String(options.ttl), '--weight', String(spec.weight), '--zone', spec.zone,
      '--meta', `demo=${marker}`, '--prefix', prefix,
      ...connectionArgv(command, endpoints),
      ...(connection.timeoutMs === undefined ? ['--timeout', '2000'] : []),
    ];
    say(`demo: starting ${INSTANCES.length} instances, each a \`rollcall register\` child process (marker ${marker}, ${options.ttl} s leases)`);
    for (const spec of INSTANCES) {
      const instance = new DemoInstance(spec, childArgs(spec));
      instances.push(instance);
      say(`demo: instance ${spec.service}/${spec.id} ${spec.address} weight ${spec.weight} zone ${spec.zone} started as pid ${instance.pid}`);
    }
    await Promise.all(instances.map((i) => i.waitRegistered(15_000, signal)));
    await consumer.waitForInstances(INSTANCES.length, 10_000, signal);

    consumer.pickRound('every instance up; api is weighted 3:1:1');
    await delay(1000, undefined, { signal });
    consumer.pickRound();

    const crashed = find(instances, CRASH);
    say(`demo: CRASH: killing ${CRASH} (pid ${crashed.pid}) with SIGKILL; it cannot deregister, so its key stays until its ${options.ttl} s lease expires`);
    const expired = consumer.waitForRemoval(crashed.spec.service, CRASH, (options.ttl + 10) * 1000, signal);
    const killedAt = Date.now();
    crashed.kill('SIGKILL');
    await crashed.whenExited();
    consumer.pickRound(`${CRASH} is dead but still registered: calls to it would fail until its lease expires`);
    const removal = await expired;
    say(`demo: ${CRASH} removed ${Date.now() - killedAt} ms after the crash, reason ${removal.reason}`);
    consumer.pickRound(`without ${CRASH}`);

    const leaving = find(instances, CLEAN_STOP);
    say(`demo: CLEAN STOP: SIGTERM to ${CLEAN_STOP} (pid ${leaving.pid}); it writes status leaving, deletes its key and revokes its lease`);
    const deregistered = consumer.waitForRemoval(leaving.spec.service, CLEAN_STOP, 10_000, signal);
    const termAt = Date.now();
    leaving.kill('SIGTERM');
    const gone = await deregistered;
    say(`demo: ${CLEAN_STOP} removed ${Date.now() - termAt} ms after SIGTERM, reason ${gone.reason}`);
    await leaving.whenExited();
    consumer.pickRound(`without ${CLEAN_STOP}`);

    const endAt = options.duration === undefined ? Infinity : startedAt + options.duration * 1000;
    say(options.duration === undefined ? 'demo: running; a round of picks every 2 s. Ctrl-C stops everything.' : `demo: running until ${options.duration} s after start; Ctrl-C stops earlier.`);
    while (!signal.aborted && Date.now() < endAt) {
      await delay(Math.min(ROUND_EVERY_MS, endAt - Date.now()), undefined, { signal });
      if (Date.now() < endAt) consumer.pickRound();
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    if (stop.received !== undefined) say(`demo: ${stop.received} received, stopping`);
    await dashboard?.close().catch(() => undefined);
    await shutdown(instances, consumer, etcd, say, stop);
    stop.dispose();
  }
}

function find(instances: readonly DemoInstance[], id: string): DemoInstance {
  const instance = instances.find((i) => i.spec.id === id);
  if (instance === undefined) throw new Error(`demo instance ${id} is missing`);
  return instance;
}

/**
 * Stops what the demo started, instances first (they deregister), then the consumer and etcd.
 * A second signal meanwhile hurries it when the etcd is the demo's own: instances and etcd are
 * SIGKILLed, and the data dir is still removed, so nothing is left. On a shared etcd
 * (--endpoints) it is ignored: the instances still deregister, within STOP_GRACE_MS.
 */
async function shutdown(
  instances: readonly DemoInstance[],
  consumer: DemoConsumer | undefined,
  etcd: EtcdProcess | undefined,
  say: (line: string) => void,
  stop: StopSignal,
): Promise<void> {
  const stopHurrying = stop.onRepeat((signal) => {
    if (etcd === undefined) return;
    say(`demo: ${signal} again: killing the instances and etcd now`);
    for (const instance of instances) instance.kill('SIGKILL');
    void etcd.kill('SIGKILL').catch(() => undefined);
  });
  try {
    await stopAll(instances, consumer, etcd, say);
  } finally {
    stopHurrying();
  }
}

async function stopAll(instances: readonly DemoInstance[], consumer: DemoConsumer | undefined, etcd: EtcdProcess | undefined, say: (line: string) => void): Promise<void> {
  const live = instances.filter((i) => i.running);
  if (live.length > 0 && etcd !== undefined && !etcd.running) {
    // A terminal's Ctrl-C reaches our etcd too: with it gone there is nothing to deregister from.
    say(`demo: etcd has already exited; killing ${live.length} instance(s): ${live.map((i) => `${i.spec.id} (pid ${i.pid})`).join(', ')}`);
    await Promise.all(live.map((i) => i.stop(0)));
  } else if (live.length > 0) {
    say(`demo: stopping ${live.length} instance(s) with SIGTERM: ${live.map((i) => `${i.spec.id} (pid ${i.pid})`).join(', ')}`);
    await Promise.all(live.map((i) => i.stop(STOP_GRACE_MS)));
  }
  await consumer?.close();
  if (etcd !== undefined) {
    await etcd.stop();
    say(`demo: etcd (pid ${etcd.pid}) stopped, data dir ${etcd.dataDir} removed`);
  }
  say('demo: done, nothing left running');
}
