// rollcall/metrics: prom-client collectors fed by rollcall's diagnostics channels (docs/metrics.md).
// prom-client is an optional peer dependency: only this entry point loads it.
export {
  registerRollcallMetrics,
  type InstanceSource,
  type RollcallMetrics,
  type RollcallMetricsOptions,
} from './register-metrics.js';
