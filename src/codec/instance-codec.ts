/**
 * The wire format of an instance record: the one place that encodes, decodes and validates it.
 *
 * Compatibility contract (docs/wire-format.md says the same for users):
 * - The value is the JSON that etcd's Go `client/v3/naming/endpoints` Manager writes for an Add
 *   (`internal.Update`): `{"Op":0,"Addr":"host:port","Metadata":<any JSON>}`. `Op` may be absent
 *   (the older `{"Addr","Metadata"}` form written by gRPC naming users); when present it must be
 *   0 (Add).
 * - Go's resolver does NOT ignore Metadata: it copies it into grpc-go's `resolver.Address`, which
 *   grpc-go hashes and compares with `==`. A JSON object decodes to a Go map, which panics there
 *   (every grpc-go version; etcd stops passing Metadata on only from etcd-io/etcd#21214). So
 *   rollcall WRITES its fields (id, service, status, weight, zone, version, tags, registeredAt and
 *   the user's `meta`) as a JSON object serialised into a JSON *string* Metadata: a Go string is
 *   hashable, and Go `endpoints.Manager` users can still json.Unmarshal it.
 * - rollcall READS every form, looking for its fields in this order:
 *   1. Metadata is an object (older rollcall values, Go services): the fields are its keys.
 *   2. Metadata is a string holding a JSON object (what rollcall writes; etcd's grpc-proxy too).
 *   3. Otherwise the top-level keys other than Op/Addr/Metadata (null Metadata with rollcall's
 *      fields beside Addr). A Metadata that is neither null nor an object (a scalar, an array, a
 *      string that is not a JSON object) is kept as `meta.value`.
 * - A value written by a Go service (plain `Addr`, any or null `Metadata`) is a valid instance:
 *   id = last key segment, status "up", weight 1. Keys that are not rollcall's become `meta`.
 * - The key, not the value, decides service and id.
 * - Invalid: not JSON, not an object, no non-empty string Addr, Op other than 0, a known field
 *   of the wrong type, a value larger than MAX_VALUE_BYTES, a key not at <prefix>/<service>/<id>.
 *   Decoding never throws: it returns the reason, and watchers emit it as a warning. Encoding
 *   throws InvalidConfigError for a record too large to store: that is bad input to register.
 */
import { InvalidConfigError, MalformedValueError } from '../errors.js';
import { INSTANCE_STATUSES, type Instance, type InstanceStatus, type JsonValue } from './instance.js';
import type { KeyLayout } from './key-layout.js';

export const MAX_VALUE_BYTES = 64 * 1024;
export const MAX_ADDRESS_LENGTH = 256;

/** What a writer stores: an Instance without the etcd-assigned fields. */
export interface InstanceRecord {
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly status: InstanceStatus;
  readonly weight: number;
  readonly zone?: string;
  readonly version?: string;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, JsonValue>>;
  readonly registeredAt?: string;
}

/** A key-value pair as read from etcd, before decoding. */
export interface StoredValue {
  readonly key: string;
  readonly value: Uint8Array;
  readonly lease: string;
  readonly modRevision: number;
  readonly createRevision: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly instance: Instance }
  | { readonly ok: false; readonly error: MalformedValueError };

const OWN_FIELDS = new Set(['id', 'service', 'status', 'weight', 'zone', 'version', 'tags', 'registeredAt', 'meta']);

/** Why `address` cannot be stored as an Addr, or undefined. */
export function addressProblem(address: unknown): string | undefined {
  if (typeof address !== 'string' || address.length === 0) return 'must be a non-empty string';
  if (address.length > MAX_ADDRESS_LENGTH) return `must be at most ${MAX_ADDRESS_LENGTH} characters`;
  if (isPrintableAscii(address)) return undefined; // the common case, without the regular expression
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(address)) return 'must not contain whitespace or control characters';
  return undefined;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f) return false;
  }
  return true;
}

export function encodeInstance(record: InstanceRecord): string {
  const json = encodeInstanceValue(record);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_VALUE_BYTES) {
    throw new InvalidConfigError(`instance record for ${record.service}/${record.id} is ${bytes} bytes, over the ${MAX_VALUE_BYTES}-byte limit (shrink meta or tags)`, {
      details: { service: record.service, id: record.id, bytes, limit: MAX_VALUE_BYTES },
    });
  }
  return json;
}

/**
 * The stored form of `record` without the size check: for re-encoding an instance that was
 * already read and accepted (the catalog's cache file). decodeInstance() of it gives back the
 * same record, whatever form the value it was first decoded from had (a Go writer's included).
 */
export function encodeInstanceValue(record: InstanceRecord): string {
  const fields: Record<string, JsonValue> = {
    id: record.id,
    service: record.service,
    status: record.status,
    weight: record.weight,
    ...(record.zone === undefined ? {} : { zone: record.zone }),
    ...(record.version === undefined ? {} : { version: record.version }),
    tags: [...record.tags],
    ...(record.registeredAt === undefined ? {} : { registeredAt: record.registeredAt }),
    meta: { ...record.meta },
  };
  // A string, not an object: see the compatibility contract above (Go clients panic on objects).
  return JSON.stringify({ Op: 0, Addr: record.address, Metadata: JSON.stringify(fields) });
}

function invalid(stored: StoredValue, reason: string, cause?: unknown): DecodeResult {
  return {
    ok: false,
    error: new MalformedValueError(`invalid instance at ${stored.key}: ${reason}`, {
      cause,
      details: { key: stored.key, reason, modRevision: stored.modRevision },
    }),
  };
}

