export * from './instance.js';
export { KeyLayout, DEFAULT_PREFIX, type ParsedKey } from './key-layout.js';
export { assertValidName, nameProblem, normalizePrefix, MAX_NAME_LENGTH } from './names.js';
export {
  encodeInstance,
  encodeInstanceValue,
  decodeInstance,
  addressProblem,
  MAX_VALUE_BYTES,
  MAX_ADDRESS_LENGTH,
  type InstanceRecord,
  type StoredValue,
  type DecodeResult,
} from './instance-codec.js';
