/**
 * `/api/services` and `/api/services/:name`: what the services and service views show, from the
 * Catalog (instances, membership) plus etcd for each lease's TTL left.
 */
import type { Catalog, CatalogInstance } from '../discovery/index.js';
import type { EtcdConnection } from '../etcd/index.js';
import { leaseHex } from '../etcd/index.js';
import type { EventHub } from './event-hub.js';

export interface ServiceSummary {
  readonly name: string;
  readonly up: number;
  readonly draining: number;
  readonly leaving: number;
  /** Expired within the grace period. */
  readonly lost: number;
  readonly zones: string[];
  readonly versions: string[];
  readonly history: ReadonlyArray<readonly [number, number]>;
}

export type InstanceState = 'up' | 'draining' | 'leaving' | 'expired' | 'deregistered';

export interface InstanceRow {
  readonly id: string;
  readonly address: string;
  readonly state: InstanceState;
  readonly zone: string | null;
  readonly weight: number;
  readonly version: string | null;
  readonly tags: readonly string[];
  readonly meta: unknown;
  readonly key: string;
  /** Lease id in hex ('' when none). */
  readonly lease: string;
  /** Seconds left on the lease; null when none, unknown, or the instance is gone. */
  readonly ttlLeft: number | null;
  readonly registeredAt: string | null;
  /** When it went away (expired or deregistered), ms since epoch. */
  readonly goneAt: number | null;
  readonly modRevision: number;
  readonly createRevision: number;
}

export function listServices(catalog: Catalog, hub: EventHub): ServiceSummary[] {
  const names = new Set([...catalog.services({ includeLost: true }), ...hub.servicesWithDeparted()]);
  return [...names].sort().map((name) => {
    const all = catalog.instances(name, { includeLost: true });
    const count = (test: (i: CatalogInstance) => boolean): number => all.filter(test).length;
    const distinct = (pick: (i: CatalogInstance) => string | undefined): string[] =>
      [...new Set(all.map(pick).filter((v): v is string => v !== undefined))].sort();
    return {
      name,
      up: count((i) => i.inGroup && i.status === 'up'),
      draining: count((i) => i.inGroup && i.status === 'draining'),
      leaving: count((i) => i.inGroup && i.status === 'leaving'),
      lost: count((i) => !i.inGroup),
      zones: distinct((i) => i.zone),
      versions: distinct((i) => i.version),
      history: hub.history(name),
    };
  });
}

export async function describeService(catalog: Catalog, hub: EventHub, conn: EtcdConnection, name: string): Promise<{ name: string; instances: InstanceRow[]; events: unknown[] }> {
  const live = catalog.instances(name, { includeLost: true });
  const ttls = await leaseTtls(conn, live.filter((i) => i.inGroup).map((i) => i.lease));
  const rows = live.map((i) => row(i, i.inGroup ? i.status : 'expired', i.inGroup ? (ttls.get(i.lease) ?? null) : null, i.lostAt ?? null));
  for (const d of hub.departedOf(name)) {
    if (!rows.some((r) => r.key === d.instance.instance.key)) rows.push(row(d.instance.instance, 'deregistered', null, d.at));
  }
  rows.sort((a, b) => a.id.localeCompare(b.id));
  return { name, instances: rows, events: [...hub.serviceLog(name)] };
}

function row(i: CatalogInstance, state: InstanceState, ttlLeft: number | null, goneAt: number | null): InstanceRow {
  return {
    id: i.id,
    address: i.address,
    state,
    zone: i.zone ?? null,
    weight: i.weight,
    version: i.version ?? null,
    tags: i.tags,
    meta: i.meta,
    key: i.key,
    lease: i.lease === '0' ? '' : leaseHex(i.lease),
    ttlLeft,
    registeredAt: i.registeredAt ?? null,
    goneAt,
    modRevision: i.modRevision,
    createRevision: i.createRevision,
  };
}

/** TTL left of each distinct lease (decimal ids), asked of etcd concurrently; unknown ones are left out. */
export async function leaseTtls(conn: EtcdConnection, leases: readonly string[]): Promise<Map<string, number>> {
  const distinct = [...new Set(leases)].filter((l) => l !== '0');
  const found = new Map<string, number>();
  await Promise.all(
    distinct.map(async (lease) => {
      try {
        const answer = await conn.call(`lease ttl ${lease}`, () => conn.client.leaseClient.leaseTimeToLive({ ID: lease }));
        const ttl = Number(answer.TTL);
        if (ttl >= 0) found.set(lease, ttl);
      } catch {
        // A lease etcd cannot describe right now shows as unknown; the rest of the view still renders.
      }
    }),
  );
  return found;
}
