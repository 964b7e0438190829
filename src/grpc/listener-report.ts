/**
 * Tells a grpc-js resolver listener about endpoints or an error, in whichever of the two
 * listener shapes the running grpc-js has (see grpc-api.ts): an object with
 * `onSuccessfulResolution`/`onError` up to 1.13, a function of `StatusOr` from 1.14.
 */
import type { Attributes, Endpoint, ResolverListener, StatusObject } from './grpc-api.js';

export function reportEndpoints(listener: ResolverListener, endpoints: Endpoint[], attributes: Attributes): void {
  if (typeof listener === 'function') listener({ ok: true, value: endpoints }, attributes, null, '');
  else listener.onSuccessfulResolution(endpoints, null, null, null, attributes);
}

export function reportError(listener: ResolverListener, error: StatusObject): void {
  if (typeof listener === 'function') listener({ ok: false, error }, {}, null, error.details);
  else listener.onError(error);
}
