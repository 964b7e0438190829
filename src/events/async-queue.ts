/**
 * The one async queue behind rollcall's iterators (`store.watch()`, `store.watchTree()`,
 * `catalog.changes()`): a producer pushes synchronously (never blocks, never drops), a consumer
 * pulls with `for await`. Memory grows with unread items; that is the documented price of not
 * losing events to a slow consumer, so end an iteration you stop reading.
 *
 * How it ends, three ways with one meaning each:
 * - `end()`   no more items: what is buffered is still delivered, then `done` (a catalog closing:
 *             the changes it saw before closing are not lost);
 * - `stop()`  ends now: unread items are dropped, pending and later next() calls are `done` (the
 *             signal aborting, the consumer's `break`/`return()`, a store closing);
 * - `fail(e)` ends now with an error: unread items are dropped, the next next() rejects with `e`
 *             once, then `done`.
 * After any of them push() is ignored, and `onEnd` (given to the constructor) runs once.
 */
import { addAbortListener } from 'node:events';

export interface AsyncQueueOptions {
  /**
   * Aborting it stops the queue (unread items dropped). Already aborted: the queue starts stopped,
   * and `onEnd` does not run (nothing was attached to it yet).
   */
  signal?: AbortSignal;
  /** Runs once when the queue ends, however it ends: stop producing into it. */
  onEnd?: () => void;
}

interface Taker<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #takers: Array<Taker<T>> = [];
  /** No more pushes (end, stop or fail); buffered items may remain after end(). */
  #closed = false;
  #error: { error: unknown } | undefined;
  #onEnd: (() => void) | undefined;
  #abortListener: Disposable | undefined;

  constructor(options: AsyncQueueOptions = {}) {
    const { signal } = options;
    if (signal?.aborted) this.#closed = true;
    else if (signal) this.#abortListener = addAbortListener(signal, () => this.stop());
    this.#onEnd = this.#closed ? undefined : options.onEnd;
  }

  /** True once the queue takes no more items (ended, stopped or failed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Items pushed and not yet read. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    if (this.#closed) return;
    const taker = this.#takers.shift();
    if (taker) taker.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  /** No more items; what is buffered is still delivered, then the iteration is done. */
  end(): void {
    this.#close();
  }

  /** Ends now: unread items are dropped; pending and later next() calls are done. */
  stop(): void {
    this.#drop();
    this.#close();
  }

  /** Ends now with `error`: unread items are dropped; the next next() rejects with it once. */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#drop();
    const takers = this.#takers;
    this.#takers = [];
    if (takers.length > 0) for (const taker of takers) taker.reject(error);
    else this.#error = { error };
    this.#close();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head] as T;
      this.#head += 1;
      // Compact now and then so a long-lived queue does not keep consumed items reachable.
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#error) {
      const { error } = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#takers.push({ resolve, reject }));
  }

  /** The consumer's `break` / `return()`: stop (unread items dropped). */
  return(): Promise<IteratorResult<T>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #drop(): void {
    this.#items = [];
    this.#head = 0;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Takers only wait while the buffer is empty, so none is left waiting for a buffered item.
    for (const taker of this.#takers.splice(0)) taker.resolve({ value: undefined, done: true });
    this.#abortListener?.[Symbol.dispose]();
    this.#abortListener = undefined;
    const onEnd = this.#onEnd;
    this.#onEnd = undefined;
    onEnd?.();
  }
}
