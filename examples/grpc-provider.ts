/**
 * A gRPC provider: serves the greeter on a free port and registers itself as an instance of
 * service `greeter` with the Registrar. On SIGINT/SIGTERM it drains (no new calls are routed to
 * it), finishes the calls in flight, and deregisters.
 *
 *   npm run example:grpc-provider      (ROLLCALL_ENDPOINTS, EXAMPLE_ID, EXAMPLE_WEIGHT: see example-settings.ts)
 */
import * as grpc from '@grpc/grpc-js';
import { Registrar } from '../src/index.js'; // in your project: from 'rollcall'
import { greeterService, type HelloReply, type HelloRequest } from './grpc-greeter.js';
import { say, settings, stopSignal } from './example-settings.js';

const stopping = stopSignal();
const server = new grpc.Server();
server.addService(greeterService, {
  SayHello: (call: grpc.ServerUnaryCall<HelloRequest, HelloReply>, callback: grpc.sendUnaryData<HelloReply>) =>
    callback(null, { message: `Hello, ${call.request.name}!`, from: settings.id }),
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
);

// ROLLCALL_ENDPOINTS names etcd; the lease (ttl 10 s by default) removes us if we crash.
const registrar = new Registrar();
registrar.on('warning', (error) => process.stderr.write(`warning: ${error.message}\n`));
const registration = await registrar.register({ service: 'greeter', id: settings.id, address: `127.0.0.1:${port}`, weight: settings.weight });
say(`registered greeter/${settings.id} at 127.0.0.1:${port}`);

const signal = await stopping;
await registration.drain(); // consumers stop picking us
await new Promise<void>((resolve) => server.tryShutdown(() => resolve())); // calls in flight finish
await registrar.close(); // deletes our key and revokes the lease
say(`deregistered greeter/${settings.id} (${signal})`);
