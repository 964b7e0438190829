/**
 * The public error classes: each has its own stable code and brand, docs/errors.md lists every
 * one, and the classes are used for what they say. A lock whose lease dies while it is still
 * waiting was never held, so it rejects with LeaseLostError (not LockLostError); a put naming an
 * unknown lease is LeaseNotFoundError (not LeaseLostError).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import * as rollcall from '../../src/index.js';
import { EtcdStore, hasErrorCode, LeaseLostError, LeaseNotFoundError, LockLostError, RollcallError, ROLLCALL_ERROR_CODES, type KVPair, type RollcallErrorCode, type Store } from '../../src/index.js';
import { MemoryBackend, MemoryStore } from '../../src/testing/index.js';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';

type ErrorClass = (new (message: string, options: { details: Record<string, unknown> }) => RollcallError) & { code: RollcallErrorCode };

/** Every error class the root exports: the functions with a static `code`. */
const errorClasses = Object.entries(rollcall as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && Object.hasOwn(entry[1], 'code'),
);

describe('error classes', () => {
  it('one exported class per documented code, each with its own code, name and brand', () => {
    assert.deepEqual(errorClasses.map(([, cls]) => cls.code).sort(), [...ROLLCALL_ERROR_CODES].sort());
    for (const [name, cls] of errorClasses) {
      const error = new cls('message', { details: { key: 'k', leaseId: '1' } });
      assert.equal(error.name, name);
      assert.equal(error.code, cls.code);
      assert.ok(error instanceof cls && error instanceof RollcallError && error instanceof Error, name);
      assert.ok(hasErrorCode(error, cls.code));
      const others = errorClasses.filter(([, other]) => other !== cls && error instanceof other).map(([n]) => n);
      assert.deepEqual(others, [], `${name} is an instance of no other class`);
    }
  });

  it('docs/errors.md has a row for every code with its class', () => {
    const page = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [name, cls] of errorClasses) {
      assert.match(page, new RegExp(`^\\| \`${cls.code}\` \\| \`${name}\` \\|`, 'm'), `${cls.code} / ${name} documented`);
    }
  });
});

/** The lock key of the contender that is not `held`, once two are queued. */
async function waiterKey(store: Store, held: string): Promise<KVPair> {
  return waitFor(async () => (await store.list('__rollcall/lock/x/')).find((k) => k.key !== held), {
    timeoutMs: 5000,
    message: 'the waiter to queue',
  });
}

async function assertWaitRejectsWithLeaseLost(waiting: Promise<unknown>, lease: string, held: rollcall.Lock): Promise<void> {
  await assert.rejects(waiting, (error: unknown) => {
    assert.ok(error instanceof LeaseLostError, `LeaseLostError, got ${String(error)}`);
    assert.ok(!(error instanceof LockLostError));
    assert.equal(error.details.leaseId, lease);
    return true;
  });
  assert.equal(held.lost.aborted, false, 'the holder is unaffected');
}

describe('misused classes, fixed (MemoryStore)', () => {
  it('a waiting lock whose lease expires rejects with LeaseLostError, not LockLostError', async () => {
    const backend = new MemoryBackend();
    const [a, b] = [new MemoryStore({ backend }), new MemoryStore({ backend })];
    try {
      const held = await a.lock('x');
      const waiting = b.lock('x');
      waiting.catch(() => undefined); // asserted below
      const waiter = await waiterKey(a, held.key);
      backend.expireLease(waiter.lease);
      await assertWaitRejectsWithLeaseLost(waiting, waiter.lease, held);
      await held.release();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('put on a lease that was never granted rejects with LeaseNotFoundError naming key and lease', async () => {
    const store = new MemoryStore();
    try {
      await assert.rejects(store.put('k', 'v', { lease: '12345' }), (error: unknown) => {
        assert.ok(error instanceof LeaseNotFoundError, String(error));
        assert.deepEqual({ ...error.details }, { key: 'k', leaseId: '12345' });
        return true;
      });
    } finally {
      await store.close();
    }
  });
});

describe('misused classes, fixed (real etcd)', () => {
  const server = useEtcd();

  let tests = 0;
  /** Stores sharing one namespace per test. */
  function storesFor(t: TestContext): (count: number) => EtcdStore[] {
    const namespace = `errors/${++tests}/`;
    return (count) => Array.from({ length: count }, () => store(t, namespace));
  }

  function store(t: TestContext, namespace: string): EtcdStore {
    const s = new EtcdStore({ endpoints: [server.etcd.clientUrl], namespace });
    t.after(() => s.close());
    return s;
  }

  it('a waiting lock whose lease is revoked rejects with LeaseLostError, not LockLostError', async (t) => {
    const [a, b] = storesFor(t)(2) as [EtcdStore, EtcdStore];
    const held = await a.lock('x');
    const waiting = b.lock('x', { ttl: 2 });
    waiting.catch(() => undefined); // asserted below
    const waiter = await waiterKey(a, held.key);
    await etcdClient(t, server.etcd).leaseClient.leaseRevoke({ ID: waiter.lease });
    await assertWaitRejectsWithLeaseLost(waiting, waiter.lease, held);
    await held.release();
  });

  it('put on a revoked lease rejects with LeaseNotFoundError', async (t) => {
    const [s] = storesFor(t)(1) as [EtcdStore];
    const session = await s.session({ ttl: 5 });
    await session.close();
    await assert.rejects(s.put('k', 'v', { lease: session.lease }), (error: unknown) => error instanceof LeaseNotFoundError && error.details.leaseId === session.lease);
  });
});
