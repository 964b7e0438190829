// etcd3/grpc-js failures become one clear sentence per typed error: the operation, the endpoint,
// what went wrong in plain words and what to check. gRPC's text ("14 UNAVAILABLE: …
// Resolution note:") is kept in `cause`, never in the message. Also: ROLLCALL_TIMEOUT_MS errors
// name the variable and its value, and lease ids in messages are hex.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenCircuitError } from 'cockatiel';
import { EtcdLeaseInvalidError, EtcdPermissionDeniedError, GRPCUnavailableError } from 'etcd3';
import { resolveConnectionOptions, translateEtcdError } from '../../src/etcd/index.js';
import { leaseHex } from '../../src/etcd/lease-id.js';
import { EtcdAuthError, EtcdRequestError, EtcdTlsError, EtcdUnavailableError, InvalidConfigError, LeaseNotFoundError } from '../../src/errors.js';
import { unknownLease } from '../../src/store/write-errors.js';

const grpc = (lastError: string): string => `14 UNAVAILABLE: No connection established. Last error: Error: ${lastError}. Resolution note: `;
const plain = { operation: 'get k', endpoints: ['http://127.0.0.1:2379'] };
const tls = { operation: 'get k', endpoints: ['https://127.0.0.1:2379'] };

function assertClean(message: string): void {
  assert.doesNotMatch(message, /Resolution note|UNAVAILABLE|NOT_FOUND|No connection established|\n/, message);
}

describe('translateEtcdError messages', () => {
  it('connection refused: EtcdUnavailableError naming the endpoint and what to check; raw text in cause', () => {
    const raw = new GRPCUnavailableError(grpc('connect ECONNREFUSED 127.0.0.1:2379'));
    const error = translateEtcdError(raw, plain);
    assert.ok(error instanceof EtcdUnavailableError);
    assert.equal(error.message, 'get k: etcd at http://127.0.0.1:2379 is unreachable (connection refused); check that etcd is running and listening there');
    assert.equal(error.cause, raw);
    assert.deepEqual(error.details, { operation: 'get k', endpoints: ['http://127.0.0.1:2379'] });
  });

  it('unknown host, reset and several endpoints read plainly', () => {
    const dns = translateEtcdError(new GRPCUnavailableError('14 UNAVAILABLE: Name resolution failed for target dns:nohost:2379'), plain);
    assert.match(dns.message, /is unreachable \(host name not found\)/);
    const two = translateEtcdError(new GRPCUnavailableError(grpc('read ECONNRESET')), { operation: 'put k', endpoints: ['http://a:1', 'http://b:2'] });
    assert.ok(two instanceof EtcdUnavailableError);
    assert.match(two.message, /^put k: etcd \(endpoints http:\/\/a:1, http:\/\/b:2\) is unreachable \(connection reset\)/);
    for (const e of [dns, two]) assertClean(e.message);
  });

  it('TLS to a plain-text etcd is EtcdTlsError whichever way the handshake breaks', () => {
    for (const last of ['Client network socket disconnected before secure TLS connection was established', 'read ECONNRESET', 'socket hang up']) {
      const error = translateEtcdError(new GRPCUnavailableError(grpc(last)), tls);
      assert.ok(error instanceof EtcdTlsError, last);
      assert.equal(error.message, 'get k: TLS with etcd at https://127.0.0.1:2379 failed: the connection closed during the handshake; check that etcd serves https (not plain http) there');
    }
    const untrusted = translateEtcdError(new GRPCUnavailableError(grpc('self-signed certificate in certificate chain')), tls);
    assert.ok(untrusted instanceof EtcdTlsError);
    assert.match(untrusted.message, /certificate is not signed by the given CA; check the CA bundle$/);
  });

  it('refused credentials: EtcdAuthError saying which check failed', () => {
    const denied = translateEtcdError(new EtcdPermissionDeniedError('7 PERMISSION_DENIED: etcdserver: permission denied'), plain);
    assert.ok(denied instanceof EtcdAuthError);
    assert.equal(denied.message, "get k: etcd at http://127.0.0.1:2379 refused the credentials (permission denied); check the user's roles");
  });

  it('a missing lease and other refusals: EtcdRequestError in etcd\'s own words, without the gRPC prefix', () => {
    const lease = translateEtcdError(new EtcdLeaseInvalidError('5 NOT_FOUND: etcdserver: requested lease not found'), { ...plain, operation: 'revoke lease 4d2' });
    assert.ok(lease instanceof EtcdRequestError);
    assert.equal(lease.message, 'revoke lease 4d2: etcd has no such lease (it expired, was revoked or never existed)');
    const other = translateEtcdError(new Error('3 INVALID_ARGUMENT: etcdserver: key is not provided'), plain);
    assert.equal(other.message, 'get k: etcd at http://127.0.0.1:2379 refused the request: key is not provided');
    for (const e of [lease, other]) assertClean(e.message);
  });

  it('a call refused by an open circuit says it was not sent', () => {
    const error = translateEtcdError(new BrokenCircuitError(), plain);
    assert.ok(error instanceof EtcdUnavailableError);
    assert.match(error.message, /^get k: not sent: etcd at http:\/\/127\.0\.0\.1:2379 failed the last calls; check/);
  });
});

describe('ROLLCALL_TIMEOUT_MS', () => {
  it('a value that is not a positive number names the variable and the value', () => {
    for (const value of ['abc', '-5', '0']) {
      assert.throws(() => resolveConnectionOptions({}, { ROLLCALL_TIMEOUT_MS: value }), (error: unknown) => {
        assert.ok(error instanceof InvalidConfigError);
        assert.equal(error.message, `ROLLCALL_TIMEOUT_MS must be a positive number of milliseconds, got "${value}"`);
        return true;
      });
    }
    assert.equal(resolveConnectionOptions({}, { ROLLCALL_TIMEOUT_MS: '750' }).timeoutMs, 750);
    // Empty means not set (test/unit/env-rules.test.ts): the default applies.
    assert.equal(resolveConnectionOptions({}, { ROLLCALL_TIMEOUT_MS: '' }).timeoutMs, 5000);
    // An explicit timeout wins and the variable is not even read.
    assert.equal(resolveConnectionOptions({ timeoutMs: 100 }, { ROLLCALL_TIMEOUT_MS: 'abc' }).timeoutMs, 100);
  });
});

describe('lease ids in messages', () => {
  it('are hex, as etcdctl prints them, with the decimal id kept in details', () => {
    const error = unknownLease('k', '7587869541632315397');
    assert.ok(error instanceof LeaseNotFoundError);
    assert.match(error.message, /^lease 694d872557001005 not found/);
    assert.equal(error.details.leaseId, '7587869541632315397');
  });

  it('are zero-padded to 16 digits, as etcdctl prints them (%016x); no lease is "-"', () => {
    assert.equal(leaseHex('432661398034355483'), '06011f3fc9dc951b');
    assert.equal(leaseHex('7587869541632315397'), '694d872557001005');
    assert.equal(leaseHex('1'), '0000000000000001');
    assert.equal(leaseHex('0'), '-');
  });
});
