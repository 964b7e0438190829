// Shared fixtures for the balance tests: hand-built instances, a seeded random source, a clock.
import type { Instance, InstanceStatus } from '../../src/codec/instance.js';

export interface InstanceOverrides {
  status?: InstanceStatus;
  weight?: number;
  zone?: string;
  version?: string;
  tags?: readonly string[];
  service?: string;
}

/** An instance of service "orders" with id `id`, key `/services/orders/<id>`. */
export function inst(id: string, overrides: InstanceOverrides = {}): Instance {
  const service = overrides.service ?? 'orders';
  return {
    service,
    id,
    address: `10.0.0.${id.length}:${8000 + id.charCodeAt(0)}`,
    status: overrides.status ?? 'up',
    weight: overrides.weight ?? 1,
    zone: overrides.zone,
    version: overrides.version,
    tags: overrides.tags ?? [],
    meta: {},
    key: `/services/${service}/${id}`,
    lease: '0',
    modRevision: 1,
    createRevision: 1,
  };
}

/** `n` up instances named i00, i01, … (two digits keep key order equal to numeric order). */
export function fleet(n: number, overrides: InstanceOverrides = {}): Instance[] {
  return Array.from({ length: n }, (_, i) => inst(`i${String(i).padStart(2, '0')}`, overrides));
}

/** mulberry32: a small seeded PRNG, so statistical tests are deterministic yet honest. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A clock the test moves by hand. */
export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

export function fakeClock(start = 1_000_000): FakeClock {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

/** Counts picks per instance id. */
export function tally(pick: () => Instance, times: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const id = pick().id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Pearson's chi-square statistic of observed counts against expected counts. */
export function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  let sum = 0;
  observed.forEach((o, i) => {
    const e = expected[i] ?? 0;
    sum += ((o - e) * (o - e)) / e;
  });
  return sum;
}
