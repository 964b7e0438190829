// Type tests of the root entry (`rollcall`): the stable API is there with the documented shapes,
// and internals are not exported. Model: undici's test/types.
import * as rollcall from '../../src/index.js';
import {
  Catalog,
  createPicker,
  EtcdStore,
  LeaseState,
  Registrar,
  type CatalogChange,
  type ConnectionOptions,
  type Instance,
  type KVPair,
  type Lock,
  type Picker,
  type PickerStrategy,
  type Registration,
  type RegistrarOptions,
  type Session,
  type Store,
} from '../../src/index.js';
import { expectExact, expectType, type Equal } from './expect-type.js';

// Registration.
const registrar = new Registrar({ endpoints: ['127.0.0.1:2379'], ttl: 10 });
expectType<Promise<Registration>>(registrar.register({ service: 'api', address: '10.0.0.1:8080' }));
expectType<string | undefined>(registrar.leaseId);
expectType<LeaseState>(registrar.state);
expectType<Promise<void>>(registrar.close());
expectType<RegistrarOptions>({ endpoints: '127.0.0.1:2379', timeoutMs: 1000 });
expectType<ConnectionOptions>({ endpoints: ['a:1', 'b:2'], auth: { username: 'u', password: 'p' } });
// @ts-expect-error register needs a service and an address
void registrar.register({});
// Events are typed: `lost` carries a LeaseLostError with its lease id.
registrar.on('lost', (error) => {
  expectType<rollcall.LeaseLostError>(error);
  expectType<string>(error.details.leaseId);
});
// @ts-expect-error not a Registrar event
registrar.on('bogus', () => undefined);

// Discovery and balancing.
expectType<Promise<Catalog>>(Catalog.open({ endpoints: '127.0.0.1:2379' }));
declare const catalog: Catalog;
expectType<Instance[]>(catalog.instances('api'));
expectType<AsyncIterableIterator<CatalogChange>>(catalog.changes());
expectType<Picker>(catalog.picker('api', 'weighted'));
catalog.on('removed', (change) => expectType<'deregistered' | 'expired' | 'invalid'>(change.reason));
const picker = createPicker({ strategy: 'hash' });
expectType<Instance>(picker.pick('user-42'));
expectType<PickerStrategy>(picker.strategy);
// @ts-expect-error not a strategy
createPicker('fastest');

// The Store.
const store: Store = new EtcdStore({ endpoints: '127.0.0.1:2379', namespace: 'app/' });
expectType<Promise<KVPair | null>>(store.get('k'));
expectType<Promise<KVPair>>(store.put('k', 'v', { ttl: 5 }));
expectType<Promise<Session>>(store.session({ ttl: 10 }));
expectType<Promise<Lock>>(store.lock('jobs'));
declare const lock: Lock;
expectType<AbortSignal>(lock.lost);
expectType<number>(lock.createRevision);
expectType<string>(lock.leaseId);
declare const session: Session;
expectType<string>(session.leaseId);
expectExact<Equal<rollcall.StoreState, 'open' | 'closed'>>();

// Cancellation: the long operations take an AbortSignal.
declare const signal: AbortSignal;
declare const registration: Registration;
expectType<Promise<void>>(registration.deregister({ signal }));
expectType<Promise<void>>(registrar.close({ signal }));
expectType<Promise<Catalog>>(Catalog.open({ signal }));
expectType<Promise<void>>(catalog.close({ signal }));

// Environment variable names are exported constants.
expectExact<Equal<typeof rollcall.ENV_TIMEOUT_MS, 'ROLLCALL_TIMEOUT_MS'>>();
expectExact<Equal<typeof rollcall.ENV_ENDPOINTS, 'ROLLCALL_ENDPOINTS'>>();
expectExact<Equal<typeof rollcall.ENV_STORE_SESSION_TTL, 'ROLLCALL_STORE_SESSION_TTL'>>();

// Instances are read-only snapshots.
declare const instance: Instance;
expectExact<Equal<typeof instance.status, 'up' | 'draining' | 'leaving'>>();
// @ts-expect-error read-only
instance.weight = 2;

// Internals stay internal: none of these is exported from the root.
// @ts-expect-error internal
expectType<unknown>(rollcall.Backoff);
// @ts-expect-error internal
expectType<unknown>(rollcall.sleep);
// @ts-expect-error internal
expectType<unknown>(rollcall.pause);
// @ts-expect-error internal
expectType<unknown>(rollcall.withDeadline);
// @ts-expect-error internal
expectType<unknown>(rollcall.translateEtcdError);
// @ts-expect-error internal
expectType<unknown>(rollcall.isLeaseNotFound);
// @ts-expect-error internal
expectType<unknown>(rollcall.KeepAliveChannel);
// @ts-expect-error internal
expectType<unknown>(rollcall.EtcdConnection);
// @ts-expect-error internal
expectType<unknown>(rollcall.resolveConnectionOptions);
// @ts-expect-error internal
expectType<unknown>(rollcall.resolveCatalogOptions);
// @ts-expect-error internal
expectType<unknown>(rollcall.resolveStoreOptions);
// @ts-expect-error internal
expectType<unknown>(rollcall.EtcdSessionState);
// @ts-expect-error internal
expectType<unknown>(rollcall.KeyLayout);
// @ts-expect-error internal
expectType<unknown>(rollcall.encodeInstance);
// @ts-expect-error in rollcall/testing, not the root
expectType<unknown>(rollcall.MemoryBackend);
// @ts-expect-error in rollcall/testing, not the root
expectType<unknown>(rollcall.MemoryStore);
// @ts-expect-error in rollcall/testing, not the root
expectType<unknown>(rollcall.EtcdProcess);
