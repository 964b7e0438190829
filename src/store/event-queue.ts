/**
 * An unbounded async queue used as a watch iterator: the producer pushes synchronously (never
 * blocks, never drops), the consumer pulls with `for await`. Memory grows with unread items;
 * that is the documented price of not losing events to a slow consumer.
 */

export class EventQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #takers: Array<{ resolve(result: IteratorResult<T>): void; reject(error: unknown): void }> = [];
  #ended = false;
  #error: { error: unknown } | undefined;
  #onStop: (() => void) | undefined;

  constructor(onStop?: () => void) {
    this.#onStop = onStop;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Called once when the queue ends for any reason (end, fail, or the consumer's break). */
  set onStop(onStop: () => void) {
    this.#onStop = onStop;
  }

  push(item: T): void {
    if (this.#ended) return;
    const taker = this.#takers.shift();
    if (taker) taker.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  /** Ends now: unread items are dropped and every pending or later next() is done. */
  end(): void {
    this.#finish(undefined);
  }

  /** Ends with an error: pending and later next() calls reject with it once. */
  fail(error: unknown): void {
    this.#finish({ error });
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
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#takers.push({ resolve, reject }));
  }

  /** The consumer's `break` / `return`: stop producing. */
  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #finish(error: { error: unknown } | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    const takers = this.#takers;
    this.#takers = [];
    if (error && takers.length > 0) {
      for (const taker of takers) taker.reject(error.error);
    } else {
      this.#error = error;
      for (const taker of takers) taker.resolve({ value: undefined, done: true });
    }
    const onStop = this.#onStop;
    this.#onStop = undefined;
    onStop?.();
  }
}
