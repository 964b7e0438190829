/**
 * What the dashboard remembers of a Catalog's events: a numbered log for Server-Sent Events
 * (so a reconnecting browser resumes with Last-Event-ID), each service's recent event log, its
 * instance count over the last minutes (the services view's chart), and the instances that
 * deregistered a moment ago (shown "leaving" as `deregistered` before they vanish).
 */
import { EventEmitter } from 'node:events';
import type { Catalog, CatalogChange } from '../discovery/index.js';
import type { RollcallError } from '../errors.js';

export interface DashboardEvent {
  readonly id: number;
  /** ms since epoch. */
  readonly at: number;
  readonly kind: 'added' | 'updated' | 'removed' | 'recovered' | 'warning' | 'stale' | 'synced';
  readonly service?: string;
  readonly instance?: string;
  readonly key?: string;
  /** removed: deregistered / expired / invalid; warning: the error code. */
  readonly reason?: string;
  readonly status?: string;
  readonly message?: string;
  readonly revision?: number;
}

export interface Departed {
  readonly at: number;
  readonly instance: CatalogChange & { type: 'removed' };
}

/** A deregistered instance stays in the view this long, marked `deregistered`. */
export const DEPARTED_SHOWN_MS = 10_000;
const LOG_SIZE = 1000;
const SERVICE_LOG_SIZE = 100;
const HISTORY_MS = 15 * 60_000;

export class EventHub extends EventEmitter<{ event: [DashboardEvent] }> {
  private nextId = 1;
  private readonly log: DashboardEvent[] = [];
  private readonly serviceLogs = new Map<string, DashboardEvent[]>();
  private readonly histories = new Map<string, Array<[number, number]>>();
  private readonly departed = new Map<string, Departed>();
  private readonly detach: Array<() => void> = [];

  constructor(private readonly catalog: Catalog) {
    super();
    this.setMaxListeners(0);
    const onChange = (change: CatalogChange): void => this.onChange(change);
    const onWarning = (error: RollcallError): void => this.onWarning(error);
    const onStale = (): void => this.record({ kind: 'stale', message: 'etcd cannot be reached: showing the last known state' });
    const onSynced = (): void => this.record({ kind: 'synced', message: 'in sync with etcd' });
    for (const type of ['added', 'updated', 'removed', 'recovered'] as const) {
      catalog.on(type, onChange);
      this.detach.push(() => catalog.off(type, onChange));
    }
    catalog.on('warning', onWarning);
    catalog.on('stale', onStale);
    catalog.on('synced', onSynced);
    this.detach.push(() => catalog.off('warning', onWarning), () => catalog.off('stale', onStale), () => catalog.off('synced', onSynced));
    for (const service of catalog.services({ includeLost: true })) this.sample(service);
  }

  /** Events after `lastId`, or undefined when some of them were already dropped (the client must reload). */
  since(lastId: number): DashboardEvent[] | undefined {
    const first = this.log[0];
    if (first !== undefined && lastId + 1 < first.id) return undefined;
    if (first === undefined && lastId + 1 < this.nextId) return undefined;
    return this.log.filter((e) => e.id > lastId);
  }

  get lastId(): number {
    return this.nextId - 1;
  }

  serviceLog(service: string): readonly DashboardEvent[] {
    return this.serviceLogs.get(service) ?? [];
  }

  /** [ms since epoch, live instances] points of the last minutes, oldest first. */
  history(service: string): ReadonlyArray<readonly [number, number]> {
    return this.histories.get(service) ?? [];
  }

  /** Instances of `service` that deregistered less than DEPARTED_SHOWN_MS ago. */
  departedOf(service: string, now = Date.now()): Departed[] {
    const found: Departed[] = [];
    for (const [key, d] of this.departed) {
      if (now - d.at > DEPARTED_SHOWN_MS) this.departed.delete(key);
      else if (d.instance.service === service) found.push(d);
    }
    return found;
  }

  /** Services seen with departed instances (so a service whose last instance just left is still listed). */
  servicesWithDeparted(now = Date.now()): string[] {
    const names = new Set<string>();
    for (const d of this.departed.values()) if (now - d.at <= DEPARTED_SHOWN_MS) names.add(d.instance.service);
    return [...names];
  }

  close(): void {
    for (const undo of this.detach.splice(0)) undo();
  }

  private onChange(change: CatalogChange): void {
    const instance = change.type === 'added' || change.type === 'removed' ? change.instance : change.current;
    if (change.type === 'removed' && change.reason === 'deregistered') this.departed.set(instance.key, { at: Date.now(), instance: change });
    else this.departed.delete(instance.key);
    this.record({
      kind: change.type,
      service: change.service,
      instance: instance.id,
      key: instance.key,
      status: instance.status,
      revision: change.revision,
      ...(change.type === 'removed' ? { reason: change.reason } : {}),
    });
    this.sample(change.service);
  }

  private onWarning(error: RollcallError): void {
    const key = typeof error.details['key'] === 'string' ? error.details['key'] : undefined;
    const service = key === undefined ? undefined : serviceOfKey(this.catalog.prefix, key);
    this.record({ kind: 'warning', reason: error.code, message: error.message, ...(key !== undefined ? { key } : {}), ...(service !== undefined ? { service } : {}) });
  }

  private record(fields: Omit<DashboardEvent, 'id' | 'at'>): void {
    const event: DashboardEvent = { id: this.nextId++, at: Date.now(), ...fields };
    this.log.push(event);
    if (this.log.length > LOG_SIZE) this.log.shift();
    if (event.service !== undefined) {
      const list = this.serviceLogs.get(event.service) ?? [];
      list.push(event);
      if (list.length > SERVICE_LOG_SIZE) list.shift();
      this.serviceLogs.set(event.service, list);
    }
    this.emit('event', event);
  }

  private sample(service: string): void {
    const now = Date.now();
    const points = this.histories.get(service) ?? [];
    points.push([now, this.catalog.instances(service).length]);
    // Keep one point older than the window, so the chart starts at the right height.
    while (points.length > 2 && (points[1]?.[0] ?? now) < now - HISTORY_MS) points.shift();
    if (points.length > 500) points.shift();
    this.histories.set(service, points);
  }
}

/** `<prefix>/<service>/<id>` -> service, or undefined for another shape. */
export function serviceOfKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}/`)) return undefined;
  const parts = key.slice(prefix.length + 1).split('/');
  return parts.length === 2 && parts[0] !== '' ? parts[0] : undefined;
}
