/**
 * registerRollcallMetrics(): rollcall's metrics on an application's own prom-client Registry,
 * fed by the diagnostics channels (src/diagnostics/channels.ts). Subscribing costs the rest of
 * rollcall nothing until then: publishers build payloads only while someone listens.
 */
import diagnostics from 'node:diagnostics_channel';
import { register as globalRegistry, type Registry } from 'prom-client';
import type { ChannelName, DiagnosticsPayloads } from '../diagnostics/channels.js';
import type { InstanceStatus } from '../codec/index.js';
import { createMetricSet, metricNames, type MetricSet } from './metric-set.js';

/** What rollcall_instances reads at scrape time: a Catalog satisfies it. */
export interface InstanceSource {
  readonly prefix: string;
  services(options?: { includeLost?: boolean }): string[];
  instances(service: string, query?: { includeLost?: boolean }): ReadonlyArray<{ readonly status: InstanceStatus; readonly inGroup: boolean }>;
}

export interface RollcallMetricsOptions {
  /** Where the metrics are registered. Default: prom-client's global registry. */
  registry?: Registry;
  /** Catalogs whose instances rollcall_instances counts. More can be added with addCatalog(). */
  catalogs?: readonly InstanceSource[];
}

export interface RollcallMetrics {
  readonly registry: Registry;
  /** Counts `catalog`'s instances in rollcall_instances from now on; returns a function that stops. */
  addCatalog(catalog: InstanceSource): () => void;
  /** Unsubscribes from the channels and removes the metrics from the registry. Idempotent. */
  close(): void;
}

const STATUSES = ['up', 'draining', 'leaving', 'expired'] as const;
/** A lease or session that reached this state is gone: it is no longer counted. */
const FINAL_STATE = 'closed';

type Handlers = { [N in ChannelName]?: (message: DiagnosticsPayloads[N]) => void };

/**
 * Registers rollcall's metrics (docs/metrics.md) on `options.registry` and subscribes them to
 * the diagnostics channels. Throws prom-client's error when the registry already holds a metric
 * of the same name (registering twice on one registry).
 */
export function registerRollcallMetrics(options: RollcallMetricsOptions = {}): RollcallMetrics {
  const registry = options.registry ?? globalRegistry;
  const catalogs = new Set<InstanceSource>(options.catalogs ?? []);
  const metrics = createMetricSet(registry, (gauge) => countInstances(gauge, catalogs));
  const subscriptions = subscribeAll(handlersFor(metrics));
  let closed = false;
  return {
    registry,
    addCatalog(catalog) {
      catalogs.add(catalog);
      return () => catalogs.delete(catalog);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const [name, handler] of subscriptions) diagnostics.unsubscribe(name, handler);
      for (const name of metricNames(metrics)) registry.removeSingleMetric(name);
      catalogs.clear();
    },
  };
}

function countInstances(gauge: MetricSet['instances'], catalogs: ReadonlySet<InstanceSource>): void {
  gauge.reset();
  for (const catalog of catalogs) {
    for (const service of catalog.services({ includeLost: true })) {
      const counts = new Map<string, number>(STATUSES.map((s) => [s, 0]));
      for (const instance of catalog.instances(service, { includeLost: true })) {
        const status = instance.inGroup ? instance.status : 'expired';
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
      for (const [status, count] of counts) gauge.set({ prefix: catalog.prefix, service, status }, count);
    }
  }
}

function handlersFor(m: MetricSet): Handlers {
  const leaseCounts = transitionCounter(m.leaseStates);
  return {
    'rollcall:catalog:change': ({ prefix, service, type, reason }) => m.catalogEvents.inc({ prefix, service, type, reason: reason ?? '' }),
    'rollcall:catalog:stale': ({ prefix, stale }) => m.catalogStale.set({ prefix }, stale ? 1 : 0),
    'rollcall:watch:resync': ({ range, reason }) => m.watchResyncs.inc({ range, reason }),
    'rollcall:watch:progress': ({ range, appliedRevision, headerRevision }) => m.watchLag.set({ range }, Math.max(0, headerRevision - appliedRevision)),
    'rollcall:watch:state': ({ to }) => m.watchStates.inc({ to }),
    'rollcall:lease:state': ({ owner, from, to }) => {
      m.leaseTransitions.inc({ owner, to });
      leaseCounts(owner, from, to);
    },
    'rollcall:lease:keepalive': ({ owner, ok, roundTripMs }) => {
      if (ok) m.keepaliveSeconds.observe({ owner }, roundTripMs / 1000);
      else m.keepaliveFailures.inc({ owner });
    },
    'rollcall:lease:lost': ({ owner, reason }) => m.leaseLosses.inc({ owner, reason }),
    'rollcall:picker:pick': ({ service, strategy }) => m.picks.inc({ service, strategy }),
    'rollcall:picker:ejection': ({ service, ejected }) => {
      if (ejected) m.ejections.inc({ service });
    },
    'rollcall:picker:panic': ({ service, panic }) => m.panic.set({ service }, panic ? 1 : 0),
    'rollcall:store:session': ({ to }) => m.sessionTransitions.inc({ to }),
    'rollcall:store:lock-wait': ({ kind, waitedMs, acquired }) => m.lockWaitSeconds.observe({ kind, acquired: String(acquired) }, waitedMs / 1000),
    'rollcall:warning': ({ source, error }) => m.warnings.inc({ source, code: errorCode(error) }),
    'rollcall:listener-error': ({ source, event }) => m.listenerErrors.inc({ source, event }),
  };
}

/**
 * rollcall_leases from `from -> to` changes: one fewer in `from`, one more in `to`. A lease that
 * changed state before the metrics were registered is counted from its first change seen, and
 * never below 0.
 */
function transitionCounter(gauge: MetricSet['leaseStates']): (owner: string, from: string, to: string) => void {
  const counts = new Map<string, number>();
  const add = (owner: string, state: string, delta: number): void => {
    const key = `${owner}\u0000${state}`;
    const next = Math.max(0, (counts.get(key) ?? 0) + delta);
    counts.set(key, next);
    gauge.set({ owner, state }, next);
  };
  return (owner, from, to) => {
    if (from !== to) add(owner, from, -1);
    if (to !== FINAL_STATE) add(owner, to, from === to ? 0 : 1);
  };
}

function errorCode(error: Error): string {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : 'unknown';
}

/** Subscribes every handler; a handler that throws must not break the publisher, so it is caught. */
function subscribeAll(handlers: Handlers): Array<[string, (message: unknown, name: string | symbol) => void]> {
  const subscribed: Array<[string, (message: unknown, name: string | symbol) => void]> = [];
  for (const [name, handler] of Object.entries(handlers) as Array<[ChannelName, (message: unknown) => void]>) {
    const safe = (message: unknown): void => {
      try {
        handler(message);
      } catch {
        // A malformed payload (a label value prom-client refuses) costs one sample, never the publisher's work.
      }
    };
    diagnostics.subscribe(name, safe);
    subscribed.push([name, safe]);
  }
  return subscribed;
}
