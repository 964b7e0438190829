/**
 * The one place picker defaults live, and where options are checked. Invalid options throw
 * InvalidConfigError at construction, so a bad value never surfaces on the request path.
 */
import type { Instance } from '../codec/instance.js';
import { InvalidConfigError } from '../errors.js';
import { compileFilter } from './instance-filter.js';
import type { OutlierOptions, PanicInfo, PickerOptions } from './picker.js';

/** Outlier defaults: the same numbers as Envoy and grpc-js, except the 50% ejection cap. */
export const DEFAULT_OUTLIER_OPTIONS: Readonly<Required<OutlierOptions>> = Object.freeze({
  consecutiveFailures: 5,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  maxEjectionPercent: 50,
});

/** Options with every default filled in and the filter compiled to one test. */
export interface ResolvedPickerOptions {
  readonly service: string | undefined;
  readonly preferZone: string | undefined;
  readonly matches: (instance: Instance) => boolean;
  /** The caller's random source; undefined for the default (an IndexSource, see index-source.ts). */
  readonly random: (() => number) | undefined;
  readonly now: () => number;
  readonly outlier: Readonly<Required<OutlierOptions>>;
  readonly panicThreshold: number;
  readonly onPanic: ((info: PanicInfo) => void) | undefined;
}

export function resolvePickerOptions(options: PickerOptions = {}): ResolvedPickerOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidConfigError(`picker options must be an object, got ${typeof options}`);
  }
  checkFunction('random', options.random);
  checkFunction('now', options.now);
  if (options.preferZone !== undefined && typeof options.preferZone !== 'string') {
    throw new InvalidConfigError(`picker preferZone must be a string, got ${typeof options.preferZone}`, {
      details: { preferZone: options.preferZone },
    });
  }
  const panicThreshold = options.panicThreshold ?? 0;
  if (typeof panicThreshold !== 'number' || !(panicThreshold >= 0 && panicThreshold <= 1)) {
    throw new InvalidConfigError(`picker panicThreshold must be a fraction from 0 to 1, got ${String(panicThreshold)}`, {
      details: { field: 'panicThreshold', value: panicThreshold },
    });
  }
  checkFunction('onPanic', options.onPanic);
  return {
    service: options.service,
    preferZone: options.preferZone === '' ? undefined : options.preferZone,
    matches: compileFilter(options.filter),
    random: options.random,
    now: options.now ?? Date.now,
    outlier: resolveOutlier(options.outlier),
    panicThreshold,
    onPanic: options.onPanic,
  };
}

function resolveOutlier(outlier: OutlierOptions = {}): Readonly<Required<OutlierOptions>> {
  const resolved = { ...DEFAULT_OUTLIER_OPTIONS };
  for (const field of ['consecutiveFailures', 'baseEjectionMs', 'maxEjectionMs', 'maxEjectionPercent'] as const) {
    const value = outlier[field];
    if (value === undefined) continue;
    // Infinity is a legitimate "never" for the failure count; NaN and negatives never are.
    const valid =
      typeof value === 'number' &&
      !Number.isNaN(value) &&
      value >= 0 &&
      (field === 'consecutiveFailures' ? value >= 1 : Number.isFinite(value)) &&
      (field !== 'maxEjectionPercent' || value <= 100);
    if (!valid) {
      throw new InvalidConfigError(`picker outlier.${field} is invalid: ${String(value)}`, {
        details: { field: `outlier.${field}`, value },
      });
    }
    resolved[field] = value;
  }
  return Object.freeze(resolved);
}

function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidConfigError(`picker ${name} must be a function, got ${typeof value}`, {
      details: { field: name },
    });
  }
}
