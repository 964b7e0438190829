/**
 * One Catalog per key prefix, shared by every resolver (gRPC channel) and dispatcher in the
 * process that follows that prefix, all on one etcd client and so on one Watch stream. A catalog
 * lives while someone holds it, and a little longer (`lingerMs`) after the last release: a gRPC
 * channel that goes idle destroys its resolver and re-creates it on the next call, and relisting
 * a whole prefix for each such cycle would be waste.
 */
import type { Etcd3 } from 'etcd3';
import { ClosedError } from '../errors.js';
import { Catalog } from './catalog.js';
import type { CatalogOptions } from './catalog-options.js';
import { EtcdConnection, type ConnectionOptions } from '../etcd/index.js';

export interface CatalogPoolOptions extends ConnectionOptions {
  /** An etcd3 client to share instead of building one; rollcall never closes it. */
  client?: Etcd3;
  /** Extra Catalog options (cache file, grace period…) applied to every catalog of the pool. */
  catalog?: Omit<CatalogOptions, 'prefix' | 'services' | 'client' | keyof ConnectionOptions>;
  /** How long an unused catalog stays open, in ms. Default 30_000. */
  lingerMs?: number;
}

interface PoolEntry {
  opening: Promise<Catalog>;
  holders: number;
  linger: NodeJS.Timeout | undefined;
}

export class CatalogPool {
  private readonly entries = new Map<string, PoolEntry>();
  private connection: EtcdConnection | undefined;
  private closed = false;

  constructor(private readonly options: CatalogPoolOptions = {}) {}

  /** The catalog of `prefix`, opened on first use; pair every acquire with one release. */
  acquire(prefix: string): Promise<Catalog> {
    if (this.closed) return Promise.reject(new ClosedError(`the catalog pool is closed; cannot follow prefix ${prefix}/`, { details: { operation: 'acquire' } }));
    let entry = this.entries.get(prefix);
    if (entry === undefined) {
      const opening = Catalog.open({ ...this.connectionOptions(), ...this.options.catalog, prefix });
      entry = { opening, holders: 0, linger: undefined };
      this.entries.set(prefix, entry);
      // A failed open is forgotten at once so the next acquire tries again.
      opening.catch(() => {
        if (this.entries.get(prefix) === entry) this.entries.delete(prefix);
      });
    }
    clearTimeout(entry.linger);
    entry.linger = undefined;
    entry.holders += 1;
    return entry.opening;
  }

  release(prefix: string): void {
    const entry = this.entries.get(prefix);
    if (entry === undefined || entry.holders === 0) return;
    entry.holders -= 1;
    if (entry.holders > 0) return;
    entry.linger = setTimeout(() => this.drop(prefix, entry), this.options.lingerMs ?? 30_000);
    entry.linger.unref();
  }

  /** Closes every catalog (and the client, when the pool built it). */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.entries()];
    this.entries.clear();
    await Promise.all(
      entries.map(async ([, entry]) => {
        clearTimeout(entry.linger);
        const catalog = await entry.opening.catch(() => undefined);
        await catalog?.close();
      }),
    );
    this.connection?.close();
    this.connection = undefined;
  }

  private drop(prefix: string, entry: PoolEntry): void {
    if (this.entries.get(prefix) !== entry || entry.holders > 0) return;
    this.entries.delete(prefix);
    void entry.opening.then(
      (catalog) => catalog.close(),
      () => undefined,
    );
  }

  private connectionOptions(): CatalogOptions {
    const { catalog: _catalog, lingerMs: _linger, ...connection } = this.options;
    // One client for every catalog: they share its connection and its one Watch stream. A client
    // passed in is used as is (EtcdConnection never closes a client it did not build).
    this.connection ??= EtcdConnection.create(connection);
    return { ...connection, client: this.connection.client };
  }
}
