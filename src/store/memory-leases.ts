/**
 * Lease table of the in-process backend. A lease ends by revoke, by its TTL timer, or by an
 * explicit expire (the test hook for a crashed client). Kept-alive leases have no timer: an
 * in-process keepalive never fails, so only revoke/expire end them.
 */

export type LeaseEnd = 'revoked' | 'expired';

interface LeaseRecord {
  readonly ttl: number;
  readonly keys: Set<string>;
  readonly listeners: Set<(how: LeaseEnd) => void>;
  timer: NodeJS.Timeout | undefined;
}

export class LeaseTable {
  #nextId = 1n;
  readonly #leases = new Map<string, LeaseRecord>();
  readonly #onTimeout: (id: string) => void;

  /** `onTimeout` runs when a TTL timer fires; the backend then expires the lease. */
  constructor(onTimeout: (id: string) => void) {
    this.#onTimeout = onTimeout;
  }

  /** A new lease id (decimal, never "0"). Timers are unref'd: a pending expiry never keeps Node alive. */
  grant(ttl: number, keepAlive: boolean): string {
    // etcd lease ids are int64s that look random; large ids here catch code that assumes small ones.
    const id = (0x7a11c0de00000000n + this.#nextId).toString();
    this.#nextId += 1n;
    const record: LeaseRecord = { ttl, keys: new Set(), listeners: new Set(), timer: undefined };
    if (!keepAlive) {
      record.timer = setTimeout(() => this.#onTimeout(id), ttl * 1000);
      record.timer.unref();
    }
    this.#leases.set(id, record);
    return id;
  }

  has(id: string): boolean {
    return this.#leases.has(id);
  }

  attach(id: string, key: string): void {
    this.#leases.get(id)?.keys.add(key);
  }

  detach(id: string, key: string): void {
    this.#leases.get(id)?.keys.delete(key);
  }

  /** Registers `listener` for the end of lease `id`; returns the unsubscribe. No-op if unknown. */
  onEnd(id: string, listener: (how: LeaseEnd) => void): () => void {
    const record = this.#leases.get(id);
    if (!record) return () => undefined;
    record.listeners.add(listener);
    return () => record.listeners.delete(listener);
  }

  /** Removes the lease; returns its keys (sorted, as etcd deletes them) and listeners, or undefined. */
  remove(id: string): { keys: string[]; listeners: Array<(how: LeaseEnd) => void> } | undefined {
    const record = this.#leases.get(id);
    if (!record) return undefined;
    this.#leases.delete(id);
    clearTimeout(record.timer);
    return { keys: [...record.keys].sort(compareKeys), listeners: [...record.listeners] };
  }
}

/**
 * etcd orders keys by their UTF-8 bytes, which is code point order. JavaScript's `<` compares
 * UTF-16 units and differs for characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    if (surrogateX !== surrogateY) return surrogateX ? 1 : -1; // a surrogate starts a code point above U+FFFF
    return x - y;
  }
  return a.length - b.length;
}
