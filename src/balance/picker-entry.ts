/**
 * The per-instance state a picker keeps, keyed by the instance's etcd key so that it survives
 * `update()` for instances still present. Strategies read and write these fields directly:
 * one mutable record per instance is what lets `pick()` run without allocating.
 *
 * Numbers a pick reads for many instances (in-flight counts, EDF deadlines) live in typed arrays
 * indexed by the entry's `slot` instead: a pick over 100,000 instances then reads a few dense
 * arrays rather than chasing a pointer to a record scattered over the heap, which is what made
 * picks slower the larger the service.
 */
import type { Instance } from '../codec/instance.js';
import { hashKey } from './key-hash.js';

export interface PickerEntry {
  /** The instance's etcd key: the identity state is kept under. */
  readonly key: string;
  /** Small integer, unique among the picker's entries, reused after the entry leaves (slot-table.ts). */
  readonly slot: number;
  /** Latest version of the instance (replaced on every update). */
  instance: Instance;
  /** `instance.weight` when it is a positive finite number, else 1. */
  weight: number;
  /** Hash of `key`: where the hash ring derives the instance's points from. */
  readonly hash: number;
  /** `instance.status` is `up` (and the entry is still in the picker). */
  up: boolean;
  /** `up` and matching the filter: may be picked when not ejected. */
  eligible: boolean;
  /** Matching the filter and not leaving (up or draining): pickable in panic mode. */
  protectable: boolean;
  /** In the preferred zone (false when no zone is preferred). */
  local: boolean;
  /** Currently in the picker's candidate list. */
  candidate: boolean;
  /** Failures since the last success or ejection. */
  failures: number;
  /** How many times this instance has been ejected: the ejection-time multiplier. */
  ejections: number;
  /** Currently ejected (not picked until `returnAt`). */
  ejected: boolean;
  /**
   * Clock time (ms) at which the current ejection ends while `ejected`; afterwards, when the last
   * one ended: the start of the healthy time that decays the `ejections` multiplier.
   */
  returnAt: number;
  /** How many points the entry has on a hash ring (0 while it has none). */
  ringPoints: number;
}

export function createEntry(instance: Instance, slot: number): PickerEntry {
  return {
    key: instance.key,
    slot,
    instance,
    weight: weightOf(instance),
    hash: hashKey(instance.key),
    up: false,
    eligible: false,
    protectable: false,
    local: false,
    candidate: false,
    failures: 0,
    ejections: 0,
    ejected: false,
    returnAt: 0,
    ringPoints: 0,
  };
}

/** The codec guarantees a positive integer; stay safe if a hand-built instance does not. */
export function weightOf(instance: Instance): number {
  const weight = instance.weight;
  return typeof weight === 'number' && Number.isFinite(weight) && weight > 0 ? weight : 1;
}

/** Sort order of candidate lists: by key, so every client sees the same order. */
export function byKey(a: PickerEntry, b: PickerEntry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
