// rollcall/grpc with every grpc-js API shape in the declared peer range (>=1.10 <1.15): 1.10's
// balancer gets resolver attributes as its third argument, 1.13's gets them merged into the
// channel options, and both use the object resolver listener that 1.14 replaced with a function
// of StatusOr (1.14 itself is covered by grpc-resolver.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc14 from '@grpc/grpc-js';
import * as grpc13 from 'grpc-js-1-13';
import * as grpc10 from 'grpc-js-1-10';
import { registerEtcdResolver, type GrpcDiscovery } from '../../src/grpc/index.js';
import { eventually, useEtcd } from '../helpers/etcd.js';
import { countIds, startEchoServer, whoamiClient } from '../helpers/grpc-echo.js';
import { assertNoUnhandledRejections, registrar } from '../fixtures/registration-support.js';

const SHAPES = [
  { version: '1.10.11', grpc: grpc10 as unknown as typeof grpc14 },
  { version: '1.13.4', grpc: grpc13 as unknown as typeof grpc14 },
];

describe('rollcall/grpc across grpc-js versions', () => {
  const server = useEtcd();
  assertNoUnhandledRejections();
  const discoveries: GrpcDiscovery[] = [];
  before(() => {
    for (const shape of SHAPES) discoveries.push(registerEtcdResolver({ grpc: shape.grpc, endpoints: server.etcd.endpoints, lingerMs: 100 }));
  });
  after(() => Promise.all(discoveries.map((d) => d.close())));

  for (const { version, grpc } of SHAPES) {
    it(`grpc-js ${version}: round_robin and the weighted rollcall policy reach the registered instances; an unknown service is UNAVAILABLE`, async (t) => {
      const prefix = `v${version.replace(/\./g, '')}`;
      const servers = await Promise.all(['a', 'b', 'c'].map((id) => startEchoServer(t, id)));
      const reg = registrar(t, server.etcd.endpoints, { prefix });
      await Promise.all(servers.map((s, i) => reg.register({ service: 'greeter', id: s.id, address: s.address, weight: i === 0 ? 3 : 1 })));

      const rr = whoamiClient(t, `etcd:///${prefix}/greeter`, { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) }, grpc);
      await eventually(async () => assert.deepEqual(Object.keys(countIds(await rr.many(30))).sort(), ['a', 'b', 'c']), { timeoutMs: 10_000 });

      const weighted = whoamiClient(t, `etcd:///${prefix}/greeter`, { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ rollcall: { strategy: 'weighted' } }] }) }, grpc);
      await eventually(async () => assert.deepEqual(Object.keys(countIds(await weighted.many(10))).sort(), ['a', 'b', 'c']), { timeoutMs: 10_000 });
      const counts = countIds(await weighted.many(500));
      assert.ok(Math.abs((counts['a'] ?? 0) - 300) <= 30, `a got ${counts['a']} of 500 (weight 3 of 5)`);

      const nobody = whoamiClient(t, `etcd:///${prefix}/nobody`, {}, grpc);
      await assert.rejects(nobody.whoami({ deadlineMs: 3000 }), (error: { code: number; details: string }) => error.code === grpc.status.UNAVAILABLE && /"nobody"/.test(error.details));
    });
  }
});
