/**
 * A separate writer process, so the consumer being measured shares no event loop with it.
 * argv: endpoint prefix service count puts gen mode doneFile
 * mode "txn": all puts in transactions, as fast as possible; "single": one put at a time.
 * Writes `doneFile` (the last ack's machine time) when done, then exits.
 */
import { writeFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { instanceKey, instanceValue, putAll } from './etcd-support.js';
import { machineNow } from './stats.js';

const [endpoint, prefix, service, countText, putsText, genText, mode, doneFile] = process.argv.slice(2);
const count = Number(countText);
const puts = Number(putsText);
const gen = Number(genText);
const client = new Etcd3({ hosts: String(endpoint) });
const pairs: [string, string][] = [];
for (let p = 0; p < puts; p += 1) pairs.push([instanceKey(String(prefix), String(service), p % count), instanceValue(String(service), p % count, gen + Math.floor(p / count))]);
if (mode === 'single') {
  for (const [key, value] of pairs) await client.put(key).value(value).exec();
} else {
  await putAll(client, pairs);
}
writeFileSync(String(doneFile), String(machineNow()));
client.close();
