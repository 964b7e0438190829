/**
 * Plugging rollcall into grpc-js: `registerEtcdResolver()` registers the `etcd` and `rollcall`
 * target schemes and the `rollcall` load-balancing policy with grpc-js, and returns the handle that
 * owns the shared catalogs behind them.
 */
import * as grpcJs from '@grpc/grpc-js';
import { normalizePrefix, DEFAULT_PREFIX } from '../codec/index.js';
import type { RollcallError } from '../errors.js';
import { SafeEmitter } from '../events/safe-emitter.js';
import { BALANCER_NAME, RollcallBalancerConfig } from './balancer-config.js';
import { CatalogPool, type CatalogPoolOptions } from '../discovery/catalog-pool.js';
import { createResolverClass } from './etcd-resolver.js';
import type { GrpcModule } from './grpc-api.js';
import { createBalancerClass } from './rollcall-balancer.js';
import { ETCD_SCHEME, ROLLCALL_SCHEME } from './target.js';

export interface EtcdResolverOptions extends CatalogPoolOptions {
  /**
   * The grpc-js module to register with. Default: the `@grpc/grpc-js` this package resolves (the
   * application's own copy, as a peer dependency). Pass it when the application loads another copy.
   */
  grpc?: object;
  /** Prefix of `rollcall:///<service>` targets. Default `services`. `etcd:///` targets name their own. */
  prefix?: string;
}

export interface GrpcDiscoveryEvents {
  /** A problem the resolvers handle themselves, e.g. an instance address gRPC cannot dial. */
  warning: [error: RollcallError];
  closed: [];
}

/** The catalogs behind every rollcall resolver of one grpc-js module. */
export class GrpcDiscovery extends SafeEmitter<GrpcDiscoveryEvents> {
  private closing: Promise<void> | undefined;

  /** @internal */
  constructor(private readonly pool: CatalogPool) {
    super('grpc discovery');
  }

  /** Closes the catalogs (and the etcd client, unless one was passed in). Channels still open stop getting updates. */
  close(): Promise<void> {
    this.closing ??= this.pool.close().then(() => void this.emit('closed'));
    return this.closing;
  }
}

/**
 * Registers the `etcd:` and `rollcall:` resolvers and the `rollcall` balancing policy.
 *
 * ```ts
 * import * as grpc from '@grpc/grpc-js';
 * import { registerEtcdResolver } from 'rollcall/grpc';
 *
 * const discovery = registerEtcdResolver({ endpoints: ['http://127.0.0.1:2379'] });
 * const client = new grpc.Client('etcd:///services/greeter', grpc.credentials.createInsecure(), {
 *   'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ rollcall: { strategy: 'weighted' } }] }),
 * });
 * // … calls …
 * client.close();
 * await discovery.close();
 * ```
 */
export function registerEtcdResolver(options: EtcdResolverOptions = {}): GrpcDiscovery {
  const { grpc: grpcOption, prefix, ...poolOptions } = options;
  const grpc = (grpcOption ?? grpcJs) as GrpcModule;
  const pool = new CatalogPool(poolOptions);
  const discovery = new GrpcDiscovery(pool);
  const resolverClass = createResolverClass({
    grpc,
    pool,
    defaultPrefix: normalizePrefix(prefix ?? DEFAULT_PREFIX),
    warn: (error) => discovery.emit('warning', error),
  });
  grpc.experimental.registerResolver(ETCD_SCHEME, resolverClass as never);
  grpc.experimental.registerResolver(ROLLCALL_SCHEME, resolverClass as never);
  registerRollcallBalancer(grpc);
  return discovery;
}

/** Registers only the `rollcall` balancing policy (registerEtcdResolver does it too). */
export function registerRollcallBalancer(grpcModule?: object): void {
  const grpc = (grpcModule ?? grpcJs) as GrpcModule;
  grpc.experimental.registerLoadBalancerType(BALANCER_NAME, createBalancerClass(grpc) as never, RollcallBalancerConfig as never);
}
