/**
 * A Registrar notices, from its watch of its own keys, that a key is no longer its own: taken
 * over (replace: true in another Registrar, a raw put under another lease or no lease) ends the
 * registration as `displaced` with the new holder; a delete by someone else while our lease lives
 * ends it as `removed` and the key is not put back. Its own deregister, its own re-grant after a
 * lost lease and close() never look like either. Also: register({ signal }) aborted between the
 * grant and the put leaves no keyless lease alive.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import { DuplicateInstanceError, KeyNotFoundError } from '../../src/errors.js';
import type { Registrar } from '../../src/registration/index.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { assertNoUnhandledRejections, rawKv, registrar } from '../fixtures/registration-support.js';

/** Everything a registrar says about ownership, in order. */
function ownershipEvents(r: Registrar): string[] {
  const seen: string[] = [];
  r.on('displaced', ({ registration, holder }) => seen.push(`displaced ${registration.id} by ${holder.leaseId} ${holder.address ?? '-'}`));
  r.on('removed', ({ registration }) => seen.push(`removed ${registration.id}`));
  return seen;
}

async function leaseTtl(client: Etcd3, leaseId: string): Promise<number> {
  return Number((await client.leaseClient.leaseTimeToLive({ ID: leaseId })).TTL);
}

describe('Registrar: takeover and removal of its keys (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('replace: true in a second Registrar -> the first emits displaced with the new lease and address, stops touching the key', async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'tk1' });
    const b = registrar(t, server.etcd.endpoints, { prefix: 'tk1' });
    const seen = ownershipEvents(a);
    const errors: string[] = [];
    a.on('error', (error) => errors.push(error.code));
    const regA = await a.register({ service: 'api', id: 't1', address: '1.1.1.1:1' });
    await b.register({ service: 'api', id: 't1', address: '2.2.2.2:2', replace: true });

    await waitFor(() => seen.length > 0, { timeoutMs: 5000, message: 'a displaced event on the first registrar' });
    assert.deepEqual(seen, [`displaced t1 by ${b.leaseId} 2.2.2.2:2`]);
    assert.deepEqual(errors, ['ERR_DUPLICATE_INSTANCE'], 'also delivered as error');
    assert.equal(regA.state, 'displaced');
    assert.equal(regA.leaseId, undefined);
    assert.deepEqual(a.registrations, []);
    await assert.rejects(regA.update({ weight: 2 }), DuplicateInstanceError);
    await regA.deregister();
    await a.close();
    const kv = await rawKv(client, 'tk1/api/t1');
    assert.equal(kv?.lease, b.leaseId, "the displaced owner's deregister and close left the new owner's key");
    assert.match(kv?.value.toString() ?? '', /2\.2\.2\.2:2/);
  });

  it('a raw put under another lease, and one with no lease, displace the registration with that holder', async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'tk2' });
    const seen = ownershipEvents(a);
    const reg1 = await a.register({ service: 'api', id: 'r1', address: '1.1.1.1:1' });
    const reg2 = await a.register({ service: 'api', id: 'r2', address: '1.1.1.1:2' });
    const other = await client.leaseClient.leaseGrant({ TTL: 30 });
    t.after(() => client.leaseClient.leaseRevoke({ ID: other.ID }).catch(() => undefined));
    await client.kv.put({ key: Buffer.from('tk2/api/r1'), value: Buffer.from('{"Op":0,"Addr":"9.9.9.9:9","Metadata":null}'), lease: other.ID });
    await waitFor(() => seen.length === 1, { timeoutMs: 5000, message: 'displaced after the put under another lease' });
    assert.deepEqual(seen, [`displaced r1 by ${String(other.ID)} 9.9.9.9:9`]);
    assert.equal(reg1.state, 'displaced');
    assert.equal(reg2.state, 'registered', 'the other key of the same service is untouched');

    await client.put('tk2/api/r2').value('not an instance');
    await waitFor(() => seen.length === 2, { timeoutMs: 5000, message: 'displaced after a put with no lease' });
    assert.equal(seen[1], 'displaced r2 by 0 -', 'no lease, and no address in an invalid value');
    assert.equal(reg2.state, 'displaced');
    await a.close();
    assert.equal(await client.get('tk2/api/r2').string(), 'not an instance', 'close() did not delete the foreign value');
  });

  it('a delete by someone else while the lease lives -> removed, and the key is not put back (not even by a health flip)', async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'tk3' });
    const seen = ownershipEvents(a);
    let checks = 0;
    let healthy = true;
    const reg = await a.register({
      service: 'api',
      id: 'd1',
      address: '1.1.1.1:1',
      healthIntervalMs: 50,
      healthCheck: async () => {
        checks += 1;
        healthy = !healthy; // flips every check: each one asks for a write
        return healthy;
      },
    });
    let otherChecks = 0;
    await a.register({
      service: 'api',
      id: 'd2',
      address: '1.1.1.1:2',
      healthIntervalMs: 50,
      healthCheck: async () => {
        otherChecks += 1;
        return true;
      },
    });
    await client.delete().key('tk3/api/d1');
    await waitFor(() => seen.length > 0, { timeoutMs: 5000, message: 'a removed event' });
    assert.deepEqual(seen, ['removed d1']);
    assert.equal(reg.state, 'removed');
    assert.deepEqual(a.registrations.map((r) => r.id), ['d2']);
    await assert.rejects(reg.update({ weight: 2 }), KeyNotFoundError);
    assert.ok((await leaseTtl(client, a.leaseId as string)) > 0, 'the lease is still alive: a removal is not a lease loss');
    const removedChecks = checks;
    const start = otherChecks;
    // Time passes, measured by the other registration's checks: five more of them.
    await waitFor(() => otherChecks >= start + 5, { timeoutMs: 5000, message: 'five more checks of d2' });
    assert.ok(checks <= removedChecks + 1, 'the removed registration\'s health loop stopped (at most one check was in flight)');
    assert.equal(await rawKv(client, 'tk3/api/d1'), undefined, 'the key stays removed');
    assert.deepEqual(seen, ['removed d1']);
  });

  it("own deregister, own re-grant after a revoked lease, and close() never emit displaced or removed", async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'tk4' });
    const seen = ownershipEvents(a);
    const reg1 = await a.register({ service: 'api', id: 'o1', address: '1.1.1.1:1' });
    await a.register({ service: 'api', id: 'o2', address: '1.1.1.1:2' });
    await a.register({ service: 'web', id: 'o3', address: '1.1.1.1:3' });
    await reg1.deregister();
    const first = a.leaseId as string;
    const reregistered = new Promise<{ leaseId: string; count: number }>((resolve) => a.once('reregistered', resolve));
    await client.leaseClient.leaseRevoke({ ID: first }); // deletes o2 and o3 with the lease
    const { leaseId, count } = await reregistered;
    assert.notEqual(leaseId, first);
    assert.equal(count, 2);
    assert.equal((await rawKv(client, 'tk4/api/o2'))?.lease, leaseId, 'put back on the new lease');
    assert.equal((await rawKv(client, 'tk4/web/o3'))?.lease, leaseId);
    // The watch still works after all that: a real takeover is still seen (so silence above is meaningful).
    await client.put('tk4/web/o3').value('{"Op":0,"Addr":"7.7.7.7:7","Metadata":null}');
    await waitFor(() => seen.length > 0, { timeoutMs: 5000, message: 'displaced after the takeover' });
    assert.deepEqual(seen, ['displaced o3 by 0 7.7.7.7:7'], 'only the real takeover');
    await a.close();
    assert.deepEqual(seen, ['displaced o3 by 0 7.7.7.7:7'], 'close() neither');
    assert.equal(await rawKv(client, 'tk4/api/o2'), undefined, 'close() removed our own key');
  });

  it('update() right after the lease was revoked is not a removal: it lands on the new lease, and no removed event', async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'tk6' });
    const seen = ownershipEvents(a);
    const reg = await a.register({ service: 'api', id: 'u1', address: '1.1.1.1:1' });
    const first = a.leaseId as string;
    await client.leaseClient.leaseRevoke({ ID: first }); // the key goes with the lease
    await reg.update({ weight: 7 });
    const kv = await rawKv(client, 'tk6/api/u1');
    assert.ok(kv !== undefined, 'the key is back');
    assert.notEqual(kv.lease, first, 'on a new lease');
    assert.match(kv.value.toString(), /weight[\\"]*:7/);
    assert.equal(reg.state, 'registered');
    assert.deepEqual(seen, []);
  });

  it('register({ signal }) aborted between the grant and the put revokes the keyless lease; the next register() works', async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'tk5', ttl: 30 });
    const controller = new AbortController();
    let granted: string | undefined;
    a.once('leaseGranted', ({ leaseId }) => {
      granted = leaseId;
      controller.abort(new Error('stop now'));
    });
    await assert.rejects(a.register({ service: 'api', id: 'g1', address: '1.1.1.1:1', signal: controller.signal }), /stop now/);
    assert.ok(granted !== undefined, 'the lease had been granted');
    await waitFor(async () => (await leaseTtl(client, granted as string)) === -1, { timeoutMs: 5000, message: `lease ${granted} revoked` });
    assert.equal(await rawKv(client, 'tk5/api/g1'), undefined, 'no key was left');
    assert.equal(a.leaseId, undefined);
    const reg = await a.register({ service: 'api', id: 'g1', address: '1.1.1.1:1' });
    assert.notEqual(reg.leaseId, granted, 'a new lease');
    assert.equal((await rawKv(client, 'tk5/api/g1'))?.lease, a.leaseId);
  });
});
