/**
 * Events through a catalog versus a bare watcher, with the writer in another process:
 * - live bursts: burstPuts puts over burstInstances instances of one service, applied/s and how
 *   far the consumer ends behind the writer's last ack;
 * - backlog: the consumer's event loop is blocked while the writer writes, then released;
 * - one event per batch: CPU per event with a service of burstInstances instances.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { once } from 'node:events';
import { openConsumer, type ConsumerKind } from './consumers.js';
import { putAll, servicePairs, wipe } from './etcd-support.js';
import type { BenchScale } from './scale.js';
import { machineNow, sig2 } from './stats.js';

export interface EventFigures {
  /** consumer -> events applied per second during live bursts. */
  readonly burstEventsPerSecond: Record<string, number>;
  /** consumer -> ms between the writer's last ack and the last event applied. */
  readonly burstLagMs: Record<string, number>;
  /** consumer -> events per second draining a backlog. */
  readonly backlogEventsPerSecond: Record<string, number>;
  /** consumer -> CPU microseconds per event, one event per batch. */
  readonly singleEventCpuUs: Record<string, number>;
}

const WRITER = new URL('./writer-child.js', import.meta.url);
const PREFIX = 'bench-events';
const SERVICE = 'burst';
let round = 0;

interface RunResult {
  firstAt: number;
  doneAt: number;
  lastAck: number;
  releasedAt: number;
  cpuUs: number;
}

/** One writer run against one consumer kind. `block`: the consumer's loop sleeps until the writer is done. */
async function run(client: Etcd3, kind: ConsumerKind, endpoint: string, scale: BenchScale, mode: 'txn' | 'single', block: boolean): Promise<RunResult> {
  round += 1;
  const puts = mode === 'single' ? scale.singleEvents : scale.burstPuts;
  const consumer = await openConsumer(kind, endpoint, PREFIX, SERVICE, puts);
  await consumer.live(client);
  const doneFile = join(tmpdir(), `rollcall-bench-${process.pid}-${round}`);
  const cpuBefore = process.cpuUsage();
  const child = fork(WRITER, [endpoint, PREFIX, SERVICE, String(scale.burstInstances), String(puts), String(round * 10), mode, doneFile], { stdio: 'inherit' });
  const exited = once(child, 'exit');
  let releasedAt = 0;
  if (block) {
    // Sleep synchronously: nothing of this process runs while the writer writes.
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (!existsSync(doneFile)) Atomics.wait(cell, 0, 0, 20);
    releasedAt = machineNow();
  }
  const { firstAt, doneAt } = await consumer.done;
  const cpu = process.cpuUsage(cpuBefore);
  await exited;
  const lastAck = Number(readFileSync(doneFile, 'utf8'));
  rmSync(doneFile, { force: true });
  await consumer.close();
  return { firstAt, doneAt, lastAck, releasedAt, cpuUs: cpu.user + cpu.system };
}

export async function benchEvents(endpoint: string, scale: BenchScale, kinds: readonly ConsumerKind[]): Promise<EventFigures> {
  const client = new Etcd3({ hosts: endpoint });
  const burstEventsPerSecond: Record<string, number> = {};
  const burstLagMs: Record<string, number> = {};
  const backlogEventsPerSecond: Record<string, number> = {};
  const singleEventCpuUs: Record<string, number> = {};
  try {
    await wipe(client, PREFIX);
    await putAll(client, servicePairs(PREFIX, SERVICE, scale.burstInstances));
    for (const kind of kinds) {
      const live = await run(client, kind, endpoint, scale, 'txn', false);
      burstEventsPerSecond[kind] = sig2((scale.burstPuts / Math.max(1, live.doneAt - live.firstAt)) * 1000);
      burstLagMs[kind] = sig2(Math.max(0, live.doneAt - live.lastAck));
      const backlog = await run(client, kind, endpoint, scale, 'txn', true);
      backlogEventsPerSecond[kind] = sig2((scale.burstPuts / Math.max(1, backlog.doneAt - backlog.releasedAt)) * 1000);
      const single = await run(client, kind, endpoint, scale, 'single', false);
      singleEventCpuUs[kind] = sig2(single.cpuUs / scale.singleEvents);
    }
  } finally {
    await wipe(client, PREFIX).catch(() => undefined);
    client.close();
  }
  return { burstEventsPerSecond, burstLagMs, backlogEventsPerSecond, singleEventCpuUs };
}
