/**
 * How a person reads a lease id. etcd's API carries lease ids as 64-bit integers (etcd3 gives them
 * as decimal strings), while etcdctl prints and accepts hex; every message, table and CLI line
 * uses hex so an id can be pasted into `etcdctl lease timetolive` as is.
 */

/**
 * A decimal lease id as etcdctl prints it: lower-case hex, zero-padded to 16 digits (`%016x`), so
 * it matches `etcdctl lease grant`/`lease list` output character for character. "-" for no lease
 * ("0" or empty).
 */
export function leaseHex(decimal: string): string {
  if (decimal === '0' || decimal === '') return '-';
  return BigInt(decimal).toString(16).padStart(16, '0');
}
