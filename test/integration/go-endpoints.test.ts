/**
 * Go's etcd `endpoints.Manager` (clientv3/naming/endpoints, etcd 3.4 from Debian) and rollcall
 * side by side: Go lists and watches what the Registrar writes (Addr, and a Metadata string that
 * decodes to rollcall's fields), and Go writes values (Metadata null, an object, a JSON string,
 * a plain string) that the Catalog reads as instances.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, useEtcd } from '../helpers/etcd.js';
import { openCatalog } from '../helpers/catalog.js';
import { goInteropProgram } from '../helpers/go-build.js';
import { runGo, startGo, type GoLine } from '../helpers/go-interop.js';
import { registrar } from '../fixtures/registration-support.js';

const go = await goInteropProgram();

/** The Metadata Go decoded, which must be a string, parsed as rollcall's fields. */
function fieldsFromGo(line: GoLine | Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const metadata = line?.['metadata'];
  assert.equal(typeof metadata, 'string', `Go sees Metadata as a string: ${JSON.stringify(line)}`);
  return JSON.parse(metadata as string) as Record<string, unknown>;
}

describe('Go endpoints.Manager and rollcall read each other\'s values', { skip: go.skip ?? false }, () => {
  const server = useEtcd();

  it('Go lists and watches Registrar values: Addr, and Metadata a JSON string of rollcall\'s fields (add, update, deregister)', async (t) => {
    const binary = go.binary as string;
    const etcdArgs = ['--endpoints', server.etcd.clientUrl, '--target', 'gob/api'];
    const watcher = startGo(t, binary, 'watch', etcdArgs);
    await watcher.waitForLine((l) => l.event === 'watching', 'that it watches');

    const r = registrar(t, server.etcd.endpoints, { prefix: 'gob', ttl: 5 });
    const a1 = await r.register({ service: 'api', id: 'a1', address: '10.0.0.1:8080', weight: 3, zone: 'eu-a', version: '1.4.2', tags: ['grpc'], meta: { team: 'payments' } });
    const a2 = await r.register({ service: 'api', id: 'a2', address: '10.0.0.2:8080' });

    const [list] = await runGo(binary, 'list', etcdArgs);
    const listed = list?.['endpoints'] as Array<Record<string, unknown>>;
    assert.deepEqual(listed.map((e) => [e['key'], e['addr']]), [['gob/api/a1', '10.0.0.1:8080'], ['gob/api/a2', '10.0.0.2:8080']]);
    const a1Fields = fieldsFromGo(listed[0]);
    assert.equal(typeof a1Fields['registeredAt'], 'string');
    assert.deepEqual(
      { ...a1Fields, registeredAt: 'set' },
      { id: 'a1', service: 'api', status: 'up', weight: 3, zone: 'eu-a', version: '1.4.2', tags: ['grpc'], meta: { team: 'payments' }, registeredAt: 'set' },
    );
    assert.deepEqual(fieldsFromGo(listed[1])['meta'], {});

    const updates = (key: string): GoLine[] => watcher.lines().filter((l) => l.event === 'update' && l['key'] === key);
    await eventually(() => assert.equal(updates('gob/api/a2').length, 1));
    assert.deepEqual(fieldsFromGo(updates('gob/api/a1')[0]), a1Fields, 'the watch sees what List sees');

    await a1.update({ weight: 5 });
    await eventually(() => assert.equal(updates('gob/api/a1').length, 2));
    const updated = updates('gob/api/a1')[1];
    assert.equal(updated?.['op'], 'add');
    assert.equal(updated?.['addr'], '10.0.0.1:8080');
    assert.equal(fieldsFromGo(updated)['weight'], 5);

    // A clean deregistration: a put of status "leaving", then the delete.
    await a2.deregister();
    await eventually(() => assert.deepEqual(updates('gob/api/a2').map((l) => l['op']), ['add', 'add', 'delete']));
    assert.equal(fieldsFromGo(updates('gob/api/a2')[1])['status'], 'leaving');

    assert.deepEqual(await watcher.stop('SIGTERM'), { code: 0, signal: null });
    assert.doesNotMatch(watcher.stderr(), /unmarshal endpoint update failed|panic/);
  });

  it('the Catalog reads values Go\'s endpoints.Manager writes: Metadata null, an object, a JSON-object string, a plain string', async (t) => {
    const binary = go.binary as string;
    const catalog = await openCatalog(t, { endpoints: server.etcd.endpoints, prefix: 'goc', services: ['go'] });
    const add = (id: string, metadata: unknown): Promise<GoLine[]> =>
      runGo(binary, 'add', ['--endpoints', server.etcd.clientUrl, '--target', 'goc/go', '--key', `goc/go/${id}`, '--addr', `10.9.0.1:${id.length}0`, '--metadata', JSON.stringify(metadata)]);
    await add('null', null);
    await add('object', { region: 'us', weight: 2, zone: 'z1' });
    await add('string', JSON.stringify({ status: 'draining', weight: 3, zone: 'z9', tags: ['t'], meta: { team: 'go' } }));
    await add('blue', 'blue');

    await eventually(() => assert.equal(catalog.instances('go').length, 4));
    const byId = new Map(catalog.instances('go').map((i) => [i.id, i]));
    const view = (id: string): Record<string, unknown> => {
      const i = byId.get(id);
      assert.ok(i, id);
      return { address: i.address, status: i.status, weight: i.weight, zone: i.zone, tags: i.tags, meta: i.meta };
    };
    assert.deepEqual(view('null'), { address: '10.9.0.1:40', status: 'up', weight: 1, zone: undefined, tags: [], meta: {} });
    assert.deepEqual(view('object'), { address: '10.9.0.1:60', status: 'up', weight: 2, zone: 'z1', tags: [], meta: { region: 'us' } });
    assert.deepEqual(view('string'), { address: '10.9.0.1:60', status: 'draining', weight: 3, zone: 'z9', tags: ['t'], meta: { team: 'go' } });
    assert.deepEqual(view('blue'), { address: '10.9.0.1:40', status: 'up', weight: 1, zone: undefined, tags: [], meta: { value: 'blue' } });
  });
});
