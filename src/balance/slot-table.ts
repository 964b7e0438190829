/**
 * Slots: small integers handed to a picker's entries, reused after an entry leaves, so that
 * per-instance numbers can live in typed arrays indexed by slot (dense, no pointer to chase on
 * the pick path). A slot number is never observable in what a picker picks: ties are broken by
 * key everywhere, so two clients that were handed different slots still pick alike.
 */

export class SlotTable {
  private readonly free: number[] = [];
  private used = 0;

  /** Slots handed out so far (the length every per-slot array must reach). */
  get capacity(): number {
    return this.used;
  }

  allocate(): number {
    return this.free.pop() ?? this.used++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }
}

/** `array` when it already has `length` elements, else a copy grown to at least that (doubling). */
export function grownInt32(array: Int32Array<ArrayBuffer>, length: number, fill = 0): Int32Array<ArrayBuffer> {
  if (array.length >= length) return array;
  const out = new Int32Array(Math.max(length, array.length * 2, 16));
  out.set(array);
  if (fill !== 0) out.fill(fill, array.length);
  return out;
}

/** Float64Array counterpart of grownInt32. */
export function grownFloat64(array: Float64Array<ArrayBuffer>, length: number): Float64Array<ArrayBuffer> {
  if (array.length >= length) return array;
  const out = new Float64Array(Math.max(length, array.length * 2, 16));
  out.set(array);
  return out;
}
