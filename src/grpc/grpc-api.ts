/**
 * The part of `@grpc/grpc-js` rollcall plugs into, typed structurally. rollcall works with the
 * copy of grpc-js the application uses (a peer dependency, or the module passed as `grpc`), and
 * grpc-js changed these shapes twice within the supported range:
 * - 1.10–1.12: the resolver listener is an object (`onSuccessfulResolution`, `onError`), and a
 *   balancer's `updateAddressList(endpoints, config, attributes)` gets the resolver's attributes;
 * - 1.13: the same listener; the third argument is the channel options merged with the attributes;
 * - 1.14: the listener is a function of `StatusOr<Endpoint[]>`, and `updateAddressList` takes a
 *   `StatusOr`, the merged options and a resolution note, and returns whether it accepted.
 * Only what all of them share, or what rollcall tells apart at run time, is named here.
 */

export interface StatusObject {
  code: number;
  details: string;
  metadata: unknown;
}

export interface TcpAddress {
  host: string;
  port: number;
}

export interface Endpoint {
  addresses: TcpAddress[];
}

export type StatusOr<T> = { ok: true; value: T } | { ok: false; error: StatusObject };

export interface GrpcUri {
  scheme?: string;
  authority?: string;
  path: string;
}

export type Attributes = Record<string, unknown>;

/** grpc-js 1.10–1.13's resolver listener. */
export interface ObjectResolverListener {
  onSuccessfulResolution(endpoints: Endpoint[], serviceConfig: null, serviceConfigError: null, configSelector: null, attributes: Attributes): void;
  onError(error: StatusObject): void;
}

/** grpc-js 1.14's resolver listener. */
export type FunctionResolverListener = (endpoints: StatusOr<Endpoint[]>, attributes: Attributes, serviceConfig: null, resolutionNote: string) => boolean;

export type ResolverListener = ObjectResolverListener | FunctionResolverListener;

export interface Metadata {
  get(key: string): (string | Buffer)[];
}

export interface PickArgs {
  metadata: Metadata;
}

export interface PickResult {
  pickResultType: number;
  subchannel: unknown;
  status: StatusObject | null;
  onCallStarted: (() => void) | null;
  onCallEnded: ((statusCode: number, ...rest: unknown[]) => void) | null;
}

export interface Picker {
  pick(args: PickArgs): PickResult;
}

export interface ChannelControlHelper {
  updateState(state: number, picker: Picker, errorMessage?: string | null): void;
  requestReresolution(): void;
}

export interface LeafLoadBalancer {
  startConnecting(): void;
  updateEndpoint(endpoint: Endpoint, options?: Attributes): void;
  getConnectivityState(): number;
  getPicker(): Picker;
  getEndpoint(): Endpoint;
  exitIdle(): void;
  resetBackoff?(): void;
  destroy(): void;
}

/** The grpc-js module, as far as rollcall uses it. */
export interface GrpcModule {
  Metadata: new () => Metadata;
  status: { OK: number; UNAVAILABLE: number; UNKNOWN: number; INTERNAL: number; DEADLINE_EXCEEDED: number; RESOURCE_EXHAUSTED: number };
  connectivityState: { IDLE: number; CONNECTING: number; READY: number; TRANSIENT_FAILURE: number; SHUTDOWN: number };
  experimental: {
    registerResolver(scheme: string, resolverClass: never): void;
    registerLoadBalancerType(typeName: string, balancerClass: never, configClass: never): void;
    createChildChannelControlHelper(parent: ChannelControlHelper, overrides: Partial<ChannelControlHelper>): ChannelControlHelper;
    LeafLoadBalancer: new (endpoint: Endpoint, helper: ChannelControlHelper, options: Attributes, resolutionNote?: string) => LeafLoadBalancer;
    QueuePicker: new (balancer: { exitIdle(): void }) => Picker;
    UnavailablePicker: new (status?: Partial<StatusObject>) => Picker;
    PickResultType: { COMPLETE: number; QUEUE: number; TRANSIENT_FAILURE: number; DROP: number };
  };
}
