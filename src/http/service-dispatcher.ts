/**
 * `ServiceDispatcher`: a ready undici Dispatcher, an Agent composed with `serviceInterceptor`.
 * Works with `fetch(url, { dispatcher })`, `request(url, { dispatcher })` and
 * `setGlobalDispatcher(dispatcher)`.
 */
import type { EventEmitter } from 'node:events';
import { Agent, Dispatcher } from 'undici';
import type { ServiceInterceptorOptions } from './http-options.js';
import { serviceInterceptor, type ServiceInterceptor } from './service-interceptor.js';

export interface ServiceDispatcherOptions extends ServiceInterceptorOptions {
  /** Options of the Agent underneath (connections per instance, keep-alive, TLS…). Default: undici's defaults. */
  agent?: Agent.Options;
}

export class ServiceDispatcher extends Dispatcher {
  /** The interceptor doing the routing (its `options` show the defaults in force). */
  readonly interceptor: ServiceInterceptor;
  private readonly agent: Agent;
  private readonly composed: Dispatcher;
  private closing: Promise<void> | undefined;

  constructor(options: ServiceDispatcherOptions = {}) {
    super();
    const { agent, ...interceptorOptions } = options;
    this.interceptor = serviceInterceptor(interceptorOptions);
    this.agent = new Agent(agent);
    this.composed = this.agent.compose(this.interceptor);
    // Code that watches a dispatcher's connections (per instance origin) sees the Agent's events.
    const source: EventEmitter = this.agent;
    for (const event of ['connect', 'disconnect', 'connectionError', 'drain']) source.on(event, (...args: unknown[]) => (this as EventEmitter).emit(event, ...args));
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.composed.dispatch(options, handler);
  }

  /** Lets requests in flight finish, closes the connections, then the catalogs. */
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.closing ??= this.agent.close().finally(() => this.interceptor.close());
    if (callback === undefined) return this.closing;
    this.closing.then(callback, callback);
  }

  /** Aborts requests in flight with `error`, closes the connections, then the catalogs. */
  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const destroying = this.agent.destroy(error).finally(() => this.interceptor.close());
    this.closing ??= destroying;
    if (done === undefined) return destroying;
    destroying.then(done, done);
  }
}

/** `new ServiceDispatcher(options)`. */
export function createServiceDispatcher(options: ServiceDispatcherOptions = {}): ServiceDispatcher {
  return new ServiceDispatcher(options);
}
