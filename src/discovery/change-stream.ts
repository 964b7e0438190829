/**
 * The async iterator behind `catalog.changes()`: a buffer between the catalog's events and a
 * `for await` loop. Nothing is dropped; a consumer that stops reading without breaking or
 * aborting keeps its buffer growing, so end it (break, `return()`, or the signal) when done.
 *
 * Ends (`done: true`) when the catalog closes, after what was buffered has been read; when the
 * signal aborts, at once; when the loop breaks out.
 */
export class ChangeStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T>) => void> = [];
  private ended = false;
  private readonly onAbort = (): void => this.finish(true);

  constructor(
    private readonly detach: (stream: ChangeStream<T>) => void,
    private readonly signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.finish(true);
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** True once the stream has ended: push() is then ignored. */
  get done(): boolean {
    return this.ended;
  }

  /** Number of changes buffered and not yet read. */
  get buffered(): number {
    return this.buffer.length;
  }

  push(item: T): void {
    if (this.ended) return;
    const next = this.waiting.shift();
    if (next) next({ value: item, done: false });
    else this.buffer.push(item);
  }

  /** Ends the stream; what is buffered is still delivered. */
  end(): void {
    this.finish(false);
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.buffer.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.finish(true);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(discard: boolean): void {
    if (discard) this.buffer.length = 0;
    if (this.ended) return;
    this.ended = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.detach(this);
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
  }
}
