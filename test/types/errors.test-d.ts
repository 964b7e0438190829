// Type tests of the public errors: codes are a closed union, details are typed per class,
// hasErrorCode and instanceof narrow.
import {
  ClosedError,
  DuplicateInstanceError,
  hasErrorCode,
  LeaseLostError,
  LeaseNotFoundError,
  NoInstanceError,
  RollcallError,
  ROLLCALL_ERROR_CODES,
  type NoInstanceReason,
  type RollcallErrorCode,
} from '../../src/index.js';
import { expectExact, expectType, type Equal } from './expect-type.js';

declare const error: unknown;

// The documented example: LeaseLostError.details.leaseId is a string.
const lost = new LeaseLostError('lease 1 lost', { details: { leaseId: '7587872478473617154' } });
expectType<string>(lost.details.leaseId);
expectExact<Equal<typeof lost.details.leaseId, string>>();
expectExact<Equal<typeof lost.code, 'ERR_LEASE_LOST'>>();
expectExact<Equal<typeof LeaseLostError.code, 'ERR_LEASE_LOST'>>();
// @ts-expect-error details are required where a class has required fields
new LeaseLostError('no details');
// @ts-expect-error leaseId is a string (etcd's decimal id), not a number
new LeaseLostError('wrong type', { details: { leaseId: 7 } });
// @ts-expect-error an unknown details field is refused
new LeaseLostError('typo', { details: { leaseId: '1', lease: '1' } });
// @ts-expect-error a misspelt field does not exist
expectType<unknown>(lost.details.lease);
// @ts-expect-error details are read-only
lost.details.leaseId = '2';

// `code` of any RollcallError is the closed union of documented codes.
expectExact<Equal<RollcallError['code'], RollcallErrorCode>>();
expectExact<Equal<(typeof ROLLCALL_ERROR_CODES)[number], RollcallErrorCode>>();
expectType<RollcallErrorCode>('ERR_LEASE_NOT_FOUND');
// @ts-expect-error not a rollcall code
expectType<RollcallErrorCode>('ERR_BOGUS');

// hasErrorCode narrows to the class of the code, and accepts only real codes.
if (hasErrorCode(error, 'ERR_LEASE_LOST')) {
  expectExact<Equal<typeof error, LeaseLostError>>();
  expectType<string>(error.details.leaseId);
}
if (hasErrorCode(error, 'ERR_LEASE_NOT_FOUND')) {
  expectType<{ readonly key: string; readonly leaseId: string }>(error.details);
}
// @ts-expect-error not a rollcall code
hasErrorCode(error, 'ERR_BOGUS');

// instanceof narrows as usual (the brand check does not lose the class type).
if (error instanceof NoInstanceError) {
  expectExact<Equal<typeof error.details.reason, NoInstanceReason | undefined>>();
}
if (error instanceof DuplicateInstanceError) {
  expectType<string>(error.details.key);
  expectExact<Equal<typeof error.details.holderLease, string | undefined>>();
}
if (error instanceof ClosedError) {
  expectExact<Equal<typeof error.code, 'ERR_CLOSED'>>();
}

// Every class is a RollcallError and an Error.
expectType<RollcallError>(new LeaseNotFoundError('x', { details: { key: 'k', leaseId: '1' } }));
expectType<Error>(lost);
