/**
 * The demo's consumer: what a client of the services does. A Catalog follows the demo's services,
 * one picker per service (kept up to date by the catalog) chooses an instance for each simulated
 * call, and every catalog change is narrated as it happens.
 */
import type { Picker, PickerStrategy } from '../balance/index.js';
import { Catalog, type CatalogChange, type InstanceRemoved } from '../discovery/index.js';
import { hasErrorCode, RollcallError, WaitTimeoutError } from '../errors.js';
import type { ConnectionOptions } from '../etcd/index.js';
import { changeLine } from './catalog-lines.js';

export interface DemoService {
  readonly name: string;
  readonly strategy: PickerStrategy;
  /** Simulated calls per round. */
  readonly calls: number;
}

export class DemoConsumer {
  private round = 0;

  private constructor(
    private readonly catalog: Catalog,
    private readonly services: readonly { readonly spec: DemoService; readonly picker: Picker }[],
    private readonly say: (line: string) => void,
  ) {
    const narrate = (change: CatalogChange): void => say(`  catalog: ${changeLine(change).replace(/\s+/, ' ')}`);
    catalog.on('added', narrate);
    catalog.on('updated', narrate);
    catalog.on('removed', narrate);
    catalog.on('recovered', narrate);
    catalog.on('stale', ({ staleForMs }) => say(`  catalog: etcd unreachable for ${staleForMs} ms, using the last known instances`));
    catalog.on('warning', (error) => say(`  catalog: warning ${error.code}: ${error.message}`));
  }

  static async open(connection: ConnectionOptions, prefix: string, services: readonly DemoService[], say: (line: string) => void): Promise<DemoConsumer> {
    const catalog = await Catalog.open({ ...connection, prefix, services: services.map((s) => s.name) });
    const pickers = services.map((spec) => ({ spec, picker: catalog.picker(spec.name, spec.strategy) }));
    return new DemoConsumer(catalog, pickers, say);
  }

  /** One round of simulated calls per service; prints which instance got each call. */
  pickRound(note = ''): void {
    this.round++;
    this.say(`round ${this.round}${note ? ` (${note})` : ''}:`);
    const width = Math.max(...this.services.map(({ spec }) => `${spec.name} (${spec.strategy})`.length));
    for (const { spec, picker } of this.services) {
      const label = `${spec.name} (${spec.strategy})`.padEnd(width);
      const ids: string[] = [];
      try {
        for (let i = 0; i < spec.calls; i++) ids.push(picker.pick().id);
      } catch (error) {
        if (!hasErrorCode(error, 'ERR_NO_INSTANCE')) throw error;
        const reason = error instanceof RollcallError ? String(error.details['reason']) : 'none';
        this.say(`  ${label}  no instance to call (${reason})`);
        continue;
      }
      this.say(`  ${label}  ${ids.join(' ')}`);
    }
  }

  /** Resolves with the `removed` change of `service/id` (registers its listener at once). */
  waitForRemoval(service: string, id: string, timeoutMs: number, signal: AbortSignal): Promise<InstanceRemoved> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.catalog.off('removed', onRemoved);
        signal.removeEventListener('abort', onAbort);
      };
      const onRemoved = (change: InstanceRemoved): void => {
        if (change.service !== service || change.instance.id !== id) return;
        cleanup();
        resolve(change);
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new WaitTimeoutError(`${service}/${id} was not removed within ${timeoutMs} ms`));
      }, timeoutMs);
      this.catalog.on('removed', onRemoved);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits until `count` instances of the services are live in the catalog. */
  async waitForInstances(count: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const total = (): number => this.services.reduce((sum, { spec }) => sum + this.catalog.instances(spec.name).length, 0);
    if (total() >= count) return;
    await new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.catalog.off('added', onAdded);
        signal.removeEventListener('abort', onAbort);
      };
      const onAdded = (): void => {
        if (total() < count) return;
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new WaitTimeoutError(`only ${total()} of ${count} instances appeared within ${timeoutMs} ms`));
      }, timeoutMs);
      this.catalog.on('added', onAdded);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): Promise<void> {
    return this.catalog.close();
  }
}
