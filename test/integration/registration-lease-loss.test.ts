/**
 * Lease loss and recovery against a real etcd. A lease is lost only when etcd says so: a lease
 * revoked from outside, or etcd restarted from an emptied data dir, is lost, and every
 * registration comes back under a new lease without restarting the registrar (`lost` /
 * `reregistered` fire). etcd stopped for two TTLs and started again with its data dir is not a
 * loss: etcd restores the lease and extends it, and the registrar, which kept sending keepalives
 * for it, carries on with the same lease and keys.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { setTimeout as delay } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { LeaseLostError, type RollcallError } from '../../src/errors.js';
import { LeaseState, Registrar, type RegistrarEvents } from '../../src/registration/index.js';
import { etcdClient, startEtcd, useEtcd, waitFor } from '../helpers/etcd.js';
import { rollcallFields } from '../helpers/wire-value.js';
import { assertNoUnhandledRejections, keysOnLease, rawKv, registrar } from '../fixtures/registration-support.js';

const TTL = 2;

/** Records the registrar's lease events in order. */
function recordLeaseEvents(r: Registrar): { lost: LeaseLostError[]; reregistered: RegistrarEvents['reregistered'][0][]; keepaliveFailed: number; warnings: RollcallError[] } {
  const log = { lost: [] as LeaseLostError[], reregistered: [] as RegistrarEvents['reregistered'][0][], keepaliveFailed: 0, warnings: [] as RollcallError[] };
  r.on('lost', (error) => log.lost.push(error));
  r.on('reregistered', (info) => log.reregistered.push(info));
  r.on('keepaliveFailed', () => {
    log.keepaliveFailed += 1;
  });
  r.on('warning', (error) => log.warnings.push(error));
  return log;
}

async function registerMany(r: Registrar, count: number): Promise<string[]> {
  const regs = await Promise.all(Array.from({ length: count }, (_, i) => r.register({ service: 'svc', id: `n${i}`, address: `10.0.0.${i}:80` })));
  return regs.map((reg) => reg.key).sort();
}

/** Every key is in etcd, on the registrar's current lease, with status up. */
async function assertAllBack(client: Etcd3, r: Registrar, keys: string[], oldLease: string): Promise<void> {
  const lease = r.leaseId;
  assert.ok(lease !== undefined && lease !== oldLease, `a new lease (old ${oldLease}, now ${String(lease)})`);
  assert.deepEqual(await keysOnLease(client, lease), keys);
  for (const key of keys) {
    const kv = await rawKv(client, key);
    assert.equal(kv?.lease, lease, key);
    assert.equal((rollcallFields(kv?.value) as { status: string }).status, 'up', key);
  }
}

