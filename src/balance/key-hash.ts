/**
 * Allocation-free hashing for the hash picker: 32-bit FNV-1a over UTF-8 bytes, finished with
 * murmur3's fmix32 so that nearby keys ("user-1", "user-2") spread over the whole range.
 *
 * Strings are hashed as their UTF-8 encoding, computed inline, so `pick('ü')` and
 * `pick(new TextEncoder().encode('ü'))` agree. Lone surrogates hash as U+FFFD, as TextEncoder
 * encodes them. Not cryptographic: a caller choosing keys can aim them at one instance.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvByte(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME);
}

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
export function fmix32(value: number): number {
  return mix(value) >>> 0;
}

/** fmix32 as a signed 32-bit integer (the same bits). */
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Unsigned 32-bit hash of a string (as UTF-8) or of raw bytes. */
export function hashKey(key: string | Uint8Array): number {
  return hashKeyBits(key) >>> 0;
}

/**
 * hashKey's bits as a signed 32-bit integer: what the pick path passes around, because a value
 * of 2^31 or more returned from a function that is not inlined becomes a heap number (an
 * allocation per pick) where a signed one stays a small integer.
 */
export function hashKeyBits(key: string | Uint8Array): number {
  let h = FNV_OFFSET;
  if (typeof key !== 'string') {
    for (let i = 0; i < key.length; i++) h = fnvByte(h, key[i] ?? 0);
    return mix(h);
  }
  for (let i = 0; i < key.length; i++) {
    let cp = key.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const low = key.charCodeAt(i + 1); // NaN past the end: fails the test below
      if (cp <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    if (cp < 0x80) {
      h = fnvByte(h, cp);
    } else if (cp < 0x800) {
      h = fnvByte(h, 0xc0 | (cp >> 6));
      h = fnvByte(h, 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      h = fnvByte(h, 0xe0 | (cp >> 12));
      h = fnvByte(h, 0x80 | ((cp >> 6) & 0x3f));
      h = fnvByte(h, 0x80 | (cp & 0x3f));
    } else {
      h = fnvByte(h, 0xf0 | (cp >> 18));
      h = fnvByte(h, 0x80 | ((cp >> 12) & 0x3f));
      h = fnvByte(h, 0x80 | ((cp >> 6) & 0x3f));
      h = fnvByte(h, 0x80 | (cp & 0x3f));
    }
  }
  return mix(h);
}