export function decodeInstance(layout: KeyLayout, stored: StoredValue, maxBytes = MAX_VALUE_BYTES): DecodeResult {
  const parsedKey = layout.parse(stored.key);
  if (!parsedKey.ok) return invalid(stored, parsedKey.reason);
  const bytes = stored.value;
  if (bytes.byteLength > maxBytes) return invalid(stored, `value is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`);

  let body: unknown;
  try {
    body = JSON.parse(Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    return invalid(stored, 'value is not JSON', cause);
  }
  if (!isPlainObject(body)) return invalid(stored, 'value is not a JSON object');
  if (body['Op'] !== undefined && body['Op'] !== 0) return invalid(stored, `Op is ${JSON.stringify(body['Op'])}, only 0 (Add) is a stored endpoint`);
  const addrProblem = addressProblem(body['Addr']);
  if (addrProblem) return invalid(stored, `Addr ${addrProblem}`);

  const fields = readFields(findFields(body));
  if (typeof fields === 'string') return invalid(stored, fields);
  return { ok: true, instance: toInstance(parsedKey.service, parsedKey.id, body['Addr'] as string, fields, stored) };
}

/** rollcall's fields, checked; the optional ones undefined when absent. */
interface RecordFields {
  readonly status: InstanceStatus;
  readonly weight: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, JsonValue>>;
  readonly zone: string | undefined;
  readonly version: string | undefined;
  readonly registeredAt: string | undefined;
}

/**
 * The Instance, with optional fields only when present and every field in the order it has
 * always had (JSON output shows it). A catalog decodes every key it reads through here: the
 * usual combinations are object literals of their own, built without spreading or adding to a
 * finished object.
 */
function toInstance(service: string, id: string, address: string, fields: RecordFields, stored: StoredValue): Instance {
  const { status, weight, tags, meta, zone, version, registeredAt } = fields;
  const { key, lease, modRevision, createRevision } = stored;
  if (zone === undefined && version === undefined) {
    if (registeredAt === undefined) return { service, id, address, status, weight, tags, meta, key, lease, modRevision, createRevision };
    return { service, id, address, status, weight, tags, meta, registeredAt, key, lease, modRevision, createRevision };
  }
  if (zone !== undefined && version !== undefined && registeredAt !== undefined) {
    return { service, id, address, status, weight, tags, meta, zone, version, registeredAt, key, lease, modRevision, createRevision };
  }
  // Any other combination: field by field, in the same order.
  const out = { service, id, address, status, weight, tags, meta } as { -readonly [K in keyof Instance]: Instance[K] };
  if (zone !== undefined) out.zone = zone;
  if (version !== undefined) out.version = version;
  if (registeredAt !== undefined) out.registeredAt = registeredAt;
  out.key = key;
  out.lease = lease;
  out.modRevision = modRevision;
  out.createRevision = createRevision;
  return out;
}

/** Where rollcall's fields were found, and a Metadata that is kept as `meta.value`. */
interface FieldSource {
  readonly fields: Record<string, unknown>;
  /** Prefix for error reasons, so they name the place at fault. */
  readonly label: string;
  readonly leftover?: JsonValue;
}

const ENVELOPE_KEYS = new Set(['Op', 'Addr', 'Metadata']);

/** Picks the object holding rollcall's fields, in the order the compatibility contract lists. */
function findFields(body: Record<string, unknown>): FieldSource {
  const metadata = body['Metadata'];
  if (isPlainObject(metadata)) return { fields: metadata, label: 'Metadata.' };
  if (typeof metadata === 'string') {
    const parsed = parseJson(metadata);
    if (isPlainObject(parsed)) return { fields: parsed, label: 'Metadata.' };
  }
  const topLevel: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!ENVELOPE_KEYS.has(key)) topLevel[key] = value;
  return metadata === undefined || metadata === null
    ? { fields: topLevel, label: '' }
    : { fields: topLevel, label: '', leftover: metadata as JsonValue };
}

/** Reads and checks rollcall's fields; returns the reason as a string when one is invalid. */
function readFields(source: FieldSource): RecordFields | string {
  const { fields, label, leftover } = source;
  const { status = 'up', weight = 1, zone, version, tags = [], registeredAt, meta } = fields;
  if (typeof status !== 'string' || !INSTANCE_STATUSES.includes(status as InstanceStatus)) {
    return `${label}status must be one of ${INSTANCE_STATUSES.join(', ')}`;
  }
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) return `${label}weight must be a positive number`;
  if (zone !== undefined && typeof zone !== 'string') return `${label}zone must be a string`;
  if (version !== undefined && typeof version !== 'string') return `${label}version must be a string`;
  if (registeredAt !== undefined && typeof registeredAt !== 'string') return `${label}registeredAt must be a string`;
  if (!isStringArray(tags)) return `${label}tags must be an array of strings`;
  if (meta !== undefined && !isPlainObject(meta)) return `${label}meta must be an object`;

  // A foreign writer's own keys are kept as meta, so nothing it published is lost.
  const userMeta: Record<string, JsonValue> = meta === undefined ? foreignKeys(fields) : (meta as Record<string, JsonValue>);
  return {
    status: status as InstanceStatus,
    weight,
    tags,
    meta: leftover === undefined || 'value' in userMeta ? userMeta : { ...userMeta, value: leftover },
    zone,
    version,
    registeredAt,
  };
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

function foreignKeys(metadata: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(metadata)) if (!OWN_FIELDS.has(key)) out[key] = value as JsonValue;
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
