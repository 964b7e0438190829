/**
 * The per-instance state a picker keeps, keyed by the instance's etcd key so that it survives
 * `update()` for instances still present. Strategies read and write these fields directly:
 * one mutable record per instance is what lets `pick()` run without allocating.
 */
import type { Instance } from '../codec/instance.js';
import { hashKey } from './key-hash.js';
import type { EdfState } from './edf-schedule.js';
import type { RingState } from './hash-ring.js';

export interface PickerEntry extends EdfState, RingState {
  /** The instance's etcd key: the identity state is kept under. */
  readonly key: string;
  /** Latest version of the instance (replaced on every update). */
  instance: Instance;
  /** `instance.weight` when it is a positive finite number, else 1. */
  weight: number;
  /** Hash of `key`: where the hash ring derives the instance's points from. */
  readonly hash: number;
  /** `up` and matching the filter: may be picked when not ejected. */
  eligible: boolean;
  /** Matching the filter and not leaving (up or draining): pickable in panic mode. */
  protectable: boolean;
  /** Calls acquired and not yet released. */
  inflight: number;
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
}

export function createEntry(instance: Instance): PickerEntry {
  return {
    key: instance.key,
    instance,
    weight: weightOf(instance),
    hash: hashKey(instance.key),
    eligible: false,
    protectable: false,
    inflight: 0,
    failures: 0,
    ejections: 0,
    ejected: false,
    returnAt: 0,
    edfBase: 0,
    edfCount: 0,
    edfWeight: 0,
    edfDeadline: -1,
    edfOrder: 0,
    ringSlot: -1,
    ringPoints: 0,
    ringSeen: 0,
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
