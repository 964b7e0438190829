// rollcall/http: an undici interceptor and Dispatcher that send requests for service hosts
// (`http://api/…`) to instances picked from the catalog. Loading this entry loads undici (a peer dependency).
export { serviceInterceptor, type ServiceInterceptor } from './service-interceptor.js';
export { ServiceDispatcher, createServiceDispatcher, type ServiceDispatcherOptions } from './service-dispatcher.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TRY_TIMEOUT_MS,
  IDEMPOTENT_METHODS,
  type ResolvedHttpOptions,
  type ServiceInterceptorOptions,
} from './http-options.js';
export { serviceOfHost } from './service-host.js';
