/**
 * The one way to crash a Store on purpose: a test hook, kept off the Store classes so production
 * code cannot call it by accident.
 */
import { BaseStore, CRASH_STORE } from '../store/base-store.js';
import type { Store } from '../store/store.js';

/**
 * Makes `store` behave as if its process died (SIGKILL): its session leases are not revoked, so
 * other clients get its locks and leaderships only when the backend expires them (EtcdStore: after
 * the TTL; MemoryStore: at once); then the handle is closed as by close(). Keys put with `ttl`
 * keep their own leases. Resolves once the handle is closed.
 */
export function crashStore(store: Store): Promise<void> {
  if (!(store instanceof BaseStore)) throw new TypeError('crashStore() needs an EtcdStore or a MemoryStore');
  return store[CRASH_STORE]();
}
