/**
 * Across processes: register() -> `added` in another process (and a bare lease put -> put event),
 * keepalive messages/s with many instances registered, and crash -> removed for a SIGKILLed
 * registrar (one shared lease) next to bare keys on a lease each.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { Catalog, Registrar } from '../src/index.js';
import { instanceValue, wipe } from './etcd-support.js';
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
const CONSUMER = new URL('./consumer-child.js', import.meta.url);
const CRASHER = new URL('./registrar-child.js', import.meta.url);
const KEEPALIVE_TTL = 10;

interface ChildMessage {
  ready?: boolean;
  event?: 'added' | 'removed';
  key?: string;
  at?: number;
}

async function startChild(url: URL, args: string[]): Promise<{ child: ChildProcess; next: (key: string) => Promise<number> }> {
  const child = fork(url, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (at: number) => void>();
  const arrived = new Map<string, number>();
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench child ${url.pathname} exited with ${code}`)));
    child.on('message', (message: ChildMessage) => {
      if (message.ready) resolve();
      if (message.key === undefined || message.at === undefined) return;
      const waiter = waiting.get(message.key);
      if (waiter) waiter(message.at);
      else arrived.set(message.key, message.at);
    });
  });
  await ready;
  const next = (key: string): Promise<number> => {
    const at = arrived.get(key);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => waiting.set(key, resolve));
  };
  return { child, next };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function summary(samples: number[]): { p50: number; p90: number; p99: number } {
  return { p50: round(quantile(samples, 0.5), 2), p90: round(quantile(samples, 0.9), 2), p99: round(quantile(samples, 0.99), 2) };
}

async function registerToAdded(endpoint: string, scale: BenchScale): Promise<PropagationFigures['registerToAddedMs']> {
  const client = new Etcd3({ hosts: endpoint });
  const out: PropagationFigures['registerToAddedMs'] = {};
  try {
    for (const kind of ['rollcall', 'raw'] as const) {
      await wipe(client, PREFIX);
      const { child, next } = await startChild(CONSUMER, [endpoint, PREFIX, kind]);
      const samples: number[] = [];
      const registrar = kind === 'rollcall' ? new Registrar({ endpoints: [endpoint], prefix: PREFIX, ttl: 10 }) : undefined;
      const lease = kind === 'raw' ? client.lease(10) : undefined;
      try {
        for (let i = 0; i < scale.propagationSamples; i += 1) {
          const id = `p-${i}`;
          const key = `${PREFIX}/prop/${id}`;
          const start = machineNow();
          if (registrar) await registrar.register({ service: 'prop', id, address: `10.0.0.1:${1000 + i}` });
          else await lease?.put(key).value(instanceValue('prop', i));
          samples.push((await next(key)) - start);
        }
      } finally {
        await registrar?.close();
        await lease?.revoke().catch(() => undefined);
        await stopChild(child);
      }
      out[kind] = summary(samples.slice(Math.min(5, samples.length - 1)));
    }
  } finally {
    await wipe(client, PREFIX).catch(() => undefined);
    client.close();
  }
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
