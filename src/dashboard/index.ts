// rollcall/dashboard: a Node request handler serving a live web view of services, instances, keys
// and the etcd cluster (docs/dashboard.md). The `rollcall dashboard` command serves the same.
export { createDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
export { CONTENT_SECURITY_POLICY, TOKEN_HEADER } from './http-util.js';
export { serveDashboard, isLoopbackHost, DEFAULT_DASHBOARD_PORT, type ServeDashboardOptions, type ServedDashboard } from './serve-dashboard.js';
