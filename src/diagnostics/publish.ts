/**
 * Publishing helpers for library code: each looks its channel up once and publishes only while
 * someone subscribes, so the payload object is not even built otherwise.
 */
import { channel, type ChannelName, type DiagnosticsPayloads } from './channels.js';

const cache = new Map<ChannelName, ReturnType<typeof channel>>();

/** True while `name` has a subscriber: check before building an expensive payload. */
export function isObserved(name: ChannelName): boolean {
  let found = cache.get(name);
  if (found === undefined) {
    found = channel(name);
    cache.set(name, found);
  }
  return found.hasSubscribers;
}

/** Publishes `make()` on `name` when the channel has subscribers. */
export function publish<N extends ChannelName>(name: N, make: () => DiagnosticsPayloads[N]): void {
  if (isObserved(name)) channel(name).publish(make());
}

export function publishListenerError(payload: DiagnosticsPayloads['rollcall:listener-error']): void {
  publish('rollcall:listener-error', () => payload);
}
