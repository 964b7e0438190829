/**
 * The `rollcall` grpc-js load-balancing policy: rollcall's pickers (weighted, least-loaded,
 * zone-preferring, hash on a metadata key, with outlier ejection and the panic threshold) choose
 * among the endpoints that are READY. Like grpc-js's round_robin it keeps one pick_first child
 * (LeafLoadBalancer) per endpoint and keeps every child connected; unlike it, children survive
 * address-list updates for endpoints still present, so a catalog change does not reconnect
 * anything.
 *
 * The instance behind each endpoint comes from the resolver attribute INSTANCES_ATTRIBUTE (the
 * rollcall resolver sets it); with another resolver every endpoint is an instance of weight 1.
 * Each finished call reports to the picker: OK is a success, UNAVAILABLE, INTERNAL, UNKNOWN and
 * DEADLINE_EXCEEDED are failures (they count toward ejection), any other status is the
 * application's answer and counts as neither. Calls in flight feed least-loaded.
 */
import { createPicker, type Picker as RollcallPicker } from '../balance/index.js';
import type { Instance } from '../codec/instance.js';
import { NoInstanceError } from '../errors.js';
import { BALANCER_NAME, RollcallBalancerConfig } from './balancer-config.js';
import { addressKey } from './endpoint-address.js';
import { INSTANCES_ATTRIBUTE } from './etcd-resolver.js';
import type { Attributes, ChannelControlHelper, Endpoint, GrpcModule, LeafLoadBalancer, PickArgs, Picker, PickResult, StatusOr } from './grpc-api.js';

interface Child {
  readonly leaf: LeafLoadBalancer;
  instance: Instance;
}

