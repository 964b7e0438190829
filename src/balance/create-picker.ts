/**
 * The factory: one call that turns a strategy name (or options with one) into a picker, for
 * callers such as the Catalog that take the strategy from configuration.
 */
import { InvalidConfigError } from '../errors.js';
import { HashPicker } from './hash-picker.js';
import { LeastLoadedPicker } from './least-loaded-picker.js';
import { PICKER_STRATEGIES, type CreatePickerOptions, type Picker, type PickerStrategy } from './picker.js';
import { RandomPicker } from './random-picker.js';
import { RoundRobinPicker } from './round-robin-picker.js';
import { WeightedPicker } from './weighted-picker.js';

/** The strategy `createPicker` uses when none is given. */
export const DEFAULT_PICKER_STRATEGY: PickerStrategy = 'round-robin';

/**
 * Builds a picker. Throws InvalidConfigError for an unknown strategy or invalid options.
 *
 * ```ts
 * const a = createPicker('least-loaded');
 * const b = createPicker({ strategy: 'hash', preferZone: 'eu-west-1a', outlier: { consecutiveFailures: 3 } });
 * ```
 */
export function createPicker(strategyOrOptions: PickerStrategy | CreatePickerOptions = DEFAULT_PICKER_STRATEGY): Picker {
  const { strategy = DEFAULT_PICKER_STRATEGY, ...options } =
    typeof strategyOrOptions === 'string' ? { strategy: strategyOrOptions } : (strategyOrOptions ?? {});
  switch (strategy) {
    case 'random':
      return new RandomPicker(options);
    case 'round-robin':
      return new RoundRobinPicker(options);
    case 'weighted':
      return new WeightedPicker(options);
    case 'least-loaded':
      return new LeastLoadedPicker(options);
    case 'hash':
      return new HashPicker(options);
    default:
      throw new InvalidConfigError(
        `unknown picker strategy "${String(strategy)}" (expected one of ${PICKER_STRATEGIES.join(', ')})`,
        { details: { strategy } },
      );
  }
}