describe('Registrar: lease loss and re-registration (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('lease revoked from outside: alive -> lost -> alive on a new lease, every registration re-put, lost and reregistered fire', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { ttl: TTL, prefix: 'revoked' });
    const log = recordLeaseEvents(r);
    const keys = await registerMany(r, 20);
    const oldLease = r.leaseId as string;

    await client.leaseClient.leaseRevoke({ ID: oldLease });
    assert.equal(await client.getAll().prefix('revoked/').count(), 0, 'revoking deleted every key');

    await waitFor(() => log.reregistered.length > 0, { timeoutMs: 10_000, message: 'reregistered event' });
    assert.equal(log.lost.length, 1);
    const [lost] = log.lost;
    assert.ok(lost instanceof LeaseLostError);
    assert.equal(lost.code, 'ERR_LEASE_LOST');
    assert.equal(lost.details['leaseId'], oldLease);
    assert.equal(lost.details['reason'], 'expired');
    assert.deepEqual(log.reregistered, [{ leaseId: r.leaseId, previousLeaseId: oldLease, count: 20 }]);
    assert.equal(r.state, LeaseState.Alive);
    await assertAllBack(client, r, keys, oldLease);
    for (const reg of r.registrations) assert.equal(reg.leaseId, r.leaseId);
  });

  it('diagnostics: rollcall:lease:state for every transition, rollcall:lease:keepalive per round trip, rollcall:lease:lost when etcd says gone', async (t) => {
    const seen: { name: string; message: Record<string, unknown> }[] = [];
    for (const name of ['rollcall:lease:state', 'rollcall:lease:keepalive', 'rollcall:lease:lost']) {
      const onMessage = (message: unknown): void => {
        const payload = message as Record<string, unknown>;
        if (payload['owner'] === 'registrar') seen.push({ name, message: payload });
      };
      diagnostics.subscribe(name, onMessage);
      t.after(() => diagnostics.unsubscribe(name, onMessage));
    }
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { ttl: 1, prefix: 'diag' });
    await r.register({ service: 'svc', id: 'd1', address: '10.0.0.1:80' });
    const lease = r.leaseId as string;
    await waitFor(() => seen.some((s) => s.name === 'rollcall:lease:keepalive' && s.message['leaseId'] === lease), { message: 'a keepalive round trip published' });
    await client.leaseClient.leaseRevoke({ ID: lease });
    await waitFor(() => seen.some((s) => s.name === 'rollcall:lease:lost'), { message: 'the loss published' });
    const transitions = seen.filter((s) => s.name === 'rollcall:lease:state').map((s) => `${String(s.message['from'])}->${String(s.message['to'])}`);
    assert.deepEqual(transitions.slice(0, 3), ['idle->granting', 'granting->alive', 'alive->lost']);
    const keepalive = seen.find((s) => s.name === 'rollcall:lease:keepalive');
    assert.equal(keepalive?.message['ok'], true);
    assert.equal(typeof keepalive?.message['roundTripMs'], 'number');
    assert.deepEqual(seen.find((s) => s.name === 'rollcall:lease:lost')?.message, { owner: 'registrar', leaseId: lease, reason: 'expired' });
  });

  it('a client passed in keeps the lease alive; one closed before a keepalive stream was open ends keepalives with an error event, not a loss', async (t) => {
    const admin = etcdClient(t, server.etcd);
    const started = async (prefix: string): Promise<{ client: Etcd3; r: Registrar }> => {
      const client = new Etcd3({ hosts: server.etcd.endpoints });
      t.after(() => client.close());
      const r = new Registrar({ client, ttl: 1, prefix });
      t.after(() => r.close().catch(() => undefined));
      return { client, r };
    };
    const kept = await started('own-client');
    const reg = await kept.r.register({ service: 'svc', id: 'c1', address: '10.0.0.1:80' });
    // Bounded observation: 3 TTLs, longer than the lease lives without keepalives.
    await delay(3000);
    assert.deepEqual(await keysOnLease(admin, kept.r.leaseId as string), [reg.key], 'kept alive through the client passed in');

    const closed = await started('closed-client');
    const log = recordLeaseEvents(closed.r);
    const errors: RollcallError[] = [];
    closed.r.on('error', (error) => errors.push(error));
    await closed.r.register({ service: 'svc', id: 'c2', address: '10.0.0.2:80' });
    // Closed before the first keepalive (TTL/3 after the grant) opens its stream.
    closed.client.close();
    await waitFor(() => errors.length > 0, { timeoutMs: 5000, message: 'an error event once the client is closed' });
    assert.equal(errors[0]?.code, 'ERR_CLOSED');
    assert.deepEqual(log.lost, [], 'a closed client says nothing about the lease');
  });

  it('keepalives failing for less than a TTL are not a loss: alive -> unreachable -> alive, same lease, no lost event', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    const r = registrar(t, etcd.endpoints, { ttl: 10, timeoutMs: 1000, prefix: 'blip' });
    const log = recordLeaseEvents(r);
    const states: string[] = [];
    r.on('stateChange', ({ from, to }) => states.push(`${from}->${to}`));
    const keys = await registerMany(r, 3);
    const lease = r.leaseId as string;
    etcd.pause();
    t.after(() => {
      if (etcd.paused) etcd.resume();
    });
    await waitFor(() => log.keepaliveFailed > 0, { timeoutMs: 8000, message: 'a keepalive failed while etcd is frozen' });
    assert.equal(r.state, LeaseState.Unreachable);
    assert.equal(r.leaseId, lease, 'the lease is kept while unreachable');
    etcd.resume();
    await waitFor(() => r.state === LeaseState.Alive, { timeoutMs: 8000, message: 'keepalive answered again' });
    assert.equal(log.lost.length, 0, 'no loss');
    assert.equal(r.leaseId, lease);
    assert.deepEqual(await keysOnLease(client, lease), keys);
    assert.deepEqual(states.slice(2), ['alive->unreachable', 'unreachable->alive']);
  });

  it('etcd restarted at once from an emptied data dir: keepalive answers TTL 0 -> lost (expired) -> everything re-put', async (t) => {
    const etcd = await startEtcd(t);
    const client = etcdClient(t, etcd);
    const r = registrar(t, etcd.endpoints, { ttl: 10, timeoutMs: 1000, prefix: 'wiped' });
    const log = recordLeaseEvents(r);
    const keys = await registerMany(r, 5);
    const oldLease = r.leaseId as string;
    await etcd.restart({ wipeData: true });
    assert.equal(await client.getAll().prefix('wiped/').count(), 0, 'the new etcd has nothing');
    await waitFor(() => log.reregistered.length > 0, { timeoutMs: 20_000, message: 'reregistered after the wipe' });
    assert.equal(log.lost[0]?.details['reason'], 'expired');
    assert.equal(log.reregistered[0]?.count, 5);
    await assertAllBack(client, r, keys, oldLease);
    await r.close();
  });

  it('etcd stopped for 2×ttl and started again with its data dir: no loss, same lease, keys kept (etcd restores and extends the lease)', async (t) => {
    const { client, r, log, keys, lease } = await outage(t, 'outage-kept', false);

    await waitFor(() => r.state === LeaseState.Alive, { timeoutMs: 20_000, message: 'keepalives answered again' });
    assert.ok(log.keepaliveFailed > 0, 'keepalives failed while etcd was down');
    assert.deepEqual(log.lost, [], 'etcd never said the lease was gone');
    assert.deepEqual(log.reregistered, []);
    assert.equal(r.leaseId, lease);
    assert.deepEqual(await keysOnLease(client, lease), keys);
    const late = await r.register({ service: 'svc', id: 'late', address: '10.0.1.1:80' });
    assert.equal(late.leaseId, lease);
    await r.close();
    assert.equal(await client.getAll().prefix('outage-kept/').count(), 0, 'close removed every key');
  });

  it('etcd stopped for 2×ttl and started again from an emptied data dir: keepalive answers TTL 0 -> lost (expired) -> every registration back, same registrar', async (t) => {
    const { client, r, log, keys, lease: oldLease } = await outage(t, 'outage', true);

    await waitFor(() => log.reregistered.length > 0, { timeoutMs: 20_000, message: 'reregistered after etcd came back' });
    assert.ok(log.keepaliveFailed > 0, 'keepalives failed while etcd was down');
    assert.equal(log.lost.length, 1, 'one loss');
    assert.equal(log.lost[0]?.details['reason'], 'expired', 'declared lost when etcd answered that the lease is gone');
    assert.equal(log.reregistered[0]?.count, 10);
    await assertAllBack(client, r, keys, oldLease);
    // Still working: a new registration and an update on the new lease.
    const late = await r.register({ service: 'svc', id: 'late', address: '10.0.1.1:80' });
    assert.equal(late.leaseId, r.leaseId);
    await r.registrations[0]?.update({ weight: 2 });
    await r.close();
    assert.equal(await client.getAll().prefix('outage/').count(), 0, 'close removed every key');
  });
});

/**
 * A registrar with 10 registrations on its own etcd, then the outage under test: etcd stopped for
 * 2×ttl (the outage length, not a synchronisation: longer than the lease lives without
 * keepalives), the registrar checked to have kept its lease meanwhile, and etcd started again.
 */
async function outage(t: TestContext, prefix: string, wipeData: boolean) {
  const etcd = await startEtcd(t);
  const client = etcdClient(t, etcd);
  const r = registrar(t, etcd.endpoints, { ttl: TTL, timeoutMs: 1000, prefix });
  const log = recordLeaseEvents(r);
  const keys = await registerMany(r, 10);
  const lease = r.leaseId as string;
  await etcd.kill('SIGTERM');
  t.diagnostic(`etcd stopped (wipeData=${String(wipeData)})`);
  await delay(2 * TTL * 1000);
  assert.equal(r.state, LeaseState.Unreachable, 'no answer is not a loss');
  assert.equal(r.leaseId, lease);
  await etcd.restart({ wipeData });
  return { client, r, log, keys, lease };
}
