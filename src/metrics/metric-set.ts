/**
 * Every metric rollcall exports, declared once: name, help, type and labels. Names follow
 * Prometheus conventions (the `rollcall_` prefix, base units: seconds and revisions, `_total` on
 * counters); labels stay low-cardinality: services, prefixes, owners, reasons and codes, never an
 * instance id or a lease id. docs/metrics.md lists the same metrics for users.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The collectors, as registerRollcallMetrics() feeds them from the diagnostics channels. */
export interface MetricSet {
  readonly instances: Gauge<'prefix' | 'service' | 'status'>;
  readonly catalogEvents: Counter<'prefix' | 'service' | 'type' | 'reason'>;
  readonly catalogStale: Gauge<'prefix'>;
  readonly watchResyncs: Counter<'range' | 'reason'>;
  readonly watchLag: Gauge<'range'>;
  readonly watchStates: Counter<'to'>;
  readonly leaseStates: Gauge<'owner' | 'state'>;
  readonly leaseTransitions: Counter<'owner' | 'to'>;
  readonly keepaliveSeconds: Histogram<'owner'>;
  readonly keepaliveFailures: Counter<'owner'>;
  readonly leaseLosses: Counter<'owner' | 'reason'>;
  readonly picks: Counter<'service' | 'strategy'>;
  readonly ejections: Counter<'service'>;
  readonly panic: Gauge<'service'>;
  readonly sessionTransitions: Counter<'to'>;
  readonly lockWaitSeconds: Histogram<'kind' | 'acquired'>;
  readonly warnings: Counter<'source' | 'code'>;
  readonly listenerErrors: Counter<'source' | 'event'>;
}

/** Keepalive round trips on a healthy loopback take a millisecond; a struggling etcd, seconds. */
const KEEPALIVE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Lock waits range from nothing (free lock) to as long as a holder keeps it. */
const LOCK_WAIT_BUCKETS = [0.001, 0.01, 0.1, 0.5, 1, 5, 15, 60, 300];

/** Creates the metrics on `registry`; `collectInstances` fills rollcall_instances at scrape time. */
export function createMetricSet(registry: Registry, collectInstances: (gauge: MetricSet['instances']) => void): MetricSet {
  const registers = [registry];
  return {
    instances: new Gauge({
      name: 'rollcall_instances',
      help: 'Instances a catalog holds, by service and status (up, draining, leaving; expired: within the grace period).',
      labelNames: ['prefix', 'service', 'status'],
      registers,
      collect() {
        collectInstances(this);
      },
    }),
    catalogEvents: new Counter({
      name: 'rollcall_catalog_events_total',
      help: 'Catalog changes by type (added, updated, removed, recovered) and reason (removed only: deregistered, expired, invalid).',
      labelNames: ['prefix', 'service', 'type', 'reason'],
      registers,
    }),
    catalogStale: new Gauge({
      name: 'rollcall_catalog_stale',
      help: '1 while a catalog cannot reach etcd and serves its last known state, else 0.',
      labelNames: ['prefix'],
      registers,
    }),
    watchResyncs: new Counter({
      name: 'rollcall_watch_resyncs_total',
      help: 'Relists of a watched range, by reason (compacted, rewound, canceled...).',
      labelNames: ['range', 'reason'],
      registers,
    }),
    watchLag: new Gauge({
      name: 'rollcall_watch_lag_revisions',
      help: "etcd's revision minus the revision a watched range has applied, at its last progress report.",
      labelNames: ['range'],
      registers,
    }),
    watchStates: new Counter({
      name: 'rollcall_watch_state_changes_total',
      help: 'State changes of watched ranges, by the state entered.',
      labelNames: ['to'],
      registers,
    }),
    leaseStates: new Gauge({
      name: 'rollcall_leases',
      help: 'Leases by owner (registrar, store) and state, counted from state changes seen since the metrics were registered.',
      labelNames: ['owner', 'state'],
      registers,
    }),
    leaseTransitions: new Counter({
      name: 'rollcall_lease_state_changes_total',
      help: 'Lease state changes, by owner and the state entered.',
      labelNames: ['owner', 'to'],
      registers,
    }),
    keepaliveSeconds: new Histogram({
      name: 'rollcall_lease_keepalive_duration_seconds',
      help: 'Round trip of answered lease keepalives.',
      labelNames: ['owner'],
      buckets: KEEPALIVE_BUCKETS,
      registers,
    }),
    keepaliveFailures: new Counter({
      name: 'rollcall_lease_keepalive_failures_total',
      help: 'Lease keepalives that failed or got no answer (not a lost lease: only etcd saying so is).',
      labelNames: ['owner'],
      registers,
    }),
    leaseLosses: new Counter({
      name: 'rollcall_lease_losses_total',
      help: 'Leases etcd said were gone (expired, revoked, not found), by owner and reason.',
      labelNames: ['owner', 'reason'],
      registers,
    }),
    picks: new Counter({
      name: 'rollcall_picker_picks_total',
      help: 'Instances chosen by pickers, by service and strategy.',
      labelNames: ['service', 'strategy'],
      registers,
    }),
    ejections: new Counter({
      name: 'rollcall_picker_ejections_total',
      help: 'Instances ejected by outlier detection after consecutive failures, by service.',
      labelNames: ['service'],
      registers,
    }),
    panic: new Gauge({
      name: 'rollcall_picker_panic',
      help: '1 while a picker of the service is in panic mode (too few pickable instances, so it picks among all), else 0.',
      labelNames: ['service'],
      registers,
    }),
    sessionTransitions: new Counter({
      name: 'rollcall_store_session_state_changes_total',
      help: 'EtcdStore session state changes, by the state entered.',
      labelNames: ['to'],
      registers,
    }),
    lockWaitSeconds: new Histogram({
      name: 'rollcall_store_lock_wait_seconds',
      help: 'Time waited for a lock or an election, by kind and whether it was acquired.',
      labelNames: ['kind', 'acquired'],
      buckets: LOCK_WAIT_BUCKETS,
      registers,
    }),
    warnings: new Counter({
      name: 'rollcall_warnings_total',
      help: 'warning events of Registrars, Catalogs, Stores and resolvers, by source and error code.',
      labelNames: ['source', 'code'],
      registers,
    }),
    listenerErrors: new Counter({
      name: 'rollcall_listener_errors_total',
      help: "User event listeners that threw or rejected, by source and event.",
      labelNames: ['source', 'event'],
      registers,
    }),
  };
}

/** The metric names, for removal from a registry. */
export function metricNames(set: MetricSet): string[] {
  return Object.values(set).map((metric) => (metric as unknown as { name: string }).name);
}
