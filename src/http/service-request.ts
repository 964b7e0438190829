/**
 * One request to a service: picks an instance, sends a try there, and when the try fails on the
 * connection before any response, sends the request again to an instance not tried yet, if the
 * request is idempotent, its body can be sent again and tries remain. The caller's handler sees
 * one request: one controller for all tries, the request start once, one response or one error.
 */
import type { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import { errors, type Dispatcher } from 'undici';
import type { InstanceHandle, Picker } from '../balance/index.js';
import type { ResolvedHttpOptions } from './http-options.js';
import { instanceOrigin } from './instance-origin.js';
import { headerValue, withDefaultHeader } from './request-headers.js';
import { RequestController } from './request-controller.js';
import { BodyTracker, isConnectionError, isIdempotent } from './retry-policy.js';
import { Attempt, type AttemptOwner } from './service-attempt.js';

/** `NODE_DEBUG=rollcall:http` traces every failed try and what became of it. */
const trace = debuglog('rollcall:http');

type Controller = Dispatcher.DispatchController;
type IncomingHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

export interface ServiceRoute {
  /** The next dispatcher in the chain (undici's Agent: one connection pool per instance origin). */
  readonly dispatch: Dispatcher.Dispatch;
  readonly service: string;
  readonly options: ResolvedHttpOptions;
}

export class ServiceRequest implements AttemptOwner {
  private readonly controller = new RequestController();
  private readonly tried = new Set<string>();
  private readonly body: BodyTracker;
  private readonly headers: Dispatcher.DispatchOptions['headers'];
  private readonly idempotent: boolean;
  private picker: Picker | undefined;
  private attempts = 0;
  private current: Attempt | undefined;
  private started = false;
  private done = false;

  constructor(
    private readonly route: ServiceRoute,
    private readonly opts: Dispatcher.DispatchOptions,
    /** The origin the caller wrote (`http://api`). */
    private readonly requested: URL,
    private readonly handler: Dispatcher.DispatchHandler,
  ) {
    this.body = new BodyTracker(opts.body);
    this.idempotent = isIdempotent(opts.method, opts.headers);
    this.headers = route.options.hostHeader === 'service' ? withDefaultHeader(opts.headers, 'host', requested.host) : opts.headers;
  }

  /** Starts the first try once the service's picker is there (the catalog may still be opening). */
  start(picker: Picker | Promise<Picker>): void {
    if (!(picker instanceof Promise)) return this.begin(picker);
    picker.then(
      (ready) => this.begin(ready),
      (error: unknown) => this.fail(asError(error)),
    );
  }

  private begin(picker: Picker): void {
    this.picker = picker;
    let handle: InstanceHandle;
    try {
      handle = picker.acquire(this.hashKey());
    } catch (error) {
      // NoInstanceError (naming the service and why) or HashKeyRequiredError.
      return this.fail(asError(error));
    }
    this.send(handle);
  }

  private send(handle: InstanceHandle): void {
    this.attempts += 1;
    this.tried.add(handle.instance.key);
    let origin: string;
    try {
      origin = instanceOrigin(handle.instance, this.requested);
    } catch (error) {
      // Nothing was sent: any request may go elsewhere.
      handle.release(false);
      return this.retryOrFail(asError(error), true);
    }
    const attempt = new Attempt(this, handle, this.route.options.tryTimeoutMs);
    this.current = attempt;
    try {
      this.route.dispatch({ ...this.opts, origin, headers: this.headers, body: this.body.body }, attempt);
    } catch (error) {
      attempt.onResponseError(null, asError(error));
    }
  }

  tryStarted(attempt: Attempt, controller: Controller, context: unknown): void {
    if (attempt !== this.current) return;
    this.controller.attach(controller);
    // attach() aborts the try at once when the caller already aborted: then the request is over.
    if (this.started || this.done) return;
    this.started = true;
    this.handler.onRequestStart?.(this.controller, context);
  }

  tryUpgraded(statusCode: number, headers: IncomingHeaders, socket: Duplex): void {
    this.done = true;
    this.handler.onRequestUpgrade?.(this.controller, statusCode, headers, socket);
  }

  tryResponded(statusCode: number, headers: IncomingHeaders, statusMessage: string | undefined): void {
    this.handler.onResponseStart?.(this.controller, statusCode, headers, statusMessage);
  }

  tryData(chunk: Buffer): void {
    this.handler.onResponseData?.(this.controller, chunk);
  }

  tryEnded(trailers: IncomingHeaders): void {
    this.done = true;
    this.handler.onResponseEnd?.(this.controller, trailers);
  }

  tryFailed(attempt: Attempt, error: Error, responded: boolean): void {
    if (attempt !== this.current) return;
    this.current = undefined;
    this.controller.detach();
    const byCaller = this.controller.abortedByCaller;
    const connection = !byCaller && isConnectionError(error);
    // A connection failure counts against the instance; an abort by the caller says nothing about it.
    attempt.handle.release(connection ? false : undefined);
    if (connection && !responded) this.retryOrFail(error, neverConnected(error));
    else this.fail(byCaller ? (this.controller.reason ?? error) : error);
  }

  tryTimedOut(attempt: Attempt): void {
    if (attempt !== this.current) return;
    const { instance } = attempt.handle;
    const error = new errors.HeadersTimeoutError(
      `rollcall: no response from instance ${instance.id} (${instance.address}) of service "${this.route.service}" within the try timeout of ${this.route.options.tryTimeoutMs} ms`,
    );
    attempt.abandon(error);
    this.tryFailed(attempt, error, false);
  }

  /** After a try failed on its connection: the next try on another instance, or the error to the caller. */
  private retryOrFail(error: Error, nothingSent: boolean): void {
    const mayRetry =
      (this.idempotent || nothingSent) &&
      this.attempts < this.route.options.maxAttempts &&
      !this.controller.abortedByCaller &&
      this.body.replayable();
    const next = mayRetry ? this.pickUntried() : undefined;
    const code = (error as { code?: unknown }).code ?? error.name;
    if (next === undefined) {
      trace('%s: try %d failed (%s), %s', this.route.service, this.attempts, code, mayRetry ? 'no other instance to try' : 'not retried');
      return this.fail(error);
    }
    trace('%s: try %d failed (%s), retrying on %s', this.route.service, this.attempts, code, next.instance.id);
    this.send(next);
  }

  /** An instance not tried yet, or undefined when the picker offers none (then the last error stands). */
  private pickUntried(): InstanceHandle | undefined {
    const picker = this.picker;
    if (picker === undefined) return undefined;
    // Each pick moves the picker on; a few rounds over the pickable set find an untried one if any.
    const rounds = Math.max(picker.size, 1) * 3;
    for (let i = 0; i < rounds; i++) {
      let handle: InstanceHandle;
      try {
        // A hash pick would land on the same instance again: any other one will do for a retry.
        handle = picker.acquire(picker.strategy === 'hash' ? String(Math.random()) : undefined);
      } catch {
        return undefined;
      }
      if (!this.tried.has(handle.instance.key)) return handle;
      handle.release();
    }
    return undefined;
  }

  private hashKey(): string | undefined {
    if (this.picker?.strategy !== 'hash') return undefined;
    const header = this.route.options.hashHeader;
    // Without the header any instance will do: spread such requests at random.
    return (header === undefined ? undefined : headerValue(this.opts.headers, header)) ?? String(Math.random());
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.handler.onResponseError?.(this.controller, error);
  }
}

/** The try never had a connection, so nothing reached any server: safe to send elsewhere whatever the method. */
function neverConnected(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
