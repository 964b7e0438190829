/**
 * A grpc-js resolver for `etcd:///<prefix>/<service>` and `rollcall:///<service>` targets, fed by
 * a shared Catalog. Follows grpc-js's resolver contract:
 * - listeners are never called synchronously from the constructor or `updateResolution()`;
 * - `destroy()` (the channel going idle) stops all updates and lets go of the catalog; a later
 *   `updateResolution()` re-arms the resolver as if new. An answer that arrives for an earlier
 *   arming (a catalog that finished opening after destroy) is dropped, never reported.
 * Only `up` instances are offered; a service with none reports UNAVAILABLE naming the service
 * (rather than an empty list, which grpc-js would turn into a vaguer error), and an unreachable
 * etcd reports UNAVAILABLE saying so. Each report carries the instances as the resolver
 * attribute INSTANCES_ATTRIBUTE, which the `rollcall` balancing policy reads.
 */
import type { Instance } from '../codec/instance.js';
import type { Catalog, CatalogChange } from '../discovery/index.js';
import { MalformedValueError, type RollcallError } from '../errors.js';
import type { CatalogPool } from '../discovery/catalog-pool.js';
import { addressKey, parseHostPort } from './endpoint-address.js';
import type { Attributes, Endpoint, GrpcModule, GrpcUri, ResolverListener } from './grpc-api.js';
import { reportEndpoints, reportError } from './listener-report.js';
import { parseTarget, type ResolvedTarget } from './target.js';

/** Resolver attribute: `ReadonlyMap<address, Instance>` of the endpoints reported. */
export const INSTANCES_ATTRIBUTE = 'rollcall.instances';
/** Resolver attribute: the service name the target named. */
export const SERVICE_ATTRIBUTE = 'rollcall.service';

export interface ResolverContext {
  readonly grpc: GrpcModule;
  readonly pool: CatalogPool;
  readonly defaultPrefix: string;
  /** Told about addresses that cannot be dialled and other problems the resolver handles itself. */
  readonly warn: (error: RollcallError) => void;
}

export interface ResolverClass {
  new (target: GrpcUri, listener: ResolverListener, channelOptions: Attributes): { updateResolution(): void; destroy(): void };
  getDefaultAuthority(target: GrpcUri): string;
}

const CHANGE_EVENTS = ['added', 'updated', 'removed', 'recovered'] as const;

export function createResolverClass(context: ResolverContext): ResolverClass {
  const { grpc, pool } = context;

  return class EtcdResolver {
    /** The channel's default authority: the service name, as Go's etcd resolver leaves it to grpc-go. */
    static getDefaultAuthority(target: GrpcUri): string {
      return parseTarget(target, context.defaultPrefix).service;
    }

    private readonly target: ResolvedTarget;
    /** Bumped by every arm and destroy: an answer for an older value is stale. */
    private generation = 0;
    private holding = false;
    private catalog: Catalog | undefined;
    private reportScheduled = false;
    private readonly onChange = (change: CatalogChange): void => {
      if (change.service === this.target.service) this.scheduleReport();
    };

    constructor(
      target: GrpcUri,
      private readonly listener: ResolverListener,
      _channelOptions: Attributes,
    ) {
      // getDefaultAuthority has already rejected a bad target when the channel was built.
      this.target = parseTarget(target, context.defaultPrefix);
    }

    updateResolution(): void {
      if (!this.holding) this.arm();
      else if (this.catalog !== undefined) this.scheduleReport();
    }

    destroy(): void {
      this.generation += 1;
      this.detach();
    }

    private arm(): void {
      const generation = ++this.generation;
      this.holding = true;
      pool.acquire(this.target.prefix).then(
        (catalog) => {
          if (generation !== this.generation) return; // destroyed meanwhile: destroy() released it
          this.catalog = catalog;
          for (const event of CHANGE_EVENTS) catalog.on(event, this.onChange);
          this.scheduleReport();
        },
        (error: unknown) => {
          if (generation !== this.generation) return;
          this.detach();
          const reason = error instanceof Error ? error.message : String(error);
          // Async already (a promise callback); the channel retries with backoff via updateResolution().
          reportError(this.listener, {
            code: grpc.status.UNAVAILABLE,
            details: `rollcall: cannot follow service "${this.target.service}" in etcd (prefix ${this.target.prefix}/): ${reason}`,
            metadata: new grpc.Metadata(),
          });
        },
      );
    }

    private detach(): void {
      if (this.catalog !== undefined) for (const event of CHANGE_EVENTS) this.catalog.off(event, this.onChange);
      this.catalog = undefined;
      if (this.holding) pool.release(this.target.prefix);
      this.holding = false;
    }

    /** Coalesces a burst of changes into one report, never synchronously. */
    private scheduleReport(): void {
      if (this.reportScheduled) return;
      this.reportScheduled = true;
      const generation = this.generation;
      setImmediate(() => {
        this.reportScheduled = false;
        if (generation === this.generation && this.catalog !== undefined) this.report(this.catalog);
      });
    }

    private report(catalog: Catalog): void {
      const { service, prefix } = this.target;
      const all = catalog.instances(service);
      const byAddress = new Map<string, Instance>();
      const endpoints: Endpoint[] = [];
      for (const instance of all) {
        if (instance.status !== 'up') continue;
        const address = parseHostPort(instance.address);
        if (address === undefined) {
          context.warn(
            new MalformedValueError(`instance ${service}/${instance.id} has address "${instance.address}", which gRPC cannot dial (expected host:port); not offered`, {
              details: { key: instance.key, reason: 'address is not host:port', modRevision: instance.modRevision },
            }),
          );
          continue;
        }
        const key = addressKey(address);
        if (byAddress.has(key)) continue; // two ids at one address: one endpoint
        byAddress.set(key, instance);
        endpoints.push({ addresses: [address] });
      }
      if (endpoints.length === 0) {
        const draining = all.filter((i) => i.status !== 'up').length;
        const details =
          all.length === 0
            ? `rollcall: no instance of service "${service}" is registered under etcd prefix ${prefix}/`
            : `rollcall: none of the ${all.length} instance(s) of service "${service}" under etcd prefix ${prefix}/ can take calls (${draining} draining or leaving)`;
        reportError(this.listener, { code: grpc.status.UNAVAILABLE, details, metadata: new grpc.Metadata() });
        return;
      }
      reportEndpoints(this.listener, endpoints, { [INSTANCES_ATTRIBUTE]: byAddress, [SERVICE_ATTRIBUTE]: service });
    }
  };
}
