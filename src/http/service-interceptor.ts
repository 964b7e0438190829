/**
 * `serviceInterceptor()`: an undici interceptor (for `dispatcher.compose(…)`) that sends a request
 * whose host names a service to an instance of it, picked by a rollcall picker over the live
 * catalog. The origin is rewritten to the instance's address, so the Agent underneath keeps one
 * connection pool per instance. Requests to any other host pass through untouched.
 */
import type { Dispatcher } from 'undici';
import { createPicker } from '../balance/index.js';
import { CatalogPool } from '../discovery/catalog-pool.js';
import { resolveHttpOptions, type ResolvedHttpOptions, type ServiceInterceptorOptions } from './http-options.js';
import { serviceOfHost } from './service-host.js';
import { ServicePickers } from './service-pickers.js';
import { ServiceRequest } from './service-request.js';

/** An interceptor that also owns the catalogs behind it. */
export interface ServiceInterceptor extends Dispatcher.DispatcherComposeInterceptor {
  /**
   * Stops following etcd: closes the catalogs (and the etcd client, unless one was passed in).
   * Requests to services made afterwards fail with ClosedError; other hosts still pass through.
   */
  close(): Promise<void>;
  /** The options in force, defaults filled in. */
  readonly options: ResolvedHttpOptions;
}

/**
 * ```ts
 * import { Agent, request } from 'undici';
 * import { serviceInterceptor } from 'rollcall/http';
 *
 * const services = serviceInterceptor({ endpoints: ['http://127.0.0.1:2379'], strategy: 'least-loaded' });
 * const dispatcher = new Agent().compose(services);
 * const { body } = await request('http://api/users/42', { dispatcher });
 * ```
 */
export function serviceInterceptor(options: ServiceInterceptorOptions = {}): ServiceInterceptor {
  const resolved = resolveHttpOptions(options);
  // Bad picker options throw InvalidConfigError now rather than on the first request.
  createPicker(resolved.picker);
  const pool = new CatalogPool(resolved.pool);
  const pickers = new ServicePickers(pool, resolved);
  let closing: Promise<void> | undefined;

  const interceptor = (dispatch: Dispatcher.Dispatch): Dispatcher.Dispatch =>
    function rollcallServiceInterceptor(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const requested = parseOrigin(opts.origin);
      const service = requested === undefined ? undefined : serviceOfHost(requested.hostname, resolved);
      if (requested === undefined || service === undefined) return dispatch(opts, handler);
      const request = new ServiceRequest({ dispatch, service, options: resolved }, opts, requested, handler);
      let picker;
      try {
        picker = pickers.picker(service);
      } catch (error) {
        picker = Promise.reject(error as Error);
      }
      request.start(picker);
      return true;
    };

  return Object.assign(interceptor, {
    options: resolved,
    close(): Promise<void> {
      closing ??= (async () => {
        pickers.close();
        await pool.close();
      })();
      return closing;
    },
  });
}

function parseOrigin(origin: Dispatcher.DispatchOptions['origin']): URL | undefined {
  if (origin instanceof URL) return origin;
  if (typeof origin !== 'string') return undefined;
  try {
    return new URL(origin);
  } catch {
    return undefined; // undici itself reports the bad origin
  }
}
