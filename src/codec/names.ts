/**
 * Rules for the names that become etcd key segments: service names and instance ids (one
 * segment each) and the key prefix (one or more segments). Checked on every write so that a
 * consumer can always split a key back into prefix / service / id.
 */
import { InvalidNameError } from '../errors.js';

export const MAX_NAME_LENGTH = 128;

// Whitespace (any Unicode space) and control characters (C0, DEL, C1).
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;
// U+FFFD is what a key that is not valid UTF-8 reads as, and what a lone surrogate is written
// as: a name holding it does not map back to the key's bytes. (With the u flag a surrogate pair
// is one code point, so \p{Surrogate} matches only a lone one.)
const NOT_ROUND_TRIPPED = /\ufffd|\p{Surrogate}/u;

/** Why `name` is not a valid single key segment, or undefined when it is. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name === 'string' && isPlainAsciiName(name)) return undefined;
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters (got ${name.length})`;
  if (name.includes('/')) return 'must not contain "/"';
  if (FORBIDDEN.test(name)) return 'must not contain whitespace or control characters';
  if (NOT_ROUND_TRIPPED.test(name)) return 'must be valid UTF-8 (no U+FFFD, no lone surrogate)';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  return undefined;
}

/**
 * The common case, checked without the regular expressions (this runs for every key a catalog
 * reads): 1..MAX_NAME_LENGTH printable ASCII characters other than "/", and not "." or "..".
 */
function isPlainAsciiName(name: string): boolean {
  const length = name.length;
  if (length === 0 || length > MAX_NAME_LENGTH) return false;
  for (let i = 0; i < length; i += 1) {
    const code = name.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === 0x2f) return false;
  }
  return name !== '.' && name !== '..';
}

/** Throws InvalidNameError unless `name` is a valid service name / instance id. */
export function assertValidName(kind: 'service name' | 'instance id' | 'election name' | 'lock name', name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem) {
    throw new InvalidNameError(`invalid ${kind} ${JSON.stringify(name)}: ${problem}`, { details: { kind, name } });
  }
}

/**
 * Normalises a key prefix: one or more valid segments joined by "/", without leading or trailing
 * "/" ("services", "prod/services"). Throws InvalidNameError otherwise.
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  const segments = trimmed.split('/');
  for (const segment of segments) {
    const problem = nameProblem(segment);
    if (problem) {
      throw new InvalidNameError(`invalid key prefix ${JSON.stringify(prefix)}: segment ${JSON.stringify(segment)} ${problem}`, {
        details: { prefix },
      });
    }
  }
  return trimmed;
}
