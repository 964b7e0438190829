/**
 * Waiting helpers for the Store contract suite. Every wait is bounded by a deadline and driven by
 * an event (an iterator item, a settled promise, an abort), never by a sleep.
 */
import type { Store } from '../../src/store/index.js';

/**
 * Rejects with a clear message if `promise` has not settled within `ms`. The deadline timer is
 * deliberately ref'd: the library's own timers (lease TTLs) are unref'd, and a test waiting only
 * on them must keep the process alive until its deadline.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with `signal.reason` once `signal` aborts (bounded). */
export function abortedWithin(signal: AbortSignal, ms: number, what: string): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return within(
    new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true })),
    ms,
    what,
  );
}

/** Pulls items from an async iterable, each pull bounded by the deadline. */
export class Reader<T> {
  readonly #iterator: AsyncIterator<T>;
  readonly #ms: number;
  #pending: Promise<IteratorResult<T>> | undefined;

  constructor(iterable: AsyncIterable<T>, ms: number) {
    this.#iterator = iterable[Symbol.asyncIterator]();
    this.#ms = ms;
  }

  /** The next item; fails if the iteration ends or the deadline passes. */
  async next(what = 'the next item'): Promise<T> {
    const result = await this.#pull(what);
    if (result.done) throw new Error(`iteration ended while waiting for ${what}`);
    return result.value;
  }

  /** Skips items until one matches. */
  async until(match: (item: T) => boolean, what: string): Promise<T> {
    for (;;) {
      const item = await this.next(what);
      if (match(item)) return item;
    }
  }

  async take(count: number, what: string): Promise<T[]> {
    const items: T[] = [];
    while (items.length < count) items.push(await this.next(`${what} (${items.length + 1}/${count})`));
    return items;
  }

  /** Asserts the iteration ends (done) within the deadline, without further items. */
  async expectEnd(what: string): Promise<void> {
    const result = await this.#pull(`the end of ${what}`);
    if (!result.done) throw new Error(`${what} yielded ${JSON.stringify(result.value)} instead of ending`);
  }

  /** The iteration's first pull, raw: for asserting rejections. */
  pull(): Promise<IteratorResult<T>> {
    return this.#iterator.next();
  }

  async close(): Promise<void> {
    await this.#iterator.return?.();
  }

  async #pull(what: string): Promise<IteratorResult<T>> {
    // A pull that lost a race with the deadline is kept and reused, so no item is skipped.
    this.#pending ??= this.#iterator.next();
    const result = await within(this.#pending, this.#ms, what);
    this.#pending = undefined;
    return result;
  }
}

/**
 * Counts the keys under a prefix through watchTree, so a test can wait for "n contenders are
 * queued" without polling.
 */
export class KeyCounter {
  readonly #keys = new Set<string>();
  readonly #waiters: Array<{ count: number; resolve(): void }> = [];
  readonly #stop = new AbortController();
  readonly #ms: number;
  readonly done: Promise<void>;

  constructor(store: Store, prefix: string, ms: number) {
    this.#ms = ms;
    this.done = this.#run(store, prefix);
    this.done.catch(() => undefined); // surfaced by atLeast() timing out and by stop()
  }

  get size(): number {
    return this.#keys.size;
  }

  atLeast(count: number): Promise<void> {
    if (this.#keys.size >= count) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.#waiters.push({ count, resolve })), this.#ms, `${count} keys`);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.done;
  }

  async #run(store: Store, prefix: string): Promise<void> {
    for await (const event of store.watchTree(prefix, { signal: this.#stop.signal })) {
      if (event.type === 'snapshot') {
        this.#keys.clear();
        for (const kv of event.kvs) this.#keys.add(kv.key);
      } else if (event.type === 'put') this.#keys.add(event.key);
      else this.#keys.delete(event.key);
      for (let i = this.#waiters.length - 1; i >= 0; i -= 1) {
        const waiter = this.#waiters[i];
        if (waiter && this.#keys.size >= waiter.count) {
          this.#waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
  }
}

/** Records when a promise settles, so a test can assert it has not (yet) without waiting. */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  const state = { promise, settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}