export function createBalancerClass(grpc: GrpcModule): new (helper: ChannelControlHelper, options?: Attributes) => unknown {
  const { connectivityState: State, experimental } = grpc;
  const failureCodes = new Set([grpc.status.UNAVAILABLE, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DEADLINE_EXCEEDED]);

  /** The picker grpc-js calls per RPC while the balancer is READY. */
  class ReadyPicker implements Picker {
    constructor(
      private readonly picker: RollcallPicker,
      private readonly byKey: ReadonlyMap<string, Child>,
      private readonly hashMetadataKey: string | undefined,
    ) {}

    pick(args: PickArgs): PickResult {
      let handle;
      try {
        handle = this.picker.acquire(this.hashKey(args));
      } catch (error) {
        const details = error instanceof NoInstanceError ? `rollcall: ${error.message}` : `rollcall: ${String(error)}`;
        return { pickResultType: experimental.PickResultType.TRANSIENT_FAILURE, subchannel: null, status: { code: grpc.status.UNAVAILABLE, details, metadata: new grpc.Metadata() }, onCallStarted: null, onCallEnded: null };
      }
      const child = this.byKey.get(handle.instance.key);
      if (child === undefined) {
        handle.release();
        return new experimental.QueuePicker({ exitIdle: () => undefined }).pick(args);
      }
      const result = child.leaf.getPicker().pick(args);
      if (result.pickResultType !== experimental.PickResultType.COMPLETE) {
        handle.release();
        return result;
      }
      const ended = result.onCallEnded;
      return {
        ...result,
        onCallEnded: (code: number, ...rest: unknown[]) => {
          handle.release(code === grpc.status.OK ? true : failureCodes.has(code) ? false : undefined);
          ended?.(code, ...rest);
        },
      };
    }

    private hashKey(args: PickArgs): string | undefined {
      if (this.picker.strategy !== 'hash') return undefined;
      const value = this.hashMetadataKey === undefined ? undefined : args.metadata.get(this.hashMetadataKey)[0];
      // No key on this call: any instance will do, spread at random.
      return value === undefined ? String(Math.random()) : value.toString();
    }
  }

  return class RollcallBalancer {
    private readonly children = new Map<string, Child>();
    private readonly childHelper: ChannelControlHelper;
    private config: RollcallBalancerConfig | undefined;
    private picker: RollcallPicker | undefined;
    private state: number = State.IDLE;
    private updating = false;
    private lastError: string | null = null;

    constructor(
      private readonly helper: ChannelControlHelper,
      /** grpc-js before 1.13 passes the channel options here rather than with each address list. */
      private readonly constructorOptions?: Attributes,
    ) {
      this.childHelper = experimental.createChildChannelControlHelper(helper, {
        updateState: (_state: number, _picker: Picker, errorMessage?: string | null) => {
          if (errorMessage) this.lastError = errorMessage;
          this.updateState();
        },
      });
    }

    updateAddressList(list: Endpoint[] | StatusOr<Endpoint[]>, config: unknown, optionsOrAttributes: Attributes, resolutionNote?: string): boolean {
      if (!(config instanceof RollcallBalancerConfig)) return false;
      if (!Array.isArray(list) && !list.ok) {
        if (this.children.size === 0) this.publish(State.TRANSIENT_FAILURE, new experimental.UnavailablePicker(list.error), list.error.details);
        return true;
      }
      const endpoints = Array.isArray(list) ? list : list.value;
      this.configure(config);
      const instances = optionsOrAttributes[INSTANCES_ATTRIBUTE] as ReadonlyMap<string, Instance> | undefined;
      const leafOptions = this.constructorOptions ?? optionsOrAttributes;
      const seen = new Set<string>();
      this.updating = true;
      try {
        for (const endpoint of endpoints) {
          const first = endpoint.addresses[0];
          if (first === undefined) continue;
          const key = addressKey(first);
          seen.add(key);
          const instance = instances?.get(key) ?? syntheticInstance(key);
          const existing = this.children.get(key);
          if (existing !== undefined) {
            existing.instance = instance;
            existing.leaf.updateEndpoint(endpoint, leafOptions);
            continue;
          }
          const leaf = new experimental.LeafLoadBalancer(endpoint, this.childHelper, leafOptions, resolutionNote ?? '');
          this.children.set(key, { leaf, instance });
          leaf.startConnecting();
        }
        for (const [key, child] of this.children) {
          if (seen.has(key)) continue;
          child.leaf.destroy();
          this.children.delete(key);
        }
      } finally {
        this.updating = false;
      }
      if (endpoints.length === 0) {
        const message = `rollcall: no endpoints resolved${resolutionNote ? ` (${resolutionNote})` : ''}`;
        this.publish(State.TRANSIENT_FAILURE, new experimental.UnavailablePicker({ code: grpc.status.UNAVAILABLE, details: message }), message);
        return true;
      }
      this.updateState();
      return true;
    }

    exitIdle(): void {
      for (const child of this.children.values()) child.leaf.exitIdle();
    }

    resetBackoff(): void {
      for (const child of this.children.values()) child.leaf.resetBackoff?.();
    }

    destroy(): void {
      for (const child of this.children.values()) child.leaf.destroy();
      this.children.clear();
    }

    getTypeName(): string {
      return BALANCER_NAME;
    }

    private configure(config: RollcallBalancerConfig): void {
      if (this.config !== undefined && this.picker !== undefined && this.config.equals(config)) return;
      const { strategy, preferZone, panicThreshold, outlier } = config.settings;
      this.config = config;
      this.picker = createPicker({
        strategy: strategy ?? 'round-robin',
        ...(preferZone === undefined ? {} : { preferZone }),
        ...(panicThreshold === undefined ? {} : { panicThreshold }),
        ...(outlier === undefined ? {} : { outlier }),
      });
    }

    /** Aggregates the children's states into the channel's, as round_robin does. */
    private updateState(): void {
      if (this.updating || this.picker === undefined) return;
      const ready = new Map<string, Child>();
      let connecting = 0;
      let failing = 0;
      for (const child of this.children.values()) {
        const state = child.leaf.getConnectivityState();
        if (state === State.READY) ready.set(child.instance.key, child);
        else if (state === State.CONNECTING) connecting += 1;
        else if (state === State.TRANSIENT_FAILURE) failing += 1;
      }
      if (ready.size > 0) {
        this.picker.update([...ready.values()].map((child) => child.instance));
        this.publish(State.READY, new ReadyPicker(this.picker, ready, this.config?.settings.hashMetadataKey), null);
      } else if (connecting > 0) {
        this.publish(State.CONNECTING, new experimental.QueuePicker(this), null);
      } else if (failing > 0) {
        const message = `rollcall: no connection to any of ${this.children.size} instance(s); last error: ${this.lastError ?? 'none'}`;
        this.publish(State.TRANSIENT_FAILURE, new experimental.UnavailablePicker({ code: grpc.status.UNAVAILABLE, details: message }), message);
      } else {
        this.publish(State.IDLE, new experimental.QueuePicker(this), null);
      }
      // Keep every instance connected, so a pick never waits for a handshake.
      for (const child of this.children.values()) if (child.leaf.getConnectivityState() === State.IDLE) child.leaf.exitIdle();
    }

    private publish(state: number, picker: Picker, errorMessage: string | null): void {
      if (this.state === State.READY && state !== State.READY) this.helper.requestReresolution();
      this.state = state;
      this.helper.updateState(state, picker, errorMessage);
    }
  };
}

/** An endpoint from a resolver that is not rollcall's: an `up` instance of weight 1 at that address. */
function syntheticInstance(address: string): Instance {
  return { service: '', id: address, address, status: 'up', weight: 1, tags: [], meta: {}, key: address, lease: '0', modRevision: 0, createRevision: 0 };
}
