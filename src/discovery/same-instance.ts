/**
 * Whether a freshly decoded instance repeats the one the catalog holds: same key, revisions and
 * lease, and the same decoded record. The catalog keeps no value bytes to compare, and does not
 * need them: within one etcd history the revisions alone tell, and across a wiped or restored
 * etcd (revisions reused) a value that decodes to the same record is, to every reader of the
 * catalog, the same instance.
 */
import type { Instance, JsonValue } from '../codec/index.js';

export function sameInstance(held: Instance, read: Instance): boolean {
  return (
    held.modRevision === read.modRevision &&
    held.createRevision === read.createRevision &&
    held.lease === read.lease &&
    held.key === read.key &&
    held.address === read.address &&
    held.status === read.status &&
    held.weight === read.weight &&
    held.zone === read.zone &&
    held.version === read.version &&
    held.registeredAt === read.registeredAt &&
    sameJson(held.tags, read.tags) &&
    sameJson(held.meta, read.meta)
  );
}

/** Deep equality of JSON values (key order ignored). */
export function sameJson(a: JsonValue | readonly JsonValue[] | Readonly<Record<string, JsonValue>>, b: typeof a): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!sameJson(a[i] as JsonValue, b[i] as JsonValue)) return false;
    return true;
  }
  const left = a as Readonly<Record<string, JsonValue>>;
  const right = b as Readonly<Record<string, JsonValue>>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  for (const key of keys) if (!Object.hasOwn(right, key) || !sameJson(left[key] as JsonValue, right[key] as JsonValue)) return false;
  return true;
}
