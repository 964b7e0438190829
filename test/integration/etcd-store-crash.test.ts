/**
 * What the contract cannot express with an in-process "kill": a lock holder or leader whose
 * PROCESS dies by SIGKILL (no revoke, no goodbye) hands over to the next in line once etcd
 * expires its lease, within ttl + 1 s of the kill.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KVPair } from '../../src/store/index.js';
import { Reader, within } from '../contract/contract-helpers.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { useEtcd, waitFor } from '../helpers/etcd.js';
import { etcdStore, startHolder } from './etcd-store-support.js';

const TTL = 2;
const HANDOVER_BOUND_MS = TTL * 1000 + 1000;

describe('EtcdStore: holders whose process is SIGKILLed (real etcd)', () => {
  assertNoUnhandledRejections();
  const server = useEtcd();

  it('a SIGKILLed lock holder loses the lock to the next waiter within ttl + 1 s', async (t) => {
    const namespace = `crash-lock/${Date.now()}/`;
    const child = await startHolder(t, { endpoints: server.etcd.endpoints, namespace, mode: 'lock', name: 'job', ttl: TTL });
    const waiter = etcdStore(t, { endpoints: server.etcd.endpoints, namespace });
    const held = await waiter.get(child.key);
    assert.equal(held?.lease, child.lease, "the child's lock key is on its session lease");

    let acquiredAt = 0;
    const waiting = waiter.lock('job', { ttl: TTL }).then((lock) => {
      acquiredAt = Date.now();
      return lock;
    });
    await waitFor(async () => ((await waiter.list('')).length === 2 ? true : undefined), { message: 'the waiter to queue' });
    assert.equal(acquiredAt, 0, 'the waiter does not hold the lock while the child lives');

    const killedAt = Date.now();
    process.kill(child.process.pid as number, 'SIGKILL');
    assert.equal((await child.exit).signal, 'SIGKILL');
    const lock = await within(waiting, HANDOVER_BOUND_MS + 2000, 'the waiter to take the lock over');
    const handoverMs = acquiredAt - killedAt;
    t.diagnostic(`lock handed over ${handoverMs} ms after SIGKILL (ttl ${TTL} s)`);
    assert.ok(handoverMs <= HANDOVER_BOUND_MS, `handover took ${handoverMs} ms, more than ttl + 1 s`);
    assert.ok(lock.createRevision > child.createRevision, 'the new holder has a higher fencing token');
    assert.equal(await waiter.exists(child.key), false, "the dead holder's key expired with its lease");
    assert.equal(lock.lost.aborted, false);
    await lock.release();
  });

  it('an election fails over when the leader process is SIGKILLed, and observe follows', async (t) => {
    const namespace = `crash-election/${Date.now()}/`;
    const child = await startHolder(t, {
      endpoints: server.etcd.endpoints,
      namespace,
      mode: 'campaign',
      name: 'main',
      value: 'child-leader',
      ttl: TTL,
    });
    const candidate = etcdStore(t, { endpoints: server.etcd.endpoints, namespace });
    const watcher = etcdStore(t, { endpoints: server.etcd.endpoints, namespace });
    const observed = new Reader<KVPair | null>(watcher.observe('main'), 10_000);
    t.after(() => observed.close());
    assert.equal((await observed.next('the child as leader'))?.text(), 'child-leader');
    assert.equal((await watcher.leader('main'))?.key, child.key);

    let electedAt = 0;
    const campaigning = candidate.campaign('main', 'successor', { ttl: TTL }).then((leadership) => {
      electedAt = Date.now();
      return leadership;
    });
    await waitFor(async () => ((await watcher.list('')).length === 2 ? true : undefined), { message: 'the candidate to queue' });
    assert.equal(electedAt, 0, 'no second leader while the child lives');

    const killedAt = Date.now();
    process.kill(child.process.pid as number, 'SIGKILL');
    assert.equal((await child.exit).signal, 'SIGKILL');
    const leadership = await within(campaigning, HANDOVER_BOUND_MS + 2000, 'the candidate to lead');
    const failoverMs = electedAt - killedAt;
    t.diagnostic(`leadership failed over ${failoverMs} ms after SIGKILL (ttl ${TTL} s)`);
    assert.ok(failoverMs <= HANDOVER_BOUND_MS, `failover took ${failoverMs} ms, more than ttl + 1 s`);
    const seen = await observed.until((kv) => kv?.key === leadership.key, 'the successor in observe');
    assert.equal(seen?.text(), 'successor');
    assert.equal((await watcher.leader('main'))?.text(), 'successor');
    assert.ok(leadership.createRevision > child.createRevision, 'a new term has a higher create revision');
    await leadership.resign();
    assert.equal(await observed.next('no leader after resign'), null);
  });
});
