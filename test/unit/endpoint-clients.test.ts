/**
 * EndpointClients: one client per endpoint, built on first use, round robin between them; a
 * connection around a client passed in has only that client. Building an etcd3 client opens no
 * connection, so no etcd is needed here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { EndpointClients } from '../../src/etcd/endpoint-clients.js';

const ENDPOINTS = ['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3'];

function pool(build = true): { clients: EndpointClients; shared: Etcd3; built: string[] } {
  const shared = new Etcd3({ hosts: ENDPOINTS });
  const built: string[] = [];
  const make = (endpoint: string): Etcd3 => {
    built.push(endpoint);
    return new Etcd3({ hosts: [endpoint] });
  };
  return { clients: new EndpointClients(ENDPOINTS, shared, build ? make : undefined), shared, built };
}

describe('EndpointClients', () => {
  it('builds one client per endpoint on first use and hands the same one out after', () => {
    const { clients, shared, built } = pool();
    assert.equal(clients.count, 3);
    assert.deepEqual(built, []);
    const second = clients.client(1);
    assert.notEqual(second, shared);
    assert.equal(clients.client(4), second, 'indexes wrap around');
    assert.notEqual(clients.client(2), second);
    assert.deepEqual(built, [ENDPOINTS[1], ENDPOINTS[2]]);
    assert.equal(clients.endpoint(2), ENDPOINTS[2]);
    assert.equal(clients.describe(0), ENDPOINTS[0]);
    clients.close();
    assert.equal(clients.client(1), shared, 'after close only the shared client is left');
    shared.close();
  });

  it('moves round robin from the endpoint that failed', () => {
    const { clients, shared } = pool();
    assert.deepEqual([0, 1, 2].map((i) => clients.next(i)), [1, 2, 0]);
    shared.close();
  });

  it('without a way to build clients, has one place to go: the shared client, on any endpoint', () => {
    const { clients, shared, built } = pool(false);
    assert.equal(clients.count, 1);
    assert.equal(clients.client(2), shared);
    assert.equal(clients.next(0), 0);
    assert.equal(clients.endpoint(0), undefined);
    assert.equal(clients.describe(0), 'any endpoint');
    assert.deepEqual(built, []);
    shared.close();
  });
});
