/**
 * Scenario 11: a lock under faults, with fencing. The holder (its own process) is paused past its
 * lease TTL; a second holder acquires the lock and writes; the first resumes and its next write,
 * guarded by its fencing token (the lock key's create revision, in a txn compare), is refused, so
 * the newer holder's work stands. Without the guard the stale write would have landed: holding a
 * lock without fencing is advisory.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { startFixtureChild } from '../helpers/fixture-child.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { etcdStore } from '../integration/etcd-store-support.js';

const TTL = 2;
const NAMESPACE = 'fencing/';
const DATA_KEY = 'job/output';
const CHILD = fileURLToPath(new URL('../fixtures/fenced-writer-child.js', import.meta.url));

interface Line {
  ready?: boolean;
  key?: string;
  createRevision?: number;
  write?: number;
  succeeded?: boolean;
}

describe('scenario 11: a lock holder paused past its TTL is fenced off (3-member cluster)', () => {
  assertNoUnhandledRejections();

  it("the resumed holder's fenced write is refused; the newer holder's write stands", async (t) => {
    const cluster = await startCluster(t);
    const admin = etcdClient(t, cluster);
    const child = await startFixtureChild<Line>(
      t,
      CHILD,
      { ROLLCALL_FENCED_CHILD: JSON.stringify({ endpoints: cluster.endpoints, namespace: NAMESPACE, name: 'job', dataKey: DATA_KEY, writer: 'first', ttl: TTL }) },
      'fenced writer',
    );
    const lines: Line[] = [];
    let buffered = '';
    child.process.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as Line);
    });
    await waitFor(() => lines.some((l) => l.succeeded === true), { message: 'the first holder to write under its lock' });

    const pid = child.process.pid as number;
    process.kill(pid, 'SIGSTOP');
    t.after(() => {
      if (child.process.exitCode === null && child.process.signalCode === null) process.kill(pid, 'SIGCONT');
    });
    const pausedAt = Date.now();
    const store = etcdStore(t, { endpoints: cluster.endpoints, namespace: NAMESPACE, timeoutMs: 2000 });
    // Waits in the queue until the paused holder's lease expires.
    const second = await store.lock('job', { ttl: TTL });
    t.diagnostic(`second holder acquired ${Date.now() - pausedAt} ms after the first was paused`);
    assert.ok(second.createRevision > (child.ready.createRevision ?? Infinity), 'the fencing token grew with the new holder');
    const mine = await admin
      .if(NAMESPACE + second.key, 'Create', '==', second.createRevision)
      .then(admin.put(NAMESPACE + DATA_KEY).value('second'))
      .commit();
    assert.equal(mine.succeeded, true, "the current holder's fenced write lands");

    const seen = lines.length;
    process.kill(pid, 'SIGCONT');
    await waitFor(() => lines.slice(seen).some((l) => l.succeeded === false), { timeoutMs: 15_000, message: "the resumed holder's next write" });
    // (A write already in flight when the holder was paused may report its success late: it
    // reached etcd before the second holder's write, which the check below proves.)
    assert.equal(lines.at(-1)?.succeeded, false, "the resumed holder's write was refused");
    assert.equal(await admin.get(NAMESPACE + DATA_KEY).string(), 'second', "the newer holder's work stands");
    await child.exit;
    await second.release();
  });
});
