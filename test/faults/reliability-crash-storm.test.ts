/**
 * Scenario 8: a crash storm. Registrar processes (each its own lease) all SIGKILLed at once: every
 * instance leaves every catalog with reason `expired` within TTL + 1 s of the kill, and the
 * catalogs end equal to etcd and explained by its history.
 *
 * 100 processes with ROLLCALL_FAULTS=full; 25 otherwise (starting 100 Node processes costs about
 * a CPU-minute, too much for the default suite on 2 cores).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { startFixtureChild, type FixtureChild } from '../helpers/fixture-child.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'crash-storm';
const PROCESSES = process.env['ROLLCALL_FAULTS'] === 'full' ? 100 : 25;
const START_CONCURRENCY = 4;
const CHILD = fileURLToPath(new URL('../fixtures/registrar-child.js', import.meta.url));

describe(`scenario 8: ${PROCESSES} registrar processes SIGKILLed at once`, () => {
  assertNoUnhandledRejections();

  it('every instance leaves every catalog as expired within TTL + 1 s', async (t) => {
    const cluster = await startCluster(t);
    const watched = [
      await watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX }),
      await watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX }),
    ];
    const started = Date.now();
    // Started a few at a time: each child gets its own start-up deadline, fair on a busy machine.
    const children: FixtureChild<{ leaseId: string }>[] = [];
    const startOne = (i: number): Promise<FixtureChild<{ leaseId: string }>> =>
      startFixtureChild<{ leaseId: string }>(
        t,
        CHILD,
        { ROLLCALL_CHILD: JSON.stringify({ endpoints: cluster.endpoints, prefix: PREFIX, service: `s${i}`, count: 1, ttl: TTL }) },
        `registrar child ${i}`,
        { readyTimeoutMs: 30_000 },
      );
    for (let i = 0; i < PROCESSES; i += START_CONCURRENCY) {
      const batch = Array.from({ length: Math.min(START_CONCURRENCY, PROCESSES - i) }, (_, j) => startOne(i + j));
      children.push(...(await Promise.all(batch)));
    }
    t.diagnostic(`${PROCESSES} registrar processes ready in ${Date.now() - started} ms`);
    const admin = etcdClient(t, cluster);
    await waitFor(() => watched.every((w) => w.catalog.services().length === PROCESSES), { timeoutMs: 20_000, message: 'every instance in every catalog' });

    const marks = watched.map((w) => w.log.changes.length);
    const killedAt = Date.now();
    for (const child of children) process.kill(child.process.pid as number, 'SIGKILL');
    await Promise.all(children.map((c) => c.exit));
    const goneAfter = await Promise.all(
      watched.map(async (w) => {
        await waitFor(() => w.catalog.services().length === 0, { timeoutMs: 20_000, message: 'every instance gone from the catalog' });
        return Date.now() - killedAt;
      }),
    );
    t.diagnostic(`every instance gone from the catalogs ${goneAfter.join(' and ')} ms after the kill (TTL ${TTL} s)`);
    for (const [i, w] of watched.entries()) {
      const removed = w.log.changes.slice(marks[i]);
      assert.equal(removed.length, PROCESSES, `catalog ${i}: one change per instance`);
      const reasons = new Set(removed.map((c) => (c.type === 'removed' ? c.reason : c.type)));
      assert.deepEqual([...reasons], ['expired'], `catalog ${i}: every removal is expired`);
      assert.ok((goneAfter[i] ?? Infinity) <= TTL * 1000 + 1000, `catalog ${i}: all gone within TTL + 1 s (took ${goneAfter[i]} ms)`);
    }
    await assertConverged(admin, PREFIX, watched);
    await assertHistoryExplains(t, admin, PREFIX, watched);
  });
});
