/**
 * Builds the one object the catalog keeps per instance. A catalog of 100,000 instances holds
 * 100,000 of these, so their shape matters more than their code:
 *
 * - one object literal with every field written in the same order, never
 *   `{ ...decoded, inGroup: true }`: a spread copy of an object with optional fields costs several
 *   times the memory of a literal on Node 20 and gives every instance a different hidden class;
 * - repeated strings (service names, zones, statuses) are shared, not one copy per instance;
 * - an instance without tags or metadata shares one frozen empty array / object.
 */
import type { Instance, InstanceStatus, JsonValue } from '../codec/index.js';
import type { CatalogInstance } from './catalog-events.js';

const EMPTY_TAGS: readonly string[] = Object.freeze([]);
const EMPTY_META: Readonly<Record<string, JsonValue>> = Object.freeze({});

/**
 * Shared copies of strings many instances repeat. Bounded: a catalog of pathological values
 * (a zone per instance) stops sharing rather than growing a second copy of every string.
 */
const MAX_SHARED = 10_000;
const shared = new Map<string, string>();

/** The one stored copy of `text` (first seen wins). */
export function sharedString(text: string): string {
  const known = shared.get(text);
  if (known !== undefined) return known;
  if (shared.size < MAX_SHARED) shared.set(text, text);
  return text;
}

const STATUSES: Readonly<Record<InstanceStatus, InstanceStatus>> = { up: 'up', draining: 'draining', leaving: 'leaving' };

/** `instance` as the catalog keeps it, with its membership; optional fields only when present. */
export function catalogInstance(instance: Instance, inGroup: boolean, lostAt?: number): CatalogInstance {
  const out: {
    -readonly [K in keyof CatalogInstance]: CatalogInstance[K];
  } = {
    service: sharedString(instance.service),
    id: instance.id,
    address: instance.address,
    status: STATUSES[instance.status] ?? instance.status,
    weight: instance.weight,
    tags: instance.tags.length === 0 ? EMPTY_TAGS : instance.tags,
    meta: isEmpty(instance.meta) ? EMPTY_META : instance.meta,
    key: instance.key,
    lease: instance.lease,
    modRevision: instance.modRevision,
    createRevision: instance.createRevision,
    inGroup,
  };
  // Set only when present, so `'zone' in instance` and deep equality read as before.
  if (instance.zone !== undefined) out.zone = sharedString(instance.zone);
  if (instance.version !== undefined) out.version = sharedString(instance.version);
  if (instance.registeredAt !== undefined) out.registeredAt = instance.registeredAt;
  if (lostAt !== undefined) out.lostAt = lostAt;
  return out;
}

function isEmpty(meta: Readonly<Record<string, JsonValue>>): boolean {
  for (const key in meta) if (Object.hasOwn(meta, key)) return false;
  return true;
}
