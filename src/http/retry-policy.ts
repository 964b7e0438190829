/**
 * When a failed try may be sent again to another instance: the request is idempotent, the
 * failure happened before any response and says the connection, not the application, failed, and
 * the body can be sent again.
 *
 * Idempotent means an RFC 9110 idempotent method (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) or any
 * method carrying an `Idempotency-Key` header (the IETF draft's convention that the server
 * de-duplicates such requests).
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { IDEMPOTENT_METHODS } from './http-options.js';
import { headerValue } from './request-headers.js';

/** Error codes meaning the request never reached the application, or its connection died under it. */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET', // "other side closed": the instance closed the socket before answering
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT', // also the per-try timeout
]);

export function isIdempotent(method: string, headers: Dispatcher.DispatchOptions['headers']): boolean {
  return IDEMPOTENT_METHODS.includes(method.toUpperCase()) || headerValue(headers, 'idempotency-key') !== undefined;
}

/** True for failures of the connection to the instance (counted against it and retried). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_ERROR_CODES.has(code);
}

type Body = Dispatcher.DispatchOptions['body'];

/**
 * Wraps a request body so a retry can tell whether it may be sent again. Bytes can always be;
 * a Node or web stream only while nothing has read it; any other iterable (fetch sends its body
 * as an async generator) only while nobody has started iterating it.
 */
export class BodyTracker {
  readonly body: Body;
  private iterated = false;

  constructor(private readonly original: Body) {
    this.body = isReplayable(original) || isStream(original) || !isAsyncIterable(original) ? original : this.track(original);
  }

  /** Whether the body may be sent once more. */
  replayable(): boolean {
    const body = this.original;
    if (isReplayable(body)) return true;
    if (isStream(body)) return !Readable.isDisturbed(body as Readable);
    return isAsyncIterable(body) ? !this.iterated : false;
  }

  private track(iterable: AsyncIterable<unknown>): Body {
    const tracked = {
      [Symbol.asyncIterator]: () => {
        this.iterated = true;
        return iterable[Symbol.asyncIterator]();
      },
    };
    return tracked as unknown as Body;
  }
}

function isReplayable(body: unknown): boolean {
  return body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

function isStream(body: unknown): boolean {
  const candidate = body as { pipe?: unknown; getReader?: unknown } | null;
  return typeof candidate?.pipe === 'function' || typeof candidate?.getReader === 'function';
}

function isAsyncIterable(body: unknown): body is AsyncIterable<unknown> {
  return typeof (body as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}
