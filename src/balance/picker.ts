/**
 * The picker contract: what the Catalog feeds (`update`) and what request code calls (`pick`,
 * `acquire`, `run`). Every strategy in this folder implements it; docs/balancers.md shows them.
 */
import type { Instance } from '../codec/instance.js';

/** The balancing strategies `createPicker` knows. */
export type PickerStrategy = 'random' | 'round-robin' | 'weighted' | 'least-loaded' | 'hash';

export const PICKER_STRATEGIES: readonly PickerStrategy[] = [
  'random',
  'round-robin',
  'weighted',
  'least-loaded',
  'hash',
];

/** Which `up` instances a picker may choose. Applied in `update()`, never per pick. */
export interface PickerFilter {
  /** Tags an instance must all carry (`every`, not `some`). Default: no tag requirement. */
  tags?: readonly string[];
  /**
   * Exact version to require, or a test on the instance's version (`undefined` when the
   * instance declared none). Default: any version.
   */
  version?: string | ((version?: string) => boolean);
  /** Any further test. Runs once per instance per `update()`; an exception propagates from `update()`. */
  predicate?: (instance: Instance) => boolean;
}

/**
 * Outlier ejection: an instance that fails `consecutiveFailures` times in a row is not picked
 * for a while. The n-th ejection of the same instance lasts `min(baseEjectionMs × n,
 * max(baseEjectionMs, maxEjectionMs))`. See docs/balancers.md.
 */
export interface OutlierOptions {
  /** Consecutive failures that eject an instance. A success resets the count. Default 5; `Infinity` disables ejection. */
  consecutiveFailures?: number;
  /** Length of a first ejection, in ms. Default 30_000. */
  baseEjectionMs?: number;
  /** Longest ejection, in ms (never shorter than `baseEjectionMs`). Default 300_000. */
  maxEjectionMs?: number;
  /**
   * Most instances that may be ejected at once, as a percentage (0-100) of the `up`,
   * filter-matching instances, rounded down: with 50, one of 2 or 3, two of 4. Default 50;
   * 0 disables ejection.
   */
  maxEjectionPercent?: number;
}

/** What `onPanic` and the `rollcall:picker:panic` channel carry. */
export interface PanicInfo {
  readonly service: string;
  /** True when the picker entered panic mode, false when it left it. */
  readonly panic: boolean;
  /** Instances that are up, match the filter and are not ejected. */
  readonly pickable: number;
  /** Instances that match the filter and are not leaving (up or draining, ejected or not). */
  readonly total: number;
  readonly threshold: number;
}

/** Options every strategy accepts. */
export interface PickerOptions {
  /** Service name used in error messages before any instance has been seen. Default: taken from the instances. */
  service?: string;
  /** Prefer instances whose `zone` equals this; fall back to all zones when none of them is pickable. Default: none. */
  preferZone?: string;
  /** Which `up` instances may be picked at all. Default: every `up` instance. */
  filter?: PickerFilter;
  /**
   * Uniform random source in [0, 1), injectable for tests. Default: an internal generator
   * (xoshiro128**) seeded from `Math.random`, which unlike `Math.random` allocates nothing per pick.
   */
  random?: () => number;
  /** Clock in ms for ejection times, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Outlier ejection; fields default as documented on `OutlierOptions`. */
  outlier?: OutlierOptions;
  /**
   * Protection (panic) threshold, a fraction from 0 to 1, after Envoy's healthy panic threshold
   * and Nacos' protectThreshold: while fewer than this share of the filter-matching, non-leaving
   * instances are pickable (the rest draining or ejected), pick across all of them, draining
   * and ejected included, rather than pile every call onto the few left. Default 0: off, since
   * draining is usually deliberate (a rolling deploy drains most of a service on purpose).
   */
  panicThreshold?: number;
  /** Told when the picker enters or leaves panic mode (also published on `rollcall:picker:panic`). */
  onPanic?: (info: PanicInfo) => void;
}

/** `createPicker` options: the common options plus the strategy. */
export interface CreatePickerOptions extends PickerOptions {
  /** Default `'round-robin'`. */
  strategy?: PickerStrategy;
}

/** One acquired instance. Call `release` exactly once when the call ends (later calls are ignored). */
export interface InstanceHandle {
  readonly instance: Instance;
  /**
   * Ends the in-flight call. `true` reports a success, `false` a failure (counted toward
   * ejection); omitted reports neither.
   */
  release(ok?: boolean): void;
}

/** Why `pick()` found nothing; also `details.reason` of the NoInstanceError. */
export type NoInstanceReason = 'none-registered' | 'all-draining' | 'all-filtered' | 'all-ejected';

/**
 * Chooses one instance of a service per call. Pure: it never talks to etcd. Only instances with
 * `status === 'up'` that match the filter and are not ejected are ever picked.
 */
export interface Picker {
  /** The strategy this picker implements. */
  readonly strategy: PickerStrategy;
  /**
   * Number of instances `pick()` currently chooses among (after status, filter, ejection and zone
   * preference). 0 means `pick()` throws.
   */
  readonly size: number;
  /**
   * Replaces the instance set (the Catalog calls this on every change). Rotation, in-flight
   * and ejection state of instances still present (same `key`) is kept; the rest is dropped.
   */
  update(instances: readonly Instance[]): void;
  /**
   * One instance for one call. `key` is required by the `hash` strategy (HashKeyRequiredError
   * without it) and ignored by the others. Throws NoInstanceError when nothing is pickable.
   */
  pick(key?: string | Uint8Array): Instance;
  /** Counts a failed call against the instance (matched by `key`); may eject it. Unknown instances are ignored. */
  reportFailure(instance: Instance): void;
  /** Counts a successful call: resets the instance's consecutive-failure count. */
  reportSuccess(instance: Instance): void;
  /** Picks and counts the call as in flight until `release()`. */
  acquire(key?: string | Uint8Array): InstanceHandle;
  /**
   * Acquires, runs `fn`, releases: a resolved promise reports success, a rejection reports a
   * failure and is rethrown unchanged.
   */
  run<T>(fn: (instance: Instance) => Promise<T>, key?: string | Uint8Array): Promise<T>;
  /** Instances currently ejected (expired ejections end first). Allocates: for metrics and tests. */
  ejected(): readonly Instance[];
}
