/**
 * AbortSignal plumbing for the store: one signal that follows several, with listeners removed
 * when the operation ends (AbortSignal.any keeps its sources' listeners until they are collected).
 */

export interface LinkedSignal {
  /** Aborts, with the same reason, as soon as any source aborts. */
  readonly signal: AbortSignal;
  /** Detaches from the sources; call when the operation is over. */
  dispose(): void;
}

export function linkSignals(...sources: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const attached: Array<[AbortSignal, () => void]> = [];
  const dispose = (): void => {
    for (const [source, listener] of attached) source.removeEventListener('abort', listener);
    attached.length = 0;
  };
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    const listener = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    source.addEventListener('abort', listener, { once: true });
    attached.push([source, listener]);
  }
  return { signal: controller.signal, dispose };
}
