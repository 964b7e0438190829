/**
 * Lease ids on the command line. etcd's ids are 64-bit; etcdctl prints them in hex (`%016x`) and
 * reads them back as hex, while rollcall's JSON and the library use decimal strings. Accepted:
 * `0x…`, anything with a hex letter, or exactly 16 digits (as etcdctl prints it) → hex; other
 * digit strings → decimal.
 */
import { InvalidArgumentError } from 'commander';

const MAX = (1n << 64n) - 1n;

/** Parses a lease id (hex or decimal) to its decimal string. */
export function parseLeaseId(value: string): string {
  const text = value.trim().toLowerCase();
  let id: bigint;
  if (/^0x[0-9a-f]+$/.test(text)) id = BigInt(text);
  else if (/^[0-9a-f]+$/.test(text) && (/[a-f]/.test(text) || text.length === 16)) id = BigInt(`0x${text}`);
  else if (/^\d+$/.test(text)) id = BigInt(text);
  else throw new InvalidArgumentError('expected a lease id: hex as etcdctl prints it (e.g. 694d7f1b2c3d4e5f) or decimal');
  if (id <= 0n || id > MAX) throw new InvalidArgumentError('lease id out of range');
  return id.toString();
}

/** A decimal lease id in etcdctl's hex form. */
export function toHex(decimal: string): string {
  return BigInt(decimal).toString(16);
}
