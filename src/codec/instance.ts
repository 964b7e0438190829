/**
 * The decoded form of one registered service instance, as the catalog, the balancers and the CLI
 * see it. The wire form (what is stored in etcd) lives in ./instance-codec.ts.
 */

/** `up`: pickable. `draining`: registered but not picked. `leaving`: deregistering, about to be deleted. */
export type InstanceStatus = 'up' | 'draining' | 'leaving';

export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['up', 'draining', 'leaving'];

/** JSON values that may appear in user metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Instance {
  /** Service name: the key segment after the prefix. */
  readonly service: string;
  /** Instance id: the last key segment. Unique within a service. */
  readonly id: string;
  /** `host:port` (or any dial target a Go endpoints.Endpoint would carry in `Addr`). */
  readonly address: string;
  readonly status: InstanceStatus;
  /** Relative weight for the weighted balancer; a positive number (rollcall writes integers), default 1. */
  readonly weight: number;
  readonly zone?: string;
  readonly version?: string;
  readonly tags: readonly string[];
  /** The user's own metadata object. */
  readonly meta: Readonly<Record<string, JsonValue>>;
  /** ISO-8601 time the instance was first registered, when the writer recorded it. */
  readonly registeredAt?: string;
  /** Full etcd key of the record. */
  readonly key: string;
  /** Lease id (decimal string) the key is attached to; "0" when none. */
  readonly lease: string;
  /** etcd revision of the last write to this key. */
  readonly modRevision: number;
  /** etcd revision at which this key was created. */
  readonly createRevision: number;
}
