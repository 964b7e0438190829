/**
 * One handle on etcd shared by the parts of rollcall: the etcd3 client, the resolved options and
 * `call()`, which gives each request a deadline and turns failures into typed errors.
 * A connection built from options owns its client and closes it; one built around a client the
 * user passed in never closes it.
 */
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import { ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError, noop } from 'cockatiel';
import { EtcdTlsError, EtcdUnavailableError, type RollcallError } from '../errors.js';
import { withDeadline } from './deadline.js';
import { EndpointClients } from './endpoint-clients.js';
import { translateEtcdError } from './translate-error.js';
import {
  resolveConnectionOptions,
  type ConnectionOptions,
  type ResolvedConnectionOptions,
} from './connection-options.js';

export interface ClientSource extends ConnectionOptions {
  /**
   * An etcd3 client to use instead of building one. rollcall never closes it. Its own call
   * options are left alone, but rollcall still enforces `timeoutMs` on each of its calls.
   */
  client?: Etcd3;
}

export class EtcdConnection {
  readonly client: Etcd3;
  readonly options: ResolvedConnectionOptions;
  /** Clients bound to one endpoint each, for lease keepalives and watches (see EndpointClients). */
  readonly endpointClients: EndpointClients;
  private readonly owned: boolean;
  private closed = false;
  /** The last TLS or availability failure of a call that reached the network, to explain an open circuit. */
  private lastFailure: RollcallError | undefined;

  private constructor(client: Etcd3, options: ResolvedConnectionOptions, owned: boolean) {
    this.client = client;
    this.options = options;
    this.owned = owned;
    const build = owned ? (endpoint: string): Etcd3 => new Etcd3(buildClientOptions({ ...options, endpoints: [endpoint] })) : undefined;
    this.endpointClients = new EndpointClients(options.endpoints, client, build);
  }

  /**
   * `resolved`: the options already resolved from `source` by the owning object's resolver, so
   * environment variables are read and PEM files loaded once per object.
   */
  static create(source: ClientSource = {}, resolved?: ResolvedConnectionOptions): EtcdConnection {
    const options = resolved ?? resolveConnectionOptions(source);
    if (source.client) return new EtcdConnection(source.client, options, false);
    return new EtcdConnection(new Etcd3(buildClientOptions(options)), options, true);
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  get endpoints(): readonly string[] {
    return this.options.endpoints;
  }

  /**
   * Runs one etcd request with the connection's deadline; rejects with a RollcallError. A call
   * whose connection was refused was never sent, so it is sent again (etcd3 picks a member at
   * random) within the same deadline: with one member of a cluster down, calls still succeed
   * while the others answer. Nothing that may have reached etcd is ever resent.
   * `run` gets the attempt number (from 1): a call bound to one endpoint uses it to go to the
   * next endpoint after a refused connection.
   */
  async call<T>(operation: string, run: (attempt: number) => Promise<T>, signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<T> {
    const context = { operation, endpoints: this.endpoints };
    const deadline = Date.now() + timeoutMs;
    // A few more tries than members: after three refusals etcd3 skips the dead member for a while.
    const maxAttempts = this.endpoints.length + 2;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withDeadline(() => run(attempt), Math.max(1, deadline - Date.now()), context, signal);
      } catch (error) {
        if (signal?.aborted && error === signal.reason) throw error;
        if (attempt < maxAttempts && this.endpoints.length > 1 && neverSent(error) && Date.now() < deadline) continue;
        throw this.explain(error, context);
      }
    }
  }

  /**
   * Translates a failure. A call refused by an open circuit breaker ("host skipped after repeated
   * failures") never reached etcd, so it says nothing by itself: it is reported as the failure
   * that opened the circuit (a TLS failure stays an EtcdTlsError), with that failure as its cause.
   */
  private explain(error: unknown, context: { operation: string; endpoints: readonly string[] }): RollcallError {
    const translated = translateEtcdError(error, context);
    if (!(error instanceof Error && isBrokenCircuitError(error))) {
      if (translated instanceof EtcdTlsError || translated instanceof EtcdUnavailableError) this.lastFailure = translated;
      return translated;
    }
    const last = this.lastFailure;
    if (!last) return translated;
    // The last failure's sentence without its own operation: "<op>: not sent (…): etcd at X is unreachable (…); check …".
    const lastOperation = (last.details as { operation?: unknown } | undefined)?.operation;
    const why = typeof lastOperation === 'string' && last.message.startsWith(`${lastOperation}: `) ? last.message.slice(lastOperation.length + 2) : last.message;
    const message = `${context.operation}: not sent (etcd failed the last calls): ${why}`;
    const options = { cause: last, details: { operation: context.operation, endpoints: context.endpoints } };
    return last instanceof EtcdTlsError ? new EtcdTlsError(message, options) : new EtcdUnavailableError(message, options);
  }

  /** Closes the client when this connection built it. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endpointClients.close();
    if (this.owned) this.client.close();
  }
}

/**
 * True for a failure to connect at all (ECONNREFUSED), or a call refused by an open circuit
 * breaker (a client bound to one endpoint that failed repeatedly): the request never left this
 * process.
 */
function neverSent(error: unknown): boolean {
  return error instanceof Error && (/ECONNREFUSED/.test(error.message) || isBrokenCircuitError(error));
}

function buildClientOptions(options: ResolvedConnectionOptions): IOptions {
  const { endpoints, timeoutMs, tls, auth } = options;
  const deadline = (): { deadline: number } => ({ deadline: Date.now() + timeoutMs });
  return {
    hosts: [...endpoints],
    ...(tls
      ? { credentials: { rootCertificate: tls.ca, ...(tls.key ? { privateKey: tls.key } : {}), ...(tls.cert ? { certChain: tls.cert } : {}) } }
      : {}),
    ...(auth ? { auth: { username: auth.username, password: auth.password, callOptions: deadline } } : {}),
    // Streams (watch, lease keepalive) live as long as they are useful; every unary call gets a deadline.
    defaultCallOptions: (context) => (context.isStream ? {} : deadline()),
    faultHandling: {
      // A host that fails three times in a row is skipped for one second, not etcd3's five: a
      // restarted etcd should be used again quickly.
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
      // No blind retry: etcd3 would resend a transaction that timed out after reaching etcd, and a
      // create-only put could then fail on its own write. Callers retry with backoff and context.
      global: noop,
    },
    grpcOptions: {
      // grpc-js backs off reconnects up to 120 s by default; an etcd that comes back should be
      // found within seconds.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      // Detect a dead TCP peer (paused or partitioned member) under a long-lived watch stream.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
    },
  };
}
