// The provider half: Registrar (one lease per process), Registration, their options and events.
export { Registrar } from './registrar.js';
export { Registration, type RegistrationState } from './registration.js';
export { LeaseState, type LeaseLossReason } from './lease-state.js';
export { httpHealthCheck, commandHealthCheck } from './health-checks.js';
export type { HealthCheck } from './health-monitor.js';
export type { RegistrarEvents } from './registrar-events.js';
export {
  DEFAULT_TTL_SECONDS,
  DEFAULT_HEALTH_INTERVAL_MS,
  defaultInstanceId,
  type RegistrarOptions,
  type RegisterOptions,
  type UpdateOptions,
  type InstanceFields,
  type ResolvedRegistrarOptions,
} from './registrar-options.js';
