/**
 * What every Store backend shares: the fair lock and the leader election are one recipe written
 * over KvPrimitives (lock.ts, election.ts), so a backend supplies the primitives and inherits
 * lock/campaign/leader/observe from here; and the check of a compare-and-swap's `previous`.
 */
import { InvalidConfigError } from '../errors.js';
import { campaign, currentLeader, observeLeader } from './election.js';
import type { KVPair, StoreValue } from './kv-pair.js';
import { acquireLock } from './lock.js';
import type { Leadership, ListOptions, Lock, PutOptions, Session, SessionOptions, Store, WaitOptions, WatchOptions } from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import type { KeyWatchEvent, TreeWatchEvent } from './watch-events.js';

export abstract class RecipeStore implements Store {
  abstract readonly options: ResolvedStoreOptions;
  abstract get(key: string): Promise<KVPair | null>;
  abstract put(key: string, value: StoreValue, options?: PutOptions): Promise<KVPair>;
  abstract delete(key: string): Promise<boolean>;
  abstract exists(key: string): Promise<boolean>;
  abstract list(prefix: string, options?: ListOptions): Promise<KVPair[]>;
  abstract deleteTree(prefix: string): Promise<number>;
  abstract watch(key: string, options?: WatchOptions): AsyncIterable<KeyWatchEvent>;
  abstract watchTree(prefix: string, options?: WatchOptions): AsyncIterable<TreeWatchEvent>;
  abstract atomicPut(key: string, value: StoreValue, previous: KVPair | null, options?: PutOptions): Promise<KVPair>;
  abstract atomicDelete(key: string, previous: KVPair): Promise<void>;
  abstract session(options?: SessionOptions): Promise<Session>;
  abstract close(): Promise<void>;

  lock(name: string, options: WaitOptions = {}): Promise<Lock> {
    return acquireLock(this, this.options.lockPrefix, name, options);
  }

  campaign(election: string, value: StoreValue, options: WaitOptions = {}): Promise<Leadership> {
    return campaign(this, this.options.electionPrefix, election, value, options);
  }

  leader(election: string): Promise<KVPair | null> {
    return currentLeader(this, this.options.electionPrefix, election);
  }

  observe(election: string, options: WatchOptions = {}): AsyncIterable<KVPair | null> {
    return observeLeader(this, this.options.electionPrefix, election, options);
  }
}

/** The modRevision to compare, null for create-only; rejects a `previous` for another key. */
export function expectedRevision(key: string, previous: KVPair | null, method: string): number | null {
  if (previous === null) return null;
  if (typeof previous !== 'object' || typeof previous.modRevision !== 'number') {
    throw new InvalidConfigError(`${method}: previous must be a KVPair or null`);
  }
  if (previous.key !== key) {
    throw new InvalidConfigError(`${method}: previous is for key "${previous.key}", not "${key}"`, {
      details: { key, previousKey: previous.key },
    });
  }
  return previous.modRevision;
}
