/**
 * An HTTP provider: a node:http server on a free port, registered as an instance of service
 * `hello`. On SIGINT/SIGTERM it drains (no new requests are routed to it), lets the requests in
 * flight finish, and deregisters.
 *
 *   npm run example:http-provider      (ROLLCALL_ENDPOINTS, EXAMPLE_ID, EXAMPLE_WEIGHT: see example-settings.ts)
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Registrar } from '../src/index.js'; // in your project: from 'rollcall'
import { say, settings, stopSignal } from './example-settings.js';

const stopping = stopSignal();
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: `Hello from ${settings.id}`, from: settings.id, path: req.url, host: req.headers.host }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

// ROLLCALL_ENDPOINTS names etcd; the lease (ttl 10 s by default) removes us if we crash.
const registrar = new Registrar();
registrar.on('warning', (error) => process.stderr.write(`warning: ${error.message}\n`));
const registration = await registrar.register({ service: 'hello', id: settings.id, address: `127.0.0.1:${port}`, weight: settings.weight });
say(`registered hello/${settings.id} at 127.0.0.1:${port}`);

const signal = await stopping;
await registration.drain(); // consumers stop picking us
server.closeIdleConnections();
await new Promise<void>((resolve) => server.close(() => resolve())); // requests in flight finish
await registrar.close(); // deletes our key and revokes the lease
say(`deregistered hello/${settings.id} (${signal})`);
