/**
 * EtcdStore while etcd is paused (SIGSTOP): a lock is lost only when etcd says so, and a failed
 * session revoke on close() is a `warning` event, never a process warning.
 *
 * - The lock's key monitor starts watching the moment the lock is acquired. With etcd paused right
 *   then, the watch's first listing times out (`timeoutMs`): that says nothing about the lock, so
 *   `lost` must stay unaborted (a warning reports the failed watch); once etcd is back, deleting
 *   the key does abort it.
 * - close() with etcd paused cannot revoke the session lease: the store's `warning` event carries
 *   an EtcdRequestError naming the lease, and nothing reaches process.on('warning').
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { RollcallError } from '../../src/errors.js';
import { abortedWithin, within } from '../contract/contract-helpers.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import type { EtcdProcess } from '../../src/dev/index.js';
import { processState, useEtcd } from '../helpers/etcd.js';
import { etcdStore } from './etcd-store-support.js';

const TTL = 5;
const TIMEOUT_MS = 400;

/**
 * SIGSTOP is delivered asynchronously: etcd may still answer a request sent right after kill().
 * Spins (synchronously, so it also works inside a diagnostics callback) until /proc shows the
 * process stopped, bounded by a deadline.
 */
function pauseAndConfirm(etcd: EtcdProcess): void {
  etcd.pause();
  const deadline = Date.now() + 2000;
  while (processState(etcd.pid) !== 'T') {
    if (Date.now() > deadline) throw new Error(`etcd ${etcd.pid} did not stop within 2 s of SIGSTOP`);
  }
}

describe('EtcdStore with etcd paused (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('a held lock whose key watch fails to list in time is not lost; deleting its key then loses it', async (t) => {
    const namespace = `pause-lock/${Date.now()}/`;
    const store = etcdStore(t, { endpoints: server.etcd.endpoints, namespace, timeoutMs: TIMEOUT_MS });
    const warnings: RollcallError[] = [];
    store.on('warning', (error) => warnings.push(error));
    let paused = false;
    t.after(() => {
      if (paused) server.etcd.resume();
    });
    // Published when the wait ends, before the hold starts watching its key: pausing here makes
    // the monitor's first listing run into the pause, every time.
    const onLockWait = (message: unknown): void => {
      if ((message as { acquired?: boolean }).acquired === true && !paused) {
        paused = true;
        pauseAndConfirm(server.etcd);
      }
    };
    diagnostics.subscribe('rollcall:store:lock-wait', onLockWait);
    t.after(() => diagnostics.unsubscribe('rollcall:store:lock-wait', onLockWait));

    const lock = await store.lock('paused', { ttl: TTL });
    assert.equal(paused, true, 'etcd was paused as the lock was acquired');
    const [warning] = (await within(once(store, 'warning'), TIMEOUT_MS * 4 + 2000, 'the failed key watch to be reported')) as [RollcallError];
    assert.match(warning.message, /watching its key .* failed, watching again/);
    assert.equal(lock.lost.aborted, false, 'a failed watch is not a lost lock');
    server.etcd.resume();
    paused = false;

    await store.delete(lock.key);
    const reason = await abortedWithin(lock.lost, TTL * 1000, 'the deleted key to end the hold');
    assert.equal((reason as { code?: string }).code, 'ERR_LOCK_LOST');
    assert.match((reason as Error).message, /was deleted/);
    assert.ok(warnings.every((w) => !/lost/.test(w.message)), 'no warning claimed a loss');
  });

  it('close() with etcd paused reports the failed session revoke on the store, not as a process warning', async (t) => {
    const store = etcdStore(t, { endpoints: server.etcd.endpoints, namespace: `pause-close/${Date.now()}/`, timeoutMs: TIMEOUT_MS });
    const session = await store.session({ ttl: TTL });
    const processWarnings: Error[] = [];
    const onProcessWarning = (warning: Error): void => void processWarnings.push(warning);
    process.on('warning', onProcessWarning);
    t.after(() => process.off('warning', onProcessWarning));
    const warnings: RollcallError[] = [];
    store.on('warning', (error) => warnings.push(error));

    pauseAndConfirm(server.etcd);
    try {
      await within(store.close(), TIMEOUT_MS * 10 + 5000, 'close() to finish with etcd paused');
    } finally {
      server.etcd.resume();
    }
    assert.equal(warnings.length, 1, `one warning (${warnings.map((w) => w.message).join('; ')})`);
    assert.equal(warnings[0]?.code, 'ERR_ETCD_REQUEST');
    assert.equal((warnings[0]?.details as { leaseId?: string }).leaseId, session.lease);
    assert.match(warnings[0]?.message ?? '', /could not revoke session lease/);
    assert.deepEqual(processWarnings, []);
  });
});
