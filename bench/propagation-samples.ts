/**
 * register() -> `added` in another process, next to a bare lease put -> put event, sampled so
 * that the two sides can be compared on a busy machine:
 *
 * - Interleaved: both consumers run for the whole measurement (each on its own prefix, so each
 *   sees only its side's writes), and the writes alternate rollcall, raw, raw, rollcall, ... A
 *   burst of load from elsewhere (or a GC pause) then falls on both sides alike; measured one
 *   side after the other, the ratio swung from run to run with whatever else the machine was
 *   doing during each side's minute.
 * - One write in flight at a time: each waits for its event before the next starts, so no
 *   sample queues behind another.
 * - Same warm-up: `warmup` writes per side before the counted ones, through the same code (the
 *   registrar's first grants its lease and starts its ownership watch) while the JIT warms up in
 *   every process; then a full GC (with --expose-gc) so that garbage left by the figures measured
 *   before this one is not collected during one side's samples.
 * - The same round trips: the raw lease is granted before the first write, as the registrar's
 *   is by its first (uncounted) register(); every counted write is one etcd request on each side.
 *
 * With `stages`, each sample also records when the write was handed to etcd3 and acknowledged
 * (this process) and when the watch message arrived (the consumer's process), see etcd3-timing.ts.
 */
import { Etcd3, type Lease } from 'etcd3';
import { Registrar } from '../src/index.js';
import { startChild, stopChild, type BenchChild } from './bench-child.js';
import { instanceValue, wipe } from './etcd-support.js';
import { clearMarks, takeMarks, timeWrites } from './etcd3-timing.js';
import { collectGarbage, machineNow } from './stats.js';

export const SIDES = ['rollcall', 'raw'] as const;
export type Side = (typeof SIDES)[number];

/** Machine times (ms) of one write; `sent`, `acked` and `received` only with stage timing. */
export interface PropagationSample {
  readonly start: number;
  readonly sent?: number;
  readonly acked?: number;
  /** The write call resolved. */
  readonly returned: number;
  readonly received?: number;
  /** `added` (rollcall) or the put event (raw) emitted in the consumer's process. */
  readonly emitted: number;
}

export interface SampleOptions {
  /** Counted writes per side. */
  readonly samples: number;
  /** Uncounted writes per side first. */
  readonly warmup: number;
  readonly stages?: boolean;
  /** Key prefix; each side writes under `<prefix>-<side>`. */
  readonly prefix?: string;
}

const CONSUMER = new URL('./consumer-child.js', import.meta.url);
const TTL = 10;

interface Writer {
  readonly consumer: BenchChild;
  readonly prefix: string;
  write(i: number): Promise<unknown>;
}

export async function samplePropagation(endpoint: string, options: SampleOptions): Promise<Record<Side, PropagationSample[]>> {
  const base = options.prefix ?? 'bench-prop';
  const prefixes: Record<Side, string> = { rollcall: `${base}-rollcall`, raw: `${base}-raw` };
  if (options.stages === true) timeWrites();
  clearMarks();
  const client = new Etcd3({ hosts: endpoint });
  let registrar: Registrar | undefined;
  let lease: Lease | undefined;
  const consumers: BenchChild[] = [];
  try {
    for (const side of SIDES) await wipe(client, prefixes[side]);
    for (const side of SIDES) consumers.push(await startChild(CONSUMER, [endpoint, prefixes[side], side, ...(options.stages === true ? ['stages'] : [])]));
    const [rollcallConsumer, rawConsumer] = consumers as [BenchChild, BenchChild];
    const registrarNow = new Registrar({ endpoints: [endpoint], prefix: prefixes.rollcall, ttl: TTL });
    registrar = registrarNow;
    const leaseNow = client.lease(TTL);
    lease = leaseNow;
    await leaseNow.grant();
    const writers: Record<Side, Writer> = {
      rollcall: {
        consumer: rollcallConsumer,
        prefix: prefixes.rollcall,
        write: (i) => registrarNow.register({ service: 'prop', id: `p-${i}`, address: `10.0.0.1:${1000 + (i % 60000)}` }),
      },
      raw: {
        consumer: rawConsumer,
        prefix: prefixes.raw,
        write: (i) => leaseNow.put(`${prefixes.raw}/prop/p-${i}`).value(instanceValue('prop', i)).exec(),
      },
    };
    const out: Record<Side, PropagationSample[]> = { rollcall: [], raw: [] };
    for (let i = 0; i < options.warmup + options.samples; i += 1) {
      // What earlier figures left on the heap is collected now, not during some side's samples.
      if (i === options.warmup) collectGarbage();
      // rollcall, raw, raw, rollcall, ...: neither side always runs right after the other.
      for (const side of i % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        const sample = await sampleOne(writers[side], i);
        if (i >= options.warmup) out[side].push(sample);
      }
    }
    return out;
  } finally {
    await registrar?.close().catch(() => undefined);
    await lease?.revoke().catch(() => undefined);
    for (const consumer of consumers) await stopChild(consumer.child);
    for (const side of SIDES) await wipe(client, prefixes[side]).catch(() => undefined);
    client.close();
    clearMarks();
  }
}

async function sampleOne(writer: Writer, i: number): Promise<PropagationSample> {
  const key = `${writer.prefix}/prop/p-${i}`;
  const start = machineNow();
  await writer.write(i);
  const returned = machineNow();
  const report = await writer.consumer.added(key);
  const { sent, acked } = takeMarks(key);
  return {
    start,
    returned,
    emitted: report.at,
    ...(sent === undefined ? {} : { sent }),
    ...(acked === undefined ? {} : { acked }),
    ...(report.receivedAt === undefined ? {} : { received: report.receivedAt }),
  };
}
