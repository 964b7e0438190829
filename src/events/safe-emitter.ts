/**
 * An EventEmitter whose listeners cannot hurt the object that emits.
 *
 * Node's `emit` runs listeners in order and stops at the first one that throws, rethrowing into
 * the emitter's own code: a throwing `stateChange` listener would abort a state transition half
 * way, and every later listener of that event would be skipped. Here each listener runs on its
 * own: an exception (or the rejection of a listener that returns a promise) becomes a `warning`
 * carrying a ListenerError, and the remaining listeners still run. The emitter's code therefore
 * sees `emit` return normally whatever its listeners do — which is what lets Registrar, Catalog
 * and Store emit from inside their state machines.
 *
 * Every `warning` is also published on the `rollcall:warning` diagnostics channel, so metrics see
 * warnings whether or not the application listens. A `warning` listener that throws has no event
 * left to report to: its error goes to the `rollcall:listener-error` channel only (every listener
 * failure is published there), rather than crashing the process from inside rollcall's machinery.
 * `emit('error')` with no listener does not throw (the classes route such errors to `warning`
 * themselves).
 */
import { EventEmitter } from 'node:events';
import { ListenerError } from '../errors.js';
import { publish, publishListenerError } from '../diagnostics/publish.js';

type EventMap<T> = Record<keyof T, unknown[]>;
/** The events every SafeEmitter may emit: a listener's failure is reported on `warning`. */
export interface WarningEvent {
  warning: [error: Error];
}

export class SafeEmitter<T extends EventMap<T> & WarningEvent> extends EventEmitter<T> {
  /** Names the emitting class in ListenerError messages ("registrar", "catalog", …). */
  readonly emitterName: string;

  constructor(emitterName: string) {
    super();
    this.emitterName = emitterName;
  }
}

// Installed on the prototype rather than declared as an override so that `emit` keeps the exact
// typed signature of EventEmitter<T> for the subclasses' own calls.
(SafeEmitter.prototype as EventEmitter).emit = function isolatedEmit(this: SafeEmitter<WarningEvent>, event: string | symbol, ...args: unknown[]): boolean {
  // Every warning of every emitter reaches the diagnostics channel, listened to or not.
  if (event === 'warning') publish('rollcall:warning', () => ({ source: this.emitterName, error: args[0] as Error }));
  const listeners = this.rawListeners(event as 'warning') as unknown as ((...a: unknown[]) => unknown)[];
  if (listeners.length === 0) return false;
  for (const listener of listeners) {
    try {
      const result = Reflect.apply(listener, this, args);
      if (isThenable(result)) result.then(undefined, (error: unknown) => listenerFailed(this, event, error));
    } catch (error) {
      listenerFailed(this, event, error);
    }
  }
  return true;
};

function listenerFailed(emitter: SafeEmitter<WarningEvent>, event: string | symbol, error: unknown): void {
  const name = String(event);
  publishListenerError({ source: emitter.emitterName, event: name, error });
  if (name === 'warning') return;
  const reason = error instanceof Error ? error.message : String(error);
  emitter.emit('warning', new ListenerError(`a ${emitter.emitterName} '${name}' listener threw: ${reason}`, { cause: error, details: { event: name } }));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
