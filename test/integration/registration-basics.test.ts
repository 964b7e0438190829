/**
 * Registrar against a real etcd: what register() writes and on which lease, the Go endpoint shape
 * as etcdctl prints it, duplicates and replace, update/drain on the same lease, health flips,
 * input checks before etcd, and an unreachable etcd.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DuplicateInstanceError, EtcdUnavailableError, InvalidConfigError, InvalidNameError } from '../../src/errors.js';
import { Registrar, LeaseState } from '../../src/registration/index.js';
import { freePort } from '../../src/dev/index.js';
import { eventually, etcdClient, startEtcd, useEtcd, waitFor } from '../helpers/etcd.js';
import { rollcallFields } from '../helpers/wire-value.js';
import { assertNoUnhandledRejections, json, keysOnLease, rawKv, registrar } from '../fixtures/registration-support.js';

const run = promisify(execFile);

describe('Registrar: register, update, duplicates (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('register: idle -> alive, key committed with the documented JSON on the registrar lease', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints);
    assert.equal(r.state, LeaseState.Idle);
    assert.equal(r.leaseId, undefined, 'no lease before the first register');
    const reg = await r.register({ service: 'api', id: 'a1', address: '10.0.0.1:8080', weight: 3, zone: 'z1', version: '1.2.3', tags: ['blue'], meta: { build: 7 } });
    assert.equal(r.state, LeaseState.Alive);
    const leaseId = r.leaseId;
    assert.ok(leaseId !== undefined);
    assert.equal(reg.key, 'services/api/a1');
    assert.equal(reg.id, 'a1');
    assert.equal(reg.service, 'api');
    assert.equal(reg.leaseId, r.leaseId);
    const kv = await rawKv(client, 'services/api/a1');
    assert.ok(kv, 'key committed when register() resolves');
    assert.equal(kv.lease, r.leaseId);
    const body = json(kv.value);
    assert.equal(body['Op'], 0);
    assert.equal(body['Addr'], '10.0.0.1:8080');
    const metadata = rollcallFields(kv.value);
    assert.deepEqual(
      { ...metadata, registeredAt: typeof metadata['registeredAt'] },
      { id: 'a1', service: 'api', status: 'up', weight: 3, zone: 'z1', version: '1.2.3', tags: ['blue'], meta: { build: 7 }, registeredAt: 'string' },
    );
    assert.deepEqual(reg.record.meta, { build: 7 });
    assert.deepEqual(await keysOnLease(client, leaseId), ['services/api/a1']);
    const ttl = await client.leaseClient.leaseTimeToLive({ ID: leaseId });
    assert.equal(Number(ttl.grantedTTL), 2);
  });

  it('1,000 registrations share one lease (leaseTimeToLive lists all of them)', async (t) => {
    const client = etcdClient(t, server.etcd);
    // 1,000 writes at once: the per-call deadline only has to stop a hung etcd, not a busy machine.
    const r = registrar(t, server.etcd.endpoints, { prefix: 'many', timeoutMs: 15_000 });
    const regs = await Promise.all(Array.from({ length: 1000 }, (_, i) => r.register({ service: 'bulk', id: `i${i}`, address: `10.1.${i >> 8}.${i & 255}:80` })));
    const leases = new Set(regs.map((reg) => reg.leaseId));
    assert.deepEqual([...leases], [r.leaseId]);
    const keys = await keysOnLease(client, r.leaseId as string);
    assert.equal(keys?.length, 1000);
    const count = await client.getAll().prefix('many/bulk/').count();
    assert.equal(count, 1000);
    assert.equal(r.registrations.length, 1000);
  });

  it('etcdctl get --print-value-only prints a Go endpoints.Endpoint (Addr + Metadata)', async (t) => {
    const r = registrar(t, server.etcd.endpoints, { prefix: 'goshape' });
    await r.register({ service: 'grpc-svc', id: 'g1', address: '127.0.0.1:9000', meta: { region: 'eu' } });
    const { stdout } = await run('etcdctl', ['--endpoints', server.etcd.endpoints.join(','), 'get', 'goshape/grpc-svc/g1', '--print-value-only'], {
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: 10_000,
    });
    const endpoint = JSON.parse(stdout.trim()) as { Op?: unknown; Addr?: unknown; Metadata?: unknown };
    // Go's endpoints.Endpoint is { Addr string; Metadata any }; the Manager's Update adds Op (0 = Add).
    assert.equal(endpoint.Op, 0);
    assert.equal(endpoint.Addr, '127.0.0.1:9000');
    // A JSON string (a Go map in Metadata panics grpc-go); Go users json.Unmarshal it.
    assert.equal(typeof endpoint.Metadata, 'string');
    assert.deepEqual(Object.keys(endpoint).sort(), ['Addr', 'Metadata', 'Op']);
    assert.equal((JSON.parse(endpoint.Metadata as string) as { id?: string }).id, 'g1');
  });

  it('duplicate id under another live lease -> DuplicateInstanceError; replace: true takes over; the old owner cannot delete it', async (t) => {
    const client = etcdClient(t, server.etcd);
    const a = registrar(t, server.etcd.endpoints, { prefix: 'dup' });
    const b = registrar(t, server.etcd.endpoints, { prefix: 'dup' });
    const regA = await a.register({ service: 'api', id: 'x', address: '10.0.0.1:1' });
    await assert.rejects(b.register({ service: 'api', id: 'x', address: '10.0.0.2:1' }), (error: unknown) => {
      assert.ok(error instanceof DuplicateInstanceError);
      assert.equal(error.code, 'ERR_DUPLICATE_INSTANCE');
      assert.equal(error.details['holderLease'], a.leaseId);
      return true;
    });
    assert.equal(json((await rawKv(client, 'dup/api/x'))?.value)['Addr'], '10.0.0.1:1', 'the failed attempt wrote nothing');
    await assert.rejects(a.register({ service: 'api', id: 'x', address: '10.0.0.1:1' }), DuplicateInstanceError, 'same registrar, same key');

    const regB = await b.register({ service: 'api', id: 'x', address: '10.0.0.2:1', replace: true });
    let kv = await rawKv(client, 'dup/api/x');
    assert.equal(kv?.lease, b.leaseId);
    assert.equal(json(kv?.value)['Addr'], '10.0.0.2:1');

    await regA.deregister();
    kv = await rawKv(client, 'dup/api/x');
    assert.equal(kv?.lease, b.leaseId, "the old owner's deregister left the new owner's key");
    assert.equal((rollcallFields(kv?.value) as { status: string }).status, 'up', 'and did not mark it leaving');
    assert.equal(regB.state, 'registered');
    await a.close();
    assert.equal((await rawKv(client, 'dup/api/x'))?.lease, b.leaseId, "the old owner's close left it too");
  });

  it('update and drain change the stored JSON on the same lease; status up again via update', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { prefix: 'upd' });
    const reg = await r.register({ service: 'api', id: 'u1', address: '10.0.0.1:80', tags: ['a'] });
    const lease = r.leaseId;
    const before = await rawKv(client, 'upd/api/u1');
    await reg.update({ weight: 5, meta: { color: 'green' }, version: '2' });
    let kv = await rawKv(client, 'upd/api/u1');
    let metadata = rollcallFields(kv?.value);
    assert.deepEqual([metadata['weight'], metadata['meta'], metadata['version'], metadata['tags'], metadata['status']], [5, { color: 'green' }, '2', ['a'], 'up']);
    assert.equal(kv?.lease, lease);
    assert.equal(kv?.create_revision, before?.create_revision, 'same key, not re-created');
    assert.equal(reg.record.weight, 5);

    await reg.drain();
    kv = await rawKv(client, 'upd/api/u1');
    metadata = rollcallFields(kv?.value);
    assert.equal(metadata['status'], 'draining');
    assert.equal(metadata['weight'], 5);
    assert.equal(kv?.lease, lease);
    assert.equal(reg.status, 'draining');

    await reg.update({ status: 'up' });
    assert.equal((rollcallFields((await rawKv(client, 'upd/api/u1'))?.value) as { status: string }).status, 'up');
    assert.equal(r.leaseId, lease, 'no new lease');
    await assert.rejects(reg.update({ weight: 0 }), InvalidConfigError);
    await assert.rejects(reg.update({ weight: 1.5 }), InvalidConfigError);
  });

  it('health check: failing flips status to draining (kept registered), passing flips it back unless drained on purpose', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { prefix: 'health' });
    let healthy = true;
    const flips: string[] = [];
    r.on('health', (info) => flips.push(`${info.healthy ? 'pass' : 'fail'}:${info.status}`));
    const reg = await r.register({ service: 'api', id: 'h1', address: '10.0.0.1:80', healthCheck: async () => healthy, healthIntervalMs: 50 });
    const status = async (): Promise<string | undefined> => (rollcallFields((await rawKv(client, 'health/api/h1'))?.value) as { status: string }).status;
    assert.equal(await status(), 'up');

    healthy = false;
    await eventually(async () => assert.equal(await status(), 'draining'));
    assert.equal((await rawKv(client, 'health/api/h1'))?.lease, r.leaseId, 'still registered, same lease');
    healthy = true;
    await eventually(async () => assert.equal(await status(), 'up'));

    await reg.drain();
    healthy = false;
    await waitFor(() => flips.includes('fail:draining') && flips.filter((f) => f.startsWith('fail')).length >= 2);
    healthy = true;
    await waitFor(() => flips.filter((f) => f.startsWith('pass')).length >= 2);
    assert.equal(await status(), 'draining', 'a passing check does not undo a drain on purpose');
    assert.deepEqual(flips.slice(0, 2), ['fail:draining', 'pass:up']);
  });

  it('a health check failing at register time registers the instance as draining', async (t) => {
    const client = etcdClient(t, server.etcd);
    const r = registrar(t, server.etcd.endpoints, { prefix: 'health0' });
    await r.register({ service: 'api', id: 'h0', address: '10.0.0.1:80', healthCheck: () => Promise.reject(new Error('db down')), healthIntervalMs: 1000 });
    assert.equal((rollcallFields((await rawKv(client, 'health0/api/h0'))?.value) as { status: string }).status, 'draining');
  });

  it('invalid names and options fail before touching etcd', async (t) => {
    // An endpoint nobody listens on: any etcd call would fail with EtcdUnavailableError instead.
    const r = registrar(t, [`127.0.0.1:${await freePort()}`]);
    await assert.rejects(r.register({ service: 'a/b', address: 'h:1' }), InvalidNameError);
    await assert.rejects(r.register({ service: 'api', id: 'has space', address: 'h:1' }), InvalidNameError);
    await assert.rejects(r.register({ service: '', address: 'h:1' }), InvalidNameError);
    await assert.rejects(r.register({ service: 'api', address: '' }), InvalidConfigError);
    await assert.rejects(r.register({ service: 'api', address: 'h :1' }), InvalidConfigError);
    await assert.rejects(r.register({ service: 'api', address: 'h:1', weight: -1 }), InvalidConfigError);
    await assert.rejects(r.register({ service: 'api', address: 'h:1', tags: ['ok', 3 as unknown as string] }), InvalidConfigError);
    assert.equal(r.state, LeaseState.Idle, 'no lease was requested');
    assert.throws(() => new Registrar({ endpoints: ['127.0.0.1:1'], ttl: 0 }), InvalidConfigError);
    assert.throws(() => new Registrar({ endpoints: ['127.0.0.1:1'], ttl: 1.5 }), InvalidConfigError);
    assert.throws(() => new Registrar({ endpoints: ['127.0.0.1:1'], prefix: 'a b' }), InvalidNameError);
  });

  it('etcd unreachable at start -> EtcdUnavailableError within timeoutMs, registrar still usable afterwards', async (t) => {
    const r = registrar(t, [`127.0.0.1:${await freePort()}`], { timeoutMs: 1000 });
    const started = Date.now();
    await assert.rejects(r.register({ service: 'api', id: 'z', address: 'h:1' }), (error: unknown) => {
      assert.ok(error instanceof EtcdUnavailableError, String(error));
      assert.equal(error.code, 'ERR_ETCD_UNAVAILABLE');
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000 + 500, `rejected after ${elapsed} ms, timeout 1000 ms`);
    assert.equal(r.state, LeaseState.Idle, 'back to idle: the next register() tries again');
    assert.equal(r.registrations.length, 0);
    await assert.rejects(r.register({ service: 'api', id: 'z', address: 'h:1' }), EtcdUnavailableError);
  });

  it('etcd that accepts connections but never answers (SIGSTOP) -> EtcdUnavailableError within timeoutMs', async (t) => {
    const etcd = await startEtcd(t);
    etcd.pause();
    t.after(() => {
      if (etcd.paused) etcd.resume();
    });
    const r = registrar(t, etcd.endpoints, { timeoutMs: 1000 });
    const started = Date.now();
    await assert.rejects(r.register({ service: 'api', id: 'p', address: 'h:1' }), EtcdUnavailableError);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000 + 500, `rejected after ${elapsed} ms, timeout 1000 ms`);
    assert.equal(r.state, LeaseState.Idle);
  });
});
