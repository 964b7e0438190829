/**
 * One key as the Store returns it. Fields mirror etcd v3's mvccpb.KeyValue so EtcdStore can fill
 * them straight from a response; MemoryStore fills them the same way.
 */

import { InvalidConfigError } from '../errors.js';

const utf8 = new TextDecoder('utf-8');

export interface KVPairFields {
  /** The key, without the store's namespace. */
  readonly key: string;
  /** Raw bytes. Each KVPair owns its own copy, so mutating it never changes the store. */
  readonly value: Uint8Array;
  /** Revision at which the key was last created (after a delete, a new create starts anew). */
  readonly createRevision: number;
  /** Revision of the last write to the key: the token compare-and-swap checks. */
  readonly modRevision: number;
  /** Writes since creation: 1 after the create, +1 per put; reset by a delete. */
  readonly version: number;
  /** Decimal lease id the key is attached to; "0" when none. */
  readonly lease: string;
}

/** A key with its value and revisions, read at one store revision. Immutable. */
export class KVPair implements KVPairFields {
  readonly key: string;
  readonly value: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  readonly lease: string;

  constructor(fields: KVPairFields) {
    this.key = fields.key;
    this.value = fields.value;
    this.createRevision = fields.createRevision;
    this.modRevision = fields.modRevision;
    this.version = fields.version;
    this.lease = fields.lease;
  }

  /** The value decoded as UTF-8 (invalid bytes become U+FFFD). */
  text(): string {
    return utf8.decode(this.value);
  }

  /** Readable form for logs and assertion messages: the value as text. */
  toJSON(): Omit<KVPairFields, 'value'> & { value: string } {
    return {
      key: this.key,
      value: this.text(),
      createRevision: this.createRevision,
      modRevision: this.modRevision,
      version: this.version,
      lease: this.lease,
    };
  }
}

/** Values accepted by put/atomicPut/campaign: strings are stored as UTF-8. */
export type StoreValue = string | Uint8Array;

const utf8Encoder = new TextEncoder();

/** A private copy of `value` as bytes, so later changes to the caller's array do not leak in. */
export function toBytes(value: StoreValue): Uint8Array {
  if (typeof value === 'string') return utf8Encoder.encode(value);
  if (value instanceof Uint8Array) return value.slice();
  throw new InvalidConfigError(`a store value must be a string or a Uint8Array, got ${typeof value}`);
}
