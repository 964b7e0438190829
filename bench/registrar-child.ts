/**
 * Instances that will crash: argv endpoint prefix count ttl. Registers `count` instances through
 * a Registrar (one lease) under <prefix>/crash-rollcall and `count` bare keys, each on its own
 * etcd3 lease, under <prefix>/crash-raw; sends {ready} and waits to be SIGKILLed.
 */
import { Etcd3 } from 'etcd3';
import { Registrar } from '../src/index.js';
import { instanceValue } from './etcd-support.js';

const [endpoint, prefix, countText, ttlText] = process.argv.slice(2);
const count = Number(countText);
const ttl = Number(ttlText);
const registrar = new Registrar({ endpoints: [String(endpoint)], prefix: String(prefix), ttl });
const client = new Etcd3({ hosts: String(endpoint) });
for (let i = 0; i < count; i += 1) {
  await registrar.register({ service: 'crash-rollcall', id: `c-${i}`, address: `10.0.0.${i % 250}:80` });
  const lease = client.lease(ttl);
  await lease.put(`${prefix}/crash-raw/c-${i}`).value(instanceValue('crash-raw', i));
}
process.send?.({ ready: true });
setInterval(() => undefined, 60_000);
