/**
 * What the catalog's watch copy keeps per key: the decoded instance itself. The follower calls
 * `keep` for each key as it is read (a listing's pages while etcd sends the next one, each watch
 * event), so decoding overlaps the listing, and the object the copy keeps is the very
 * CatalogInstance the membership holds and hands out: no value bytes and no second record per
 * instance.
 *
 * A key whose value does not decode keeps an InvalidValue: its error (reported as a warning by
 * the membership) and a fingerprint of the key-value, so that a relist tells an unchanged bad
 * value (no new warning) from a changed one.
 *
 * Two reads of a key are the same when both are instances with equal revisions, lease and
 * decoded record (sameInstance), or both are bad values with equal fingerprints. Comparing the
 * decoded record rather than the bytes is what keeps the "wiped or restored etcd reuses
 * revisions" case exact without keeping any bytes: a value that decodes to the same instance is,
 * to every reader of the catalog, the same instance.
 */
import { decodeInstance, type KeyLayout } from '../codec/index.js';
import type { MalformedValueError } from '../errors.js';
import { fingerprintKV, type KeepPolicy, type KeptKV, type WatchedKV } from '../watch/index.js';
import type { CatalogInstance } from './catalog-events.js';
import { catalogInstance } from './catalog-instance.js';
import { sameInstance } from './same-instance.js';

/** A key under the prefix whose value is not a valid instance. */
export class InvalidValue implements KeptKV {
  readonly modRevision: number;
  private readonly hashA: number;
  private readonly hashB: number;

  constructor(
    kv: WatchedKV,
    readonly error: MalformedValueError,
  ) {
    const fingerprint = fingerprintKV(kv);
    this.modRevision = fingerprint.modRevision;
    this.hashA = fingerprint.hashA;
    this.hashB = fingerprint.hashB;
  }

  sameAs(other: InvalidValue): boolean {
    return this.modRevision === other.modRevision && this.hashA === other.hashA && this.hashB === other.hashB;
  }
}

export type KeptInstance = CatalogInstance | InvalidValue;

/** The catalog's KeepPolicy: decode with `layout`, values over `maxValueBytes` are invalid. */
export function keepInstances(layout: KeyLayout, maxValueBytes: number): KeepPolicy<KeptInstance> {
  return {
    keep: (kv) => {
      const decoded = decodeInstance(layout, kv, maxValueBytes);
      return decoded.ok ? catalogInstance(decoded.instance, true) : new InvalidValue(kv, decoded.error);
    },
    same: (a, b) => {
      if (a instanceof InvalidValue) return b instanceof InvalidValue && a.sameAs(b);
      return !(b instanceof InvalidValue) && sameInstance(a, b);
    },
  };
}
