/**
 * Across processes: register() -> `added` in another process next to a bare lease put -> put
 * event (sampled interleaved, see propagation-samples.ts), keepalive messages/s with many
 * instances registered, and crash -> removed for a SIGKILLed registrar (one shared lease) next
 * to bare keys on a lease each.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { Catalog, Registrar } from '../src/index.js';
import { startChild } from './bench-child.js';
import { wipe } from './etcd-support.js';
import { samplePropagation, SIDES } from './propagation-samples.js';
import type { BenchScale } from './scale.js';
import { machineNow, quantile, round } from './stats.js';

export interface PropagationFigures {
  /** consumer -> p50/p90/p99 ms from the write call to the event in the other process. */
  readonly registerToAddedMs: Record<string, { p50: number; p90: number; p99: number }>;
  /** Keepalive messages/s: measured for rollcall; for a lease per instance, n / (ttl / 3). */
  readonly keepalivePerSecond: { rollcall: number; leasePerInstance: number; instances: number; ttl: number };
  /** ttl -> consumer -> ms from SIGKILL to the last removal seen (p99 over the crashed instances). */
  readonly crashToRemovedMs: Record<string, Record<string, number>>;
}

const PREFIX = 'bench-prop';
const CRASHER = new URL('./registrar-child.js', import.meta.url);
const KEEPALIVE_TTL = 10;
/** Uncounted writes per side before the register() -> added samples (see propagation-samples.ts). */
export const PROPAGATION_WARMUP = 20;

function summary(samples: number[]): { p50: number; p90: number; p99: number } {
  return { p50: round(quantile(samples, 0.5), 2), p90: round(quantile(samples, 0.9), 2), p99: round(quantile(samples, 0.99), 2) };
}

/** Both sides sampled in the same run, interleaved (propagation-samples.ts). */
export async function registerToAdded(endpoint: string, scale: BenchScale): Promise<PropagationFigures['registerToAddedMs']> {
  const samples = await samplePropagation(endpoint, { samples: scale.propagationSamples, warmup: PROPAGATION_WARMUP, prefix: PREFIX });
  const out: PropagationFigures['registerToAddedMs'] = {};
  for (const side of SIDES) out[side] = summary(samples[side].map((s) => s.emitted - s.start));
  return out;
}

async function keepalives(endpoint: string, scale: BenchScale): Promise<PropagationFigures['keepalivePerSecond']> {
  const registrar = new Registrar({ endpoints: [endpoint], prefix: `${PREFIX}-ka`, ttl: KEEPALIVE_TTL });
  let count = 0;
  const onKeepalive = (): void => {
    count += 1;
  };
  try {
    for (let i = 0; i < scale.keepaliveInstances; i += 200) {
      const batch = [];
      for (let j = i; j < Math.min(scale.keepaliveInstances, i + 200); j += 1) batch.push(registrar.register({ service: 'ka', id: `k-${j}`, address: `10.0.0.2:${j % 60000}` }));
      await Promise.all(batch);
    }
    subscribe('rollcall:lease:keepalive', onKeepalive);
    const start = machineNow();
    await sleep(scale.keepaliveMs);
    const seconds = (machineNow() - start) / 1000;
    return {
      rollcall: round(count / seconds, 2),
      leasePerInstance: round(scale.keepaliveInstances / (KEEPALIVE_TTL / 3)),
      instances: scale.keepaliveInstances,
      ttl: KEEPALIVE_TTL,
    };
  } finally {
    unsubscribe('rollcall:lease:keepalive', onKeepalive);
    await registrar.close();
  }
}

async function crashes(endpoint: string, scale: BenchScale): Promise<PropagationFigures['crashToRemovedMs']> {
  const out: PropagationFigures['crashToRemovedMs'] = {};
  const client = new Etcd3({ hosts: endpoint });
  const prefix = `${PREFIX}-crash`;
  const catalog = await Catalog.open({ endpoints: [endpoint], prefix, gracePeriodMs: 0, timeoutMs: 60_000 });
  const watcher = await client.watch().prefix(`${prefix}/crash-raw/`).create();
  const removedAt = new Map<string, number>();
  catalog.on('removed', ({ instance }) => removedAt.set(instance.key, machineNow()));
  watcher.on('delete', (kv) => removedAt.set(kv.key.toString('utf8'), machineNow()));
  try {
    for (const ttl of scale.crashTtls) {
      removedAt.clear();
      const crasher = await startChild(CRASHER, [endpoint, prefix, String(scale.crashInstances), String(ttl)]);
      const killedAt = machineNow();
      crasher.child.kill('SIGKILL');
      await once(crasher.child, 'exit');
      const deadline = killedAt + ttl * 3000 + 5000;
      while (removedAt.size < scale.crashInstances * 2 && machineNow() < deadline) await sleep(20);
      const after = (kind: string): number => {
        const times = [...removedAt].filter(([key]) => key.includes(`/crash-${kind}/`)).map(([, at]) => at - killedAt);
        return times.length < scale.crashInstances ? Number.NaN : round(quantile(times, 0.99));
      };
      out[String(ttl)] = { rollcall: after('rollcall'), raw: after('raw') };
    }
  } finally {
    await watcher.cancel();
    await catalog.close();
    await wipe(client, prefix).catch(() => undefined);
    client.close();
  }
  return out;
}

export async function benchPropagation(endpoint: string, scale: BenchScale): Promise<PropagationFigures> {
  const registerToAddedMs = await registerToAdded(endpoint, scale);
  const keepalivePerSecond = await keepalives(endpoint, scale);
  const crashToRemovedMs = await crashes(endpoint, scale);
  return { registerToAddedMs, keepalivePerSecond, crashToRemovedMs };
}
