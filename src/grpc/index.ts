// rollcall/grpc: a grpc-js resolver for etcd:///<prefix>/<service> targets and the `rollcall`
// load-balancing policy. Loading this entry loads @grpc/grpc-js (a peer dependency).
export { registerEtcdResolver, registerRollcallBalancer, GrpcDiscovery, type EtcdResolverOptions, type GrpcDiscoveryEvents } from './grpc-discovery.js';
export { BALANCER_NAME, type RollcallBalancerSettings } from './balancer-config.js';
export { INSTANCES_ATTRIBUTE, SERVICE_ATTRIBUTE } from './etcd-resolver.js';
export { ETCD_SCHEME, ROLLCALL_SCHEME, parseTarget, type ResolvedTarget } from './target.js';
export type { CatalogPoolOptions } from '../discovery/catalog-pool.js';
