/**
 * rollcall's `node:diagnostics_channel` channels: the one seam metrics, the dashboard and users'
 * own tracing subscribe to, the way undici publishes its request life cycle. Every channel name
 * starts `rollcall:`; each payload type below is part of the public API (docs/diagnostics.md).
 *
 * Publishing costs nothing while nobody subscribes: every publisher checks `hasSubscribers`
 * first, so even `rollcall:picker:pick` stays on the allocation-free pick path.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Instance } from '../codec/instance.js';
import type { PanicInfo } from '../balance/picker.js';

/** Who holds a lease: a Registrar's instances, or an EtcdStore's session (locks, elections, TTL keys). */
export type LeaseOwner = 'registrar' | 'store';

export interface DiagnosticsPayloads {
  /** A lease changed state (`from -> to`), as the owner's state machine moved. */
  'rollcall:lease:state': { owner: LeaseOwner; leaseId: string | undefined; from: string; to: string };
  /** One keepalive round trip: answered (`ok`, with the TTL etcd returned) or failed (`error`). */
  'rollcall:lease:keepalive': { owner: LeaseOwner; leaseId: string; ok: boolean; roundTripMs: number; ttl?: number; error?: Error };
  /** etcd said a lease is gone (expired, revoked, not found); the owner re-grants. */
  'rollcall:lease:lost': { owner: LeaseOwner; leaseId: string; reason: string };
  /**
   * A watched range changed state (listing, watching, disconnected, closed…). `endpoint`: the etcd
   * endpoint it is listed and watched through (or will be next); absent on a client passed in by
   * the user, where etcd3 picks the member.
   */
  'rollcall:watch:state': { range: string; from: string; to: string; endpoint?: string };
  /** A watched range was relisted and diffed (`reason`: compacted, rewound, canceled…). */
  'rollcall:watch:resync': { range: string; reason: string; revision: number };
  /** A watched range applied events up to `appliedRevision`; `headerRevision` is etcd's revision then. */
  'rollcall:watch:progress': { range: string; appliedRevision: number; headerRevision: number };
  /** A Catalog emitted a change (added, updated, removed with reason, recovered). */
  'rollcall:catalog:change': { prefix: string; type: string; service: string; id: string; revision: number; reason?: string };
  /** A Catalog became stale (lost contact with etcd) or fresh again. */
  'rollcall:catalog:stale': { prefix: string; stale: boolean };
  /** A picker chose `instance`. Hot: published only while subscribed. */
  'rollcall:picker:pick': { service: string; strategy: string; instance: Instance };
  /** A picker ejected an instance after consecutive failures, or let it back (`ejected: false`). */
  'rollcall:picker:ejection': { service: string; instance: Instance; ejected: boolean; durationMs?: number };
  /** A picker entered (`panic: true`) or left panic mode: too few pickable instances, so it picks among all. */
  'rollcall:picker:panic': PanicInfo;
  /** An EtcdStore session changed state. */
  'rollcall:store:session': { leaseId: string | undefined; from: string; to: string };
  /** A lock or election wait ended: acquired after `waitedMs`, or gave up (aborted, closed, lease lost). */
  'rollcall:store:lock-wait': { kind: 'lock' | 'election'; name: string; waitedMs: number; acquired: boolean };
  /** A `warning` event was emitted by a Registrar, Catalog or Store. */
  'rollcall:warning': { source: string; error: Error };
  /** A user's event listener threw or rejected; it became a `warning` (ListenerError). */
  'rollcall:listener-error': { source: string; event: string; error: unknown };
}

export type ChannelName = keyof DiagnosticsPayloads;

export const CHANNEL_NAMES = [
  'rollcall:lease:state',
  'rollcall:lease:keepalive',
  'rollcall:lease:lost',
  'rollcall:watch:state',
  'rollcall:watch:resync',
  'rollcall:watch:progress',
  'rollcall:catalog:change',
  'rollcall:catalog:stale',
  'rollcall:picker:pick',
  'rollcall:picker:ejection',
  'rollcall:picker:panic',
  'rollcall:store:session',
  'rollcall:store:lock-wait',
  'rollcall:warning',
  'rollcall:listener-error',
] as const satisfies readonly ChannelName[];

/** A channel whose `publish` takes that channel's payload type. */
export interface TypedChannel<N extends ChannelName> extends diagnostics.Channel {
  readonly name: N;
  publish(message: DiagnosticsPayloads[N]): void;
}

/** The channel called `name` (the same object `diagnostics_channel.channel(name)` returns). */
export function channel<N extends ChannelName>(name: N): TypedChannel<N> {
  return diagnostics.channel(name) as TypedChannel<N>;
}
