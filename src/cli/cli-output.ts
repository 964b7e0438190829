/**
 * How commands print: aligned tables for people, one JSON document (or one JSON line per event)
 * for scripts, warnings on stderr. The only module of the CLI that writes to stdout/stderr
 * besides the error report in program.ts and the demo's narrative.
 */
import type { Instance } from '../codec/index.js';
import type { RollcallError } from '../errors.js';
import { leaseHex } from '../etcd/lease-id.js';
import { oneLine } from './exit-codes.js';

export { leaseHex };

/** Prints `rows` under `header`, columns padded to their widest cell. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** One JSON value on one line. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value));
}

/** A problem that does not fail the command (an invalid value skipped, a retried failure). */
export function printWarning(error: RollcallError | string): void {
  console.error(`rollcall: warning: ${oneLine(typeof error === 'string' ? error : error.message)}`);
}

/** The documented JSON shape of an instance (`instances --json`, `watch --json`). */
export function instanceJson(instance: Instance): Record<string, unknown> {
  return {
    service: instance.service,
    id: instance.id,
    address: instance.address,
    status: instance.status,
    weight: instance.weight,
    ...(instance.zone === undefined ? {} : { zone: instance.zone }),
    ...(instance.version === undefined ? {} : { version: instance.version }),
    tags: instance.tags,
    meta: instance.meta,
    key: instance.key,
    lease: instance.lease,
  };
}

export const INSTANCE_HEADER = ['SERVICE', 'ID', 'ADDRESS', 'STATUS', 'WEIGHT', 'ZONE', 'VERSION', 'TAGS', 'LEASE'] as const;

export function instanceRow(instance: Instance): string[] {
  return [
    instance.service,
    instance.id,
    instance.address,
    instance.status,
    String(instance.weight),
    instance.zone ?? '-',
    instance.version ?? '-',
    instance.tags.length > 0 ? instance.tags.join(',') : '-',
    leaseHex(instance.lease),
  ];
}


/** One short human line for an instance: `api/api-1 10.0.0.1:80 up weight 3 zone a`. */
export function describeInstance(instance: Instance): string {
  const zone = instance.zone === undefined ? '' : ` zone ${instance.zone}`;
  return `${instance.service}/${instance.id} ${instance.address} ${instance.status} weight ${instance.weight}${zone}`;
}
