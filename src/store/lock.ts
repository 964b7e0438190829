/**
 * Fair mutex over KvPrimitives: the etcd concurrency.Mutex recipe (see ./fair-queue.ts).
 * Each lock() call gets its own lease, so one store can hold several locks, and a holder that
 * dies frees its lock when that lease expires.
 */
import { joinQueue, Hold } from './fair-queue.js';
import { queuePrefix, type KvPrimitives } from './kv-primitives.js';
import type { Lock, WaitOptions } from './store.js';

class HeldLock extends Hold implements Lock {
  readonly name: string;

  constructor(name: string, ...rest: ConstructorParameters<typeof Hold>) {
    super(...rest);
    this.name = name;
  }

  release(): Promise<void> {
    return this.end();
  }
}

/**
 * Waits for lock `name` under `lockPrefix` and resolves once held. The value of a lock key is
 * empty, as in Go's Mutex, so Go and TypeScript clients can share a lock.
 */
export async function acquireLock(
  kv: KvPrimitives,
  lockPrefix: string,
  name: string,
  options: WaitOptions = {},
): Promise<Lock> {
  const prefix = queuePrefix(lockPrefix, name, 'lock');
  const label = `lock ${name}`;
  const position = await joinQueue(kv, prefix, '', options, { kind: 'lock', name });
  return new HeldLock(name, kv, position, label);
}
