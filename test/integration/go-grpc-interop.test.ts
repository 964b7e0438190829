/**
 * gRPC both ways between Go and Node through etcd (issue: calls that reach instances, item 5):
 * - a Node client on rollcall's resolver calls Go gRPC servers that registered themselves with
 *   etcd's own endpoints.Manager, with Metadata null, a JSON object and a JSON string;
 * - a Go client with etcd's resolver and round_robin calls Node gRPC servers registered by the
 *   Registrar.
 * Both sides speak the standard gRPC health service, so no generated code is needed; servers are
 * told apart by the peer address of each call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { registerEtcdResolver, type GrpcDiscovery } from '../../src/grpc/index.js';
import { eventually, useEtcd, waitFor } from '../helpers/etcd.js';
import { goInteropProgram } from '../helpers/go-build.js';
import { runGo, startGo, type RunningGo } from '../helpers/go-interop.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';

const go = await goInteropProgram();

const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
/** HealthCheckResponse { status: SERVING }: field 1, varint 1. */
const SERVING = Buffer.from([0x08, 0x01]);
const raw = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };

/** One health check through `client`; resolves with the peer that answered. */
function check(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = client.makeUnaryRequest(HEALTH_CHECK, raw.serialize, raw.deserialize, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (error, response) => {
      if (error) reject(error);
      else if (!response?.equals(SERVING)) reject(new Error(`unexpected health answer ${response?.toString('hex')}`));
      else resolve(call.getPeer());
    });
  });
}

/** A Node gRPC server answering the health check SERVING; shut down when the suite ends. */
async function nodeHealthServer(): Promise<{ address: string; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(
    { Check: { path: HEALTH_CHECK, requestStream: false, responseStream: false, requestSerialize: raw.serialize, requestDeserialize: raw.deserialize, responseSerialize: raw.serialize, responseDeserialize: raw.deserialize } },
    { Check: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => callback(null, SERVING) },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, server };
}

describe('gRPC between Go and Node through etcd', { skip: go.skip ?? false }, () => {
  const etcd = useEtcd();
  assertNoUnhandledRejections();
  let discovery: GrpcDiscovery;
  before(() => {
    discovery = registerEtcdResolver({ endpoints: etcd.etcd.endpoints, lingerMs: 100 });
  });
  after(() => discovery.close());

  it('a Node client on rollcall:///… reaches Go servers registered by endpoints.Manager with Metadata null, object and string', async (t) => {
    const binary = go.binary as string;
    const servers: RunningGo[] = [];
    for (let i = 0; i < 3; i++) servers.push(startGo(t, binary, 'server', []));
    const addresses = await Promise.all(servers.map(async (s) => String((await s.waitForLine((l) => l.event === 'listening', 'Go server listening'))['addr'])));
    const metadata = ['null', '{"zone":"z1","weight":3}', '"built by grpc-proxy"'];
    const endpoints = etcd.etcd.endpoints.join(',');
    for (const [i, address] of addresses.entries()) {
      await runGo(binary, 'add', ['--endpoints', endpoints, '--target', 'gonode/greeter', '--key', `gonode/greeter/go-${i}`, '--addr', address, '--metadata', metadata[i] as string]);
    }
    const client = new grpc.Client('etcd:///gonode/greeter', grpc.credentials.createInsecure(), {
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    });
    t.after(() => client.close());
    await eventually(
      async () => {
        const peers = new Set<string>();
        for (let i = 0; i < 30; i++) peers.add(await check(client));
        assert.deepEqual([...peers].sort(), [...addresses].sort());
      },
      { timeoutMs: 15_000 },
    );
  });

  it('a Go client with etcd\'s resolver and round_robin reaches Node servers registered by the Registrar', async (t) => {
    const servers = await Promise.all([0, 1, 2].map(() => nodeHealthServer()));
    t.after(() => Promise.all(servers.map(({ server }) => new Promise<void>((resolve) => server.tryShutdown(() => resolve())))));
    const reg = registrar(t, etcd.etcd.endpoints, { prefix: 'nodego' });
    await Promise.all(servers.map(({ address }, i) => reg.register({ service: 'greeter', id: `node-${i}`, address, weight: i + 1, meta: { role: 'test' } })));
    const client = startGo(t, go.binary as string, 'client', ['--endpoints', etcd.etcd.endpoints.join(','), '--target', 'nodego/greeter', '--authority', 'greeter']);
    const want = servers.map((s) => s.address).sort();
    t.after(() => {
      if (!client.lines().some((l) => l.event === 'call')) t.diagnostic(`Go client output: ${JSON.stringify(client.lines().slice(-3))} ${client.stderr().slice(-500)}`);
    });
    await waitFor(
      () => {
        const peers = client.lines().flatMap((l) => (l.event === 'call' ? [String(l['peer'])] : [])).slice(-30);
        return peers.length === 30 && JSON.stringify([...new Set(peers)].sort()) === JSON.stringify(want) ? true : undefined;
      },
      { timeoutMs: 20_000, message: `the Go client's calls to reach ${want.join(', ')}` },
    );
    assert.doesNotMatch(client.stderr(), /panic/);
    assert.deepEqual(await client.stop('SIGTERM'), { code: 0, signal: null });
  });
});
