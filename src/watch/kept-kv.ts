/**
 * What a RangeFollower keeps of each key of its copy, and how it tells a key that changed from
 * one read again unchanged (a relist's difference, the history check before a resume).
 *
 * - KEEP_VALUES (the default) keeps the whole key-value, value bytes copied out of the response
 *   that carried them: for users that read values back from the copy (the Store's snapshots,
 *   the Registrar's ownership checks).
 * - KEEP_FINGERPRINTS keeps only the mod revision and a 64-bit fingerprint of the create
 *   revision, lease and value: for users that decode each change as it comes and keep their own
 *   form (the Catalog). A key then costs a small fixed-size record instead of its value bytes
 *   (a Buffer object plus the bytes, several hundred bytes for an instance record).
 *
 * Why compare more than the mod revision at all: within one etcd history a key's mod revision
 * alone identifies its value, but a wiped or restored etcd can reuse revisions for different
 * values. The fingerprint keeps that check without the bytes; two 32-bit hashes of different
 * families make an accidental match of a changed value a 2^-64 event.
 */
import type { WatchedKV } from './watched-kv.js';
import { sameKV } from './watched-kv.js';

/** The least a follower keeps per key: the revision of its last write. */
export interface KeptKV {
  readonly modRevision: number;
}

export interface KeepPolicy<K extends KeptKV> {
  /** What to keep of `kv` (whose value may be a view into a shared response buffer). */
  keep(kv: WatchedKV): K;
  /** True when two kept reads of one key show the same stored key-value. */
  same(a: K, b: K): boolean;
}

/** A key reduced to what tells its versions apart; see the module comment. */
export interface KVFingerprint extends KeptKV {
  /** Two independent 32-bit hashes (int32) of create revision, lease and value bytes. */
  readonly hashA: number;
  readonly hashB: number;
}

export const KEEP_VALUES: KeepPolicy<WatchedKV> = {
  keep: (kv) => ({
    key: kv.key,
    // Copied, so that keeping one key does not keep its whole response page alive.
    value: Buffer.from(kv.value),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
  }),
  same: sameKV,
};

export const KEEP_FINGERPRINTS: KeepPolicy<KVFingerprint> = {
  keep: fingerprintKV,
  same: (a, b) => a.modRevision === b.modRevision && a.hashA === b.hashA && a.hashB === b.hashB,
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MURMUR_SEED = 0x9747b28c;
const MURMUR_M = 0x5bd1e995;

export function fingerprintKV(kv: WatchedKV): KVFingerprint {
  const { value, lease, createRevision } = kv;
  // Two multiply-xor hashes (FNV and MurmurHash2 constants) over the value, four bytes a step
  // (a quarter of the multiplies of a byte loop: this runs once per key of every listing).
  let a = FNV_OFFSET;
  let b = MURMUR_SEED ^ value.length;
  const length = value.length;
  const words = length - (length & 3);
  let i = 0;
  for (; i < words; i += 4) {
    const word = (value[i] as number) | ((value[i + 1] as number) << 8) | ((value[i + 2] as number) << 16) | ((value[i + 3] as number) << 24);
    a = Math.imul(a ^ word, FNV_PRIME);
    a ^= a >>> 15;
    b = Math.imul(b ^ word, MURMUR_M);
    b ^= b >>> 13;
  }
  for (; i < length; i += 1) {
    a = Math.imul(a ^ (value[i] as number), FNV_PRIME);
    b = Math.imul(b ^ (value[i] as number), MURMUR_M);
    b ^= b >>> 13;
  }
  // The lease id (decimal digits) and the create revision (up to 2^53, as two 32-bit halves).
  for (let j = 0; j < lease.length; j += 1) {
    const code = lease.charCodeAt(j);
    a = Math.imul(a ^ code, FNV_PRIME);
    b = Math.imul(b ^ code, MURMUR_M);
  }
  const low = createRevision >>> 0;
  const high = Math.floor(createRevision / 0x1_0000_0000) >>> 0;
  a = Math.imul(Math.imul(a ^ low, FNV_PRIME) ^ high, FNV_PRIME);
  b = Math.imul(Math.imul(b ^ low, MURMUR_M) ^ high, MURMUR_M);
  return { modRevision: kv.modRevision, hashA: finish(a), hashB: finish(b ^ (b >>> 15)) };
}

/** MurmurHash3's final mix: every input bit affects every output bit. Returns an int32. */
function finish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}
