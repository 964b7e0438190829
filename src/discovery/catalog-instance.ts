/**
 * Builds the one object the catalog keeps per instance. A catalog of 100,000 instances holds
 * 100,000 of these, so their shape matters more than their code:
 *
 * - one object literal with every field written in the same order, never
 *   `{ ...decoded, inGroup: true }`: a spread copy of an object with optional fields costs several
 *   times the memory of a literal on Node 20 and gives every instance a different hidden class;
 * - the usual combinations of optional fields (what the Registrar writes: registeredAt, with or
 *   without zone and version; a Go writer's: none) are literals of their own, so their fields
 *   sit inside the object; adding one to a finished literal would allocate a separate property
 *   array (~40 bytes) per instance;
 * - repeated strings (service names, zones, versions, statuses, tags) are shared, not one copy
 *   per instance, and so are equal tag lists (frozen: one array for every instance tagged alike);
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

/** Shared frozen tag lists, by their JSON; bounded like the strings. */
const sharedTagLists = new Map<string, readonly string[]>();

/** The list sharedTags() returned last: instances read in a row (one service's) tend to repeat it. */
let lastTags: readonly string[] = EMPTY_TAGS;

/** One frozen array for every instance with exactly these tags (in this order). */
export function sharedTags(tags: readonly string[]): readonly string[] {
  if (tags.length === 0) return EMPTY_TAGS;
  if (sameList(tags, lastTags)) return lastTags;
  const id = JSON.stringify(tags);
  let list = sharedTagLists.get(id);
  if (list === undefined) {
    if (sharedTagLists.size >= MAX_SHARED) return tags;
    list = Object.freeze(tags.map(sharedString));
    sharedTagLists.set(id, list);
  }
  lastTags = list;
  return list;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

const STATUSES: Readonly<Record<InstanceStatus, InstanceStatus>> = { up: 'up', draining: 'draining', leaving: 'leaving' };

/** `instance` as the catalog keeps it, with its membership; optional fields only when present. */
export function catalogInstance(instance: Instance, inGroup: boolean, lostAt?: number): CatalogInstance {
  const { zone, version, registeredAt } = instance;
  if (lostAt === undefined && registeredAt !== undefined) {
    const service = sharedString(instance.service);
    const status = STATUSES[instance.status] ?? instance.status;
    const tags = sharedTags(instance.tags);
    const meta = isEmpty(instance.meta) ? EMPTY_META : instance.meta;
    const { id, address, weight, key, lease, modRevision, createRevision } = instance;
    // Property order as in the general case below (JSON.stringify shows the same order).
    if (zone !== undefined && version !== undefined) {
      return { service, id, address, status, weight, tags, meta, key, lease, modRevision, createRevision, inGroup, zone: sharedString(zone), version: sharedString(version), registeredAt };
    }
    if (zone !== undefined) {
      return { service, id, address, status, weight, tags, meta, key, lease, modRevision, createRevision, inGroup, zone: sharedString(zone), registeredAt };
    }
    if (version !== undefined) {
      return { service, id, address, status, weight, tags, meta, key, lease, modRevision, createRevision, inGroup, version: sharedString(version), registeredAt };
    }
    return { service, id, address, status, weight, tags, meta, key, lease, modRevision, createRevision, inGroup, registeredAt };
  }
  const out: {
    -readonly [K in keyof CatalogInstance]: CatalogInstance[K];
  } = {
    service: sharedString(instance.service),
    id: instance.id,
    address: instance.address,
    status: STATUSES[instance.status] ?? instance.status,
    weight: instance.weight,
    tags: sharedTags(instance.tags),
    meta: isEmpty(instance.meta) ? EMPTY_META : instance.meta,
    key: instance.key,
    lease: instance.lease,
    modRevision: instance.modRevision,
    createRevision: instance.createRevision,
    inGroup,
  };
  // Set only when present, so `'zone' in instance` and deep equality read as before.
  if (zone !== undefined) out.zone = sharedString(zone);
  if (version !== undefined) out.version = sharedString(version);
  if (registeredAt !== undefined) out.registeredAt = registeredAt;
  if (lostAt !== undefined) out.lostAt = lostAt;
  return out;
}

function isEmpty(meta: Readonly<Record<string, JsonValue>>): boolean {
  for (const key in meta) if (Object.hasOwn(meta, key)) return false;
  return true;
}
