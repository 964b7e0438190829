// `rollcall endpoint health|status` and `rollcall member list` on a real 3-member cluster, on
// the built CLI, cross-checked with the cluster's own view: one line per endpoint/member, the
// leader marked once, member ids in etcdctl's hex; an endpoint that does not answer (a paused
// member, a closed port) makes `endpoint health` print it unhealthy and exit 2.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../../src/dev/index.js';
import { useCluster } from '../helpers/etcd.js';
import { etcdctl, rollcall } from '../helpers/cli.js';

describe('rollcall endpoint and member (built CLI, 3-member cluster)', () => {
  const server = useCluster();

  it('member list: one line per member, ids in hex as etcdctl prints them; --json too', async () => {
    const cluster = server.cluster;
    const e = ['--endpoints', cluster.endpoints.join(',')];
    const list = await rollcall(['member', 'list', ...e]);
    assert.equal(list.code, 0, list.stderr);
    const [header, ...rows] = list.stdout.trim().split('\n');
    assert.match(header ?? '', /^ID\s+STATUS\s+NAME\s+PEER URLS\s+CLIENT URLS\s+IS LEARNER$/);
    assert.equal(rows.length, 3);
    const etcdctlIds = (await etcdctl(cluster.endpoints[0] ?? '', 'member', 'list')).trim().split('\n').map((l) => l.split(',')[0]);
    assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]).sort(), etcdctlIds.sort());
    for (const row of rows) assert.match(row, /^[0-9a-f]+\s+started\s+\S+\s+http:\/\/127\.0\.0\.1:\d+\s+http:\/\/127\.0\.0\.1:\d+\s+false$/);
    const json = JSON.parse((await rollcall(['member', 'list', '--json', ...e])).stdout) as { id: string; hex: string; clientURLs: string[] }[];
    assert.deepEqual(json.flatMap((m) => m.clientURLs).sort(), [...cluster.endpoints].sort());
    for (const m of json) assert.equal(BigInt(m.id).toString(16), m.hex);
  });

  it('endpoint status: one row per endpoint with version, db size, raft term/index; exactly one leader, the cluster\'s', async () => {
    const cluster = server.cluster;
    const leader = await cluster.waitForLeader();
    const status = await rollcall(['endpoint', 'status', '--json', '--endpoints', cluster.endpoints.join(',')]);
    assert.equal(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout) as { endpoint: string; version: string; dbSize: number; isLeader: boolean; raftTerm: number; raftIndex: number }[];
    assert.deepEqual(rows.map((r) => r.endpoint), cluster.endpoints);
    assert.deepEqual(rows.map((r) => r.isLeader), cluster.endpoints.map((_, i) => i === leader));
    for (const r of rows) {
      assert.match(r.version, /^3\.\d+\.\d+$/);
      assert.ok(r.dbSize > 0 && r.raftTerm > 0 && r.raftIndex > 0, JSON.stringify(r));
    }
    const table = await rollcall(['endpoint', 'status', '--endpoints', cluster.endpoints.join(',')]);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout.trim().split('\n').length, 4);
    assert.match(table.stdout, /^ENDPOINT\s+ID\s+VERSION\s+DB SIZE\s+IS LEADER/);
  });

  it('endpoint health: a line per endpoint, exit 0 when all are healthy; a paused member and a closed port are unhealthy, exit 2', async (t) => {
    const cluster = server.cluster;
    const all = await rollcall(['endpoint', 'health', '--endpoints', cluster.endpoints.join(',')]);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), cluster.endpoints);
    for (const line of lines) assert.match(line, /^http:\/\/127\.0\.0\.1:\d+ is healthy: took \d+ ms$/);

    const dead = `http://127.0.0.1:${await freePort()}`;
    // A follower, so the other two keep their leader and answer at once.
    const paused = ((await cluster.waitForLeader()) + 1) % 3;
    cluster.pause(paused);
    t.after(() => cluster.resume(paused));
    const some = await rollcall(['endpoint', 'health', '--json', '--timeout', '1s', '--endpoints', [...cluster.endpoints, dead].join(',')]);
    cluster.resume(paused);
    assert.equal(some.code, 2, some.stderr);
    const health = JSON.parse(some.stdout) as { endpoint: string; healthy: boolean; error?: string }[];
    assert.deepEqual(health.map((h) => h.healthy), [...cluster.endpoints.map((_, i) => i !== paused), false]);
    assert.match(health[3]?.error ?? '', /is unreachable \(connection refused\)/);
    assert.match(some.stderr, new RegExp(`^rollcall: 2 of 4 etcd endpoint\\(s\\) unhealthy: ${cluster.endpoints[paused]}, ${dead}\\n$`));
  });
});
