/**
 * The pickers of the services an interceptor has routed to, one per service, each kept up to date
 * by the shared catalog of the prefix (the CatalogPool: one etcd client and one Watch stream per
 * process for every dispatcher and gRPC channel that share the pool). The catalog is opened on the
 * first request to a service, and a failed open is retried by the next request.
 */
import type { Picker } from '../balance/index.js';
import type { CatalogPool } from '../discovery/catalog-pool.js';
import type { Catalog } from '../discovery/index.js';
import { ClosedError } from '../errors.js';
import type { ResolvedHttpOptions } from './http-options.js';

export class ServicePickers {
  private readonly pickers = new Map<string, Picker>();
  private catalog: Catalog | undefined;
  private opening: Promise<Catalog> | undefined;
  private holding = false;
  private closed = false;
  /** Aborted on close: stops the catalog from updating our pickers. */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly pool: CatalogPool,
    private readonly options: Pick<ResolvedHttpOptions, 'prefix' | 'picker'>,
  ) {}

  /** The picker of `service`: at once when the catalog is open, else once it is. */
  picker(service: string): Picker | Promise<Picker> {
    const known = this.pickers.get(service);
    if (known !== undefined) return known;
    if (this.catalog !== undefined) return this.create(this.catalog, service);
    return this.open().then((catalog) => this.pickers.get(service) ?? this.create(catalog, service));
  }

  /** Stops following the catalog and lets the pool close it (after its linger time). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lifetime.abort();
    this.pickers.clear();
    this.catalog = undefined;
    if (this.holding) this.pool.release(this.options.prefix);
    this.holding = false;
  }

  private open(): Promise<Catalog> {
    if (this.closed) return Promise.reject(new ClosedError('the rollcall/http interceptor is closed', { details: { operation: 'dispatch' } }));
    if (this.opening !== undefined) return this.opening;
    this.holding = true;
    const opening = this.pool.acquire(this.options.prefix).then(
      (catalog) => {
        if (this.closed) throw new ClosedError('the rollcall/http interceptor is closed', { details: { operation: 'dispatch' } });
        this.catalog = catalog;
        return catalog;
      },
      (error: unknown) => {
        // Forget the failure so the next request tries etcd again.
        if (this.opening === opening) this.opening = undefined;
        if (this.holding && !this.closed) this.pool.release(this.options.prefix);
        this.holding = false;
        throw error;
      },
    );
    this.opening = opening;
    return opening;
  }

  private create(catalog: Catalog, service: string): Picker {
    const picker = catalog.picker(service, { ...this.options.picker, signal: this.lifetime.signal });
    this.pickers.set(service, picker);
    return picker;
  }
}
