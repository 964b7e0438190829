/**
 * Leader election over KvPrimitives: the etcd concurrency.Election recipe. Candidates queue like
 * lock waiters (./fair-queue.ts) with their value in the key; the leader is the candidate key
 * with the lowest create revision.
 */
import { ClosedError, KeyModifiedError, KeyNotFoundError } from '../errors.js';
import { Hold, HoldState, joinQueue } from './fair-queue.js';
import type { KVPair, StoreValue } from './kv-pair.js';
import { queuePrefix, type KvPrimitives } from './kv-primitives.js';
import type { Leadership, OperationOptions, WaitOptions, WatchOptions } from './store.js';

class HeldLeadership extends Hold implements Leadership {
  readonly election: string;
  #kv: KVPair;
  // Proclaims run one at a time so each compares against the previous one's result.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(election: string, ...rest: ConstructorParameters<typeof Hold>) {
    super(...rest);
    this.election = election;
    this.#kv = rest[1].kv;
  }

  get kv(): KVPair {
    return this.#kv;
  }

  proclaim(value: StoreValue): Promise<KVPair> {
    const run = this.#queue.then(() => this.#proclaim(value));
    this.#queue = run.catch(() => undefined); // the caller gets the error through `run`
    return run;
  }

  resign(): Promise<void> {
    return this.end();
  }

  async #proclaim(value: StoreValue): Promise<KVPair> {
    for (;;) {
      if (this.state === HoldState.Lost) throw this.lost.reason;
      if (this.state === HoldState.Released) throw new ClosedError(`leadership of ${this.election} was resigned`);
      try {
        this.#kv = await this.kvPrimitives.atomicPut(this.key, value, this.#kv, { lease: this.lease });
        return this.#kv;
      } catch (error) {
        // Go compares the create revision: a write by someone else to our key is not a loss.
        if (error instanceof KeyModifiedError) {
          const now = await this.kvPrimitives.get(this.key);
          if (now && now.createRevision === this.createRevision) {
            this.#kv = now;
            continue;
          }
        }
        if (error instanceof KeyModifiedError || error instanceof KeyNotFoundError) {
          throw this.markLost(`leadership of ${this.election} lost: its key is gone`, error);
        }
        throw error;
      }
    }
  }
}

/** Queues as a candidate with `value`; resolves once leader. */
export async function campaign(
  kv: KvPrimitives,
  electionPrefix: string,
  election: string,
  value: StoreValue,
  options: WaitOptions = {},
): Promise<Leadership> {
  const label = `election ${election}`;
  const position = await joinQueue(kv, queuePrefix(electionPrefix, election, 'election'), value, options, { kind: 'election', name: election });
  return new HeldLeadership(election, kv, position, label);
}

/** The candidate with the lowest create revision, or null. */
export async function currentLeader(
  kv: KvPrimitives,
  electionPrefix: string,
  election: string,
  options: OperationOptions = {},
): Promise<KVPair | null> {
  options.signal?.throwIfAborted();
  const prefix = queuePrefix(electionPrefix, election, 'election');
  return lowestCreated(await kv.list(prefix, options));
}

/** The leader now, then after every change that alters who leads or what the leader's value is. */
export function observeLeader(
  kv: KvPrimitives,
  electionPrefix: string,
  election: string,
  options: WatchOptions = {},
): AsyncIterable<KVPair | null> {
  return {
    async *[Symbol.asyncIterator]() {
      const prefix = queuePrefix(electionPrefix, election, 'election');
      const candidates = new Map<string, KVPair>();
      let shown: KVPair | null | undefined;
      for await (const event of kv.watchTree(prefix, options)) {
        if (event.type === 'snapshot') {
          candidates.clear();
          for (const c of event.kvs) candidates.set(c.key, c);
        } else if (event.type === 'put') {
          candidates.set(event.key, event.kv);
        } else {
          candidates.delete(event.key);
        }
        const leader = lowestCreated(candidates.values());
        if (shown === undefined || leader?.key !== shown?.key || leader?.modRevision !== shown?.modRevision) {
          shown = leader;
          yield leader;
        }
      }
    },
  };
}

function lowestCreated(kvs: Iterable<KVPair>): KVPair | null {
  let lowest: KVPair | null = null;
  for (const c of kvs) if (!lowest || c.createRevision < lowest.createRevision) lowest = c;
  return lowest;
}
