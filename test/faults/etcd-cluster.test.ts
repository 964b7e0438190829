// EtcdCluster (3 members on loopback): elects a leader; survives losing it; a killed member
// restarted rejoins and catches up; a paused member is replaced as leader and serves after resume;
// stopAll leaves nothing behind. With TLS on client and peer URLs: https only, client certificates
// required on both, and the harness still finds the leader and survives losing it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { httpJson } from '../../src/dev/etcd-http.js';
import { EtcdProcessError } from '../../src/errors.js';
import { makeTestCertsFor, mutualTlsCluster } from '../helpers/certs.js';
import { etcdClient, eventually, processGone, processState, startCluster, waitFor } from '../helpers/etcd.js';

describe('EtcdCluster', () => {
  it('elects a leader; after the leader is killed a new one is elected and writes via the survivors succeed', async (t) => {
    const cluster = await startCluster(t);
    assert.equal(cluster.size, 3);
    assert.equal(new Set(cluster.endpoints).size, 3);
    for (const url of cluster.endpoints) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const leader = await cluster.waitForLeader();
    assert.ok(leader >= 0 && leader < 3, `leader index ${leader}`);
    const leaderPid = cluster.member(leader).pid;

    await cluster.kill(leader);
    assert.equal(processGone(leaderPid), true);
    assert.equal(cluster.member(leader).running, false);

    const next = await cluster.waitForLeader({ notIndex: leader });
    assert.notEqual(next, leader);

    const client = etcdClient(t, cluster.endpointsExcept(leader));
    await eventually(async () => {
      await client.put('fault/after-leader-loss').value('written');
      assert.equal(await client.get('fault/after-leader-loss').string(), 'written');
    });

    const pids = cluster.members.map((m) => m.pid);
    const dirs = cluster.members.map((m) => m.dataDir);
    await cluster.stopAll();
    for (const pid of pids) assert.equal(processGone(pid), true, `member pid ${pid} still exists`);
    for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} still exists`);
  });

  it('a killed member, restarted with its data dir, rejoins and serves data written while it was down', async (t) => {
    const cluster = await startCluster(t);
    const victim = 0;
    await cluster.kill(victim);
    // If the victim led, a write sent before the others notice would wait out etcd's request timeout.
    await cluster.waitForLeader({ notIndex: victim });
    const others = etcdClient(t, cluster.endpointsExcept(victim));
    await eventually(async () => {
      await others.put('fault/while-down').value('caught-up');
    });

    await cluster.restart(victim);
    assert.equal(cluster.member(victim).running, true);
    // Only the restarted member's endpoint: the read must be served by it.
    const rejoined = etcdClient(t, [cluster.member(victim).clientUrl]);
    await eventually(async () => assert.equal(await rejoined.get('fault/while-down').string(), 'caught-up'));
    // A serializable read answers from the member's own store, without asking the leader.
    await eventually(async () =>
      assert.equal(await rejoined.get('fault/while-down').serializable(true).string(), 'caught-up'),
    );
  });

  it('stop(i) keeps the member data dir and restart(i) rejoins', async (t) => {
    const cluster = await startCluster(t);
    const i = 2;
    await cluster.stop(i);
    assert.equal(cluster.member(i).running, false);
    assert.ok(existsSync(cluster.member(i).dataDir));
    await cluster.restart(i);
    const client = etcdClient(t, [cluster.member(i).clientUrl]);
    await eventually(async () => {
      await client.put('fault/after-stop').value('ok');
      assert.equal(await client.get('fault/after-stop').string(), 'ok');
    });
  });

  it('a paused leader is replaced; after resume it serves the writes made meanwhile', async (t) => {
    const cluster = await startCluster(t);
    const leader = await cluster.waitForLeader();
    cluster.pause(leader);
    assert.equal(cluster.member(leader).paused, true);
    await waitFor(() => processState(cluster.member(leader).pid) === 'T', { message: 'paused member in state T' });
    assert.throws(() => cluster.member(7), EtcdProcessError);

    const next = await cluster.waitForLeader({ notIndex: leader });
    assert.notEqual(next, leader);
    const others = etcdClient(t, cluster.endpointsExcept(leader));
    await eventually(async () => {
      await others.put('fault/while-paused').value('later');
    });

    cluster.resume(leader);
    assert.equal(cluster.member(leader).paused, false);
    const resumed = etcdClient(t, [cluster.member(leader).clientUrl]);
    await eventually(async () => assert.equal(await resumed.get('fault/while-paused').string(), 'later'), {
      timeoutMs: 15_000,
    });
  });

  it('with TLS on client and peer URLs: https only, client certificates required, a killed leader is replaced and restarts', async (t) => {
    const certs = makeTestCertsFor(t);
    // A certificate file that cannot be read fails the start before any etcd is spawned.
    const missing = { ...mutualTlsCluster(certs).tls, certFile: `${certs.dir}/missing.crt`, keyFile: certs.serverKeyFile, trustedCaFile: certs.caFile };
    await assert.rejects(startCluster(t, { tls: missing }), (error: Error) => error instanceof EtcdProcessError && error.message.includes('missing.crt'));
    const cluster = await startCluster(t, mutualTlsCluster(certs));
    for (const m of cluster.members) {
      assert.match(m.clientUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(m.peerUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(m.args.includes('--client-cert-auth') && m.args.includes('--peer-client-cert-auth'), m.args.join(' '));
    }
    const ca = readFileSync(certs.caFile);
    const cert = readFileSync(certs.serverCertFile);
    const key = readFileSync(certs.serverKeyFile);
    // Members talk to each other over TLS: the peer listener refuses a caller without a certificate
    // and answers one with a certificate from the cluster CA.
    const peer = cluster.member(0).peerUrl;
    await assert.rejects(httpJson(`${peer}/members`, { tls: { ca } }));
    const peers = await httpJson(`${peer}/members`, { tls: { ca, cert, key } });
    assert.equal(peers.status, 200);
    assert.equal(Array.isArray(peers.body) ? peers.body.length : -1, 3);

    const client = etcdClient(t, cluster, {
      credentials: { rootCertificate: ca, certChain: readFileSync(certs.clientCertFile), privateKey: readFileSync(certs.clientKeyFile) },
    });
    await client.put('fault/tls').value('before');

    const leader = await cluster.waitForLeader();
    await cluster.kill(leader);
    const next = await cluster.waitForLeader({ notIndex: leader });
    assert.notEqual(next, leader);
    await eventually(async () => {
      await client.put('fault/tls').value('after');
      assert.equal(await client.get('fault/tls').string(), 'after');
    });

    await cluster.restart(leader);
    const rejoined = etcdClient(t, [cluster.member(leader).clientUrl], {
      credentials: { rootCertificate: ca, certChain: readFileSync(certs.clientCertFile), privateKey: readFileSync(certs.clientKeyFile) },
    });
    await eventually(async () => assert.equal(await rejoined.get('fault/tls').serializable(true).string(), 'after'));
  });
});
