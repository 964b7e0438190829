/**
 * The pickers a catalog keeps up to date, per service. A picker is refreshed only after a batch
 * that changed that service, so a busy catalog does not rebuild the snapshots of quiet services;
 * and the refresh is deferred to the picker's next use when nothing can observe it earlier (see
 * BasePicker.deferUpdate), so a burst of batches on a large service costs one rebuild, not one
 * per batch. The instances array is the membership's copy-on-write view: never mutated after.
 */
import { createPicker, type CreatePickerOptions, type Picker, type PickerStrategy } from '../balance/index.js';
import { BasePicker } from '../balance/base-picker.js';
import type { CatalogInstance } from './catalog-events.js';

/** `catalog.picker()` options take every picker option, plus a signal that stops the updates. */
export interface CatalogPickerOptions extends CreatePickerOptions {
  /** Aborting stops the catalog from updating this picker; it keeps its last instance set. */
  signal?: AbortSignal;
}

export class PickerRegistry {
  private readonly byService = new Map<string, Set<Picker>>();

  /**
   * Builds a picker for `service` (throws InvalidConfigError on bad options), gives it `instances`,
   * and keeps it updated until `signal` aborts or clear().
   */
  create(service: string, options: CatalogPickerOptions | PickerStrategy | undefined, instances: readonly CatalogInstance[]): Picker {
    const { signal, ...pickerOptions }: CatalogPickerOptions = typeof options === 'string' ? { strategy: options } : (options ?? {});
    const picker = createPicker({ service, ...pickerOptions });
    picker.update(instances);
    if (signal?.aborted) return picker;
    let set = this.byService.get(service);
    if (!set) {
      set = new Set();
      this.byService.set(service, set);
    }
    set.add(picker);
    signal?.addEventListener('abort', () => this.remove(service, picker), { once: true });
    return picker;
  }

  /** Number of pickers kept up to date for `service`. */
  count(service: string): number {
    return this.byService.get(service)?.size ?? 0;
  }

  /**
   * Gives every picker of `service` its new instance set. A picker whose update throws (a filter
   * predicate that throws) keeps its previous set; the error is passed to `onError`.
   */
  refresh(service: string, instances: readonly CatalogInstance[], onError: (error: unknown) => void): void {
    for (const picker of this.byService.get(service) ?? []) {
      try {
        if (picker instanceof BasePicker) picker.deferUpdate(instances);
        else picker.update(instances);
      } catch (error) {
        onError(error);
      }
    }
  }

  clear(): void {
    this.byService.clear();
  }

  private remove(service: string, picker: Picker): void {
    const set = this.byService.get(service);
    set?.delete(picker);
    if (set?.size === 0) this.byService.delete(service);
  }
}
