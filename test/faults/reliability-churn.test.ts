/**
 * Scenario 7: churn. 4 registrar processes own 1,000 instance ids between them and register or
 * deregister one at ~100 ops/s in total, while 3 catalogs watch and cluster members are SIGKILLed
 * and restarted one at a time. Afterwards every catalog equals etcd, every change it emitted is
 * explained by etcd's history, every registration a registrar holds is in etcd, and the
 * consumer's heap after GC does not grow from round to round.
 *
 * 20 s of churn by default (the same rates); 60 s with ROLLCALL_FAULTS=full.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { truthOf } from '../helpers/catalog.js';
import { etcdClient, startCluster, waitFor } from '../helpers/etcd.js';
import { startFixtureChild } from '../helpers/fixture-child.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { assertConverged, assertHistoryExplains, heapAfterGc, watchCatalog } from './reliability-support.js';

const TTL = 2;
const PREFIX = 'churn';
const PROCESSES = 4;
const IDS_PER_PROCESS = 250;
const OPS_PER_SECOND = 100;
const DURATION_MS = process.env['ROLLCALL_FAULTS'] === 'full' ? 60_000 : 20_000;
const ROUND_MS = 4_000;
const CHILD = fileURLToPath(new URL('../fixtures/churn-registrar-child.js', import.meta.url));

interface ChurnLine {
  ready?: boolean;
  done?: boolean;
  live?: string[];
  ops?: number;
  failed?: number;
}

describe(`scenario 7: churn at ${OPS_PER_SECOND} ops/s for ${DURATION_MS / 1000} s while members are killed`, () => {
  assertNoUnhandledRejections();

  it('every catalog ends equal to etcd and explained by its history; the heap stays bounded', async (t) => {
    const cluster = await startCluster(t);
    const admin = etcdClient(t, cluster);
    const watched = await Promise.all([0, 1, 2].map(() => watchCatalog(t, { endpoints: cluster.endpoints, prefix: PREFIX }, { log: false })));
    const children = await Promise.all(
      Array.from({ length: PROCESSES }, (_, i) =>
        startFixtureChild<ChurnLine>(
          t,
          CHILD,
          {
            ROLLCALL_CHURN_CHILD: JSON.stringify({
              endpoints: cluster.endpoints,
              prefix: PREFIX,
              name: `p${i}`,
              ids: IDS_PER_PROCESS,
              rate: OPS_PER_SECOND / PROCESSES,
              durationMs: DURATION_MS,
              ttl: TTL,
            }),
          },
          `churn registrar ${i}`,
          { readyTimeoutMs: 30_000 },
        ),
      ),
    );
    const outputs = children.map((child) => {
      const out = { text: '' };
      child.process.stdout?.on('data', (chunk: Buffer) => (out.text += chunk.toString()));
      return out;
    });

    // Rounds: one member SIGKILLed, restarted, then the consumer's heap measured after GC.
    const heaps: number[] = [await heapAfterGc()];
    const started = Date.now();
    let kills = 0;
    while (Date.now() - started < DURATION_MS - ROUND_MS / 2) {
      const victim = Math.floor(Math.random() * cluster.size);
      await cluster.kill(victim);
      kills += 1;
      await cluster.waitForLeader({ notIndex: victim });
      // The member stays down for part of the round: the fault itself, not synchronisation.
      await delay(ROUND_MS / 4);
      await cluster.restart(victim);
      await delay(Math.max(0, ROUND_MS - (Date.now() - started) % ROUND_MS));
      heaps.push(await heapAfterGc());
    }
    const done = await Promise.all(
      outputs.map((out, i) =>
        waitFor(
          () => {
            const line = out.text.split('\n').find((l) => l.includes('"done"'));
            return line === undefined ? undefined : (JSON.parse(line) as ChurnLine);
          },
          { timeoutMs: 30_000, message: `churn registrar ${i} to finish` },
        ),
      ),
    );
    const ops = done.reduce((sum, d) => sum + (d.ops ?? 0), 0);
    const failed = done.reduce((sum, d) => sum + (d.failed ?? 0), 0);
    t.diagnostic(`${ops} ops (${failed} failed while a member was down), ${kills} member kills in ${Date.now() - started} ms`);

    const convergedMs = await assertConverged(admin, PREFIX, watched, 30_000);
    const live = done.flatMap((d) => d.live ?? []).map((id) => `churn/${id}`);
    const truth = await truthOf(admin, PREFIX);
    t.diagnostic(`catalogs equal etcd ${convergedMs} ms after the churn ended; ${truth.size} instances live`);
    assert.deepEqual(live.filter((id) => !truth.has(id)), [], 'every registration a registrar holds is in etcd');
    assert.ok(ops >= (OPS_PER_SECOND * DURATION_MS) / 1000 / 2, `the churn ran at about its rate (${ops} ops)`);
    await assertHistoryExplains(t, admin, PREFIX, watched);

    const mb = heaps.map((h) => Math.round(h / 1e5) / 10);
    const recorded = watched.reduce((sum, w) => sum + w.changes.length, 0);
    t.diagnostic(`consumer heap after GC per round (MB): ${mb.join(', ')} (the test itself keeps ${recorded} recorded changes for the history check)`);
    // Bounded: the last rounds are no bigger than the first churning round plus a margin for GC noise.
    const firstChurning = heaps[1] ?? heaps[0] ?? 0;
    const last = heaps.at(-1) ?? 0;
    assert.ok(last <= firstChurning * 1.25 + 8e6, `heap grew from ${mb[1]} MB to ${mb.at(-1)} MB across rounds`);
  });
});
