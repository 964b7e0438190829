/**
 * The `rollcall` load-balancing policy's configuration, as it appears in a gRPC service config:
 *
 *   { "loadBalancingConfig": [{ "rollcall": { "strategy": "weighted", "preferZone": "eu-1a" } }] }
 *
 * Fields: `strategy` (a rollcall picker strategy, default "round-robin"), `preferZone`,
 * `hashMetadataKey` (for "hash": the request metadata key to hash, e.g. "x-user-id"),
 * `panicThreshold`, and `outlier` (rollcall's OutlierOptions). Invalid values throw, which grpc-js
 * treats as an invalid service config.
 */
import { PICKER_STRATEGIES, type OutlierOptions, type PickerStrategy } from '../balance/index.js';
import { InvalidConfigError } from '../errors.js';

export const BALANCER_NAME = 'rollcall';

export interface RollcallBalancerSettings {
  strategy?: PickerStrategy;
  preferZone?: string;
  hashMetadataKey?: string;
  panicThreshold?: number;
  outlier?: OutlierOptions;
}

export class RollcallBalancerConfig {
  constructor(readonly settings: Readonly<RollcallBalancerSettings>) {}

  getLoadBalancerName(): string {
    return BALANCER_NAME;
  }

  toJsonObject(): object {
    return { [BALANCER_NAME]: { ...this.settings } };
  }

  /** Same settings, so a new service config with the same policy keeps the balancer's state. */
  equals(other: RollcallBalancerConfig): boolean {
    return JSON.stringify(this.settings) === JSON.stringify(other.settings);
  }

  static createFromJson(json: unknown): RollcallBalancerConfig {
    const raw = (json ?? {}) as Record<string, unknown>;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidConfigError('rollcall balancer config must be an object');
    const settings: RollcallBalancerSettings = {};
    if (raw['strategy'] !== undefined) {
      if (!PICKER_STRATEGIES.includes(raw['strategy'] as PickerStrategy)) {
        throw new InvalidConfigError(`rollcall balancer strategy must be one of ${PICKER_STRATEGIES.join(', ')}, got ${JSON.stringify(raw['strategy'])}`);
      }
      settings.strategy = raw['strategy'] as PickerStrategy;
    }
    for (const field of ['preferZone', 'hashMetadataKey'] as const) {
      const value = raw[field];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '') throw new InvalidConfigError(`rollcall balancer ${field} must be a non-empty string`);
      settings[field] = field === 'hashMetadataKey' ? value.toLowerCase() : value;
    }
    if (raw['panicThreshold'] !== undefined) settings.panicThreshold = raw['panicThreshold'] as number;
    if (raw['outlier'] !== undefined) settings.outlier = raw['outlier'] as OutlierOptions;
    return new RollcallBalancerConfig(settings);
  }
}
