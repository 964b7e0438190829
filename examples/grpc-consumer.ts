/**
 * A gRPC consumer: calls service `greeter` through the `rollcall:///greeter` target, which
 * rollcall/grpc resolves from etcd, balanced by the `rollcall` policy (weighted by the instances'
 * weights). Prints which instance answered each call; stops on SIGINT/SIGTERM or after
 * EXAMPLE_CALLS calls.
 *
 *   npm run example:grpc-consumer
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { registerEtcdResolver } from '../src/grpc/index.js'; // in your project: from 'rollcall/grpc'
import { SAY_HELLO, json, type HelloReply } from './grpc-greeter.js';
import { say, settings, stopSignal } from './example-settings.js';

const stop = new AbortController();
void stopSignal().then(() => stop.abort());

// One registration per process: the etcd:/// and rollcall:/// schemes and the rollcall policy.
const discovery = registerEtcdResolver();
const client = new grpc.Client('rollcall:///greeter', grpc.credentials.createInsecure(), {
  'grpc.service_config': JSON.stringify({
    loadBalancingConfig: [{ rollcall: { strategy: 'weighted' } }],
    // A call caught on an instance that just died is sent again to another one.
    methodConfig: [{ name: [{}], retryPolicy: { maxAttempts: 3, initialBackoff: '0.1s', maxBackoff: '1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] } }],
  }),
});

function sayHello(name: string): Promise<HelloReply> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest<{ name: string }, HelloReply>(SAY_HELLO, json.serialize, json.deserialize, { name }, { deadline: Date.now() + 5000 }, (error, reply) =>
      error || reply === undefined ? reject(error) : resolve(reply),
    ),
  );
}

for (let call = 1; call <= settings.calls && !stop.signal.aborted; call++) {
  try {
    const reply = await sayHello(`call ${call}`);
    say(`call ${call}: "${reply.message}" from ${reply.from}`);
  } catch (error) {
    say(`call ${call} failed: ${(error as Error).message}`);
  }
  await sleep(settings.intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
}
client.close();
await discovery.close();
say('consumer stopped');
