/**
 * Reading and adding request headers in every shape undici accepts: a plain object, a flat
 * `[name, value, …]` array, an array of pairs, or any iterable of pairs (Headers, Map).
 */
import type { Dispatcher } from 'undici';

type Headers = Dispatcher.DispatchOptions['headers'];
type HeaderValue = string | string[] | undefined;

/** The first value of header `name` (lower case), or undefined. */
export function headerValue(headers: Headers, name: string): string | undefined {
  for (const [key, value] of headerEntries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) return String(first);
  }
  return undefined;
}

/** `headers` with `name: value` added unless a header of that name is already there. */
export function withDefaultHeader(headers: Headers, name: string, value: string): Headers {
  if (headerValue(headers, name) !== undefined) return headers;
  if (headers === null || headers === undefined) return { [name]: value };
  if (isPlainRecord(headers)) return { [name]: value, ...headers };
  const flat: string[] = [name, value];
  for (const [key, entry] of headerEntries(headers)) {
    if (entry === undefined) continue;
    for (const one of Array.isArray(entry) ? entry : [entry]) flat.push(key, String(one));
  }
  return flat;
}

function* headerEntries(headers: Headers): Iterable<[string, HeaderValue]> {
  if (headers === null || headers === undefined) return;
  if (Array.isArray(headers)) {
    // Either flat [name, value, name, value…] or [[name, value], …].
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown as [string, HeaderValue][]) yield pair;
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) yield [String(headers[i]), headers[i + 1]];
    }
    return;
  }
  if (isPlainRecord(headers)) {
    for (const [key, value] of Object.entries(headers)) yield [key, value as HeaderValue];
    return;
  }
  for (const pair of headers as Iterable<[string, HeaderValue]>) yield pair;
}

function isPlainRecord(headers: object): headers is Record<string, HeaderValue> {
  return typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function';
}
