/** Writing many instance records fast, and reading them the way a bare etcd3 consumer would. */
import { Etcd3, type IKeyValue } from 'etcd3';
import { encodeInstance } from '../src/codec/index.js';

/** Puts per transaction: under etcd's default --max-txn-ops (128). */
const PER_TXN = 100;

export function instanceKey(prefix: string, service: string, i: number): string {
  return `${prefix}/${service}/i-${String(i).padStart(7, '0')}`;
}

/** The value rollcall's registrar would write for instance `i` (generation `gen` varies the port). */
export function instanceValue(service: string, i: number, gen = 0): string {
  return encodeInstance({
    service,
    id: `i-${String(i).padStart(7, '0')}`,
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${8000 + (gen % 1000)}`,
    status: 'up',
    weight: 1 + (i % 4),
    zone: `zone-${i % 3}`,
    version: '1.4.2',
    tags: ['grpc'],
    meta: { build: 'abc123' },
    registeredAt: '2026-01-01T00:00:00.000Z',
  });
}

/** Writes `pairs` in transactions of PER_TXN puts, `concurrency` in flight; resolves after the last ack. */
export async function putAll(client: Etcd3, pairs: readonly (readonly [string, string])[], concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pairs.length) {
      const chunk = pairs.slice(next, next + PER_TXN);
      next += PER_TXN;
      await client.kv.txn({
        compare: [],
        success: chunk.map(([key, value]) => ({ request_put: { key: Buffer.from(key), value: Buffer.from(value) } })),
        failure: [],
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Every instance of a service, `gen` marking a rewrite. */
export function servicePairs(prefix: string, service: string, n: number, gen = 0): [string, string][] {
  return Array.from({ length: n }, (_, i) => [instanceKey(prefix, service, i), instanceValue(service, i, gen)] as [string, string]);
}

/** What a bare consumer keeps of a value: the envelope and rollcall's fields parsed. */
export function rawParse(value: Buffer): unknown {
  const body = JSON.parse(value.toString('utf8')) as { Addr: string; Metadata: unknown };
  return { addr: body.Addr, metadata: typeof body.Metadata === 'string' ? (JSON.parse(body.Metadata) as unknown) : body.Metadata };
}

/** A bare paged listing at one revision, like rollcall's, parsing each value. */
export async function rawList(client: Etcd3, prefix: string, pageSize: number, keep?: Map<string, unknown>): Promise<number> {
  const end = Buffer.from(`${prefix}0`); // '/' + 1
  let start = Buffer.from(`${prefix}/`);
  let revision: string | undefined;
  let count = 0;
  for (;;) {
    const page = await client.kv.range({ key: start, range_end: end, limit: pageSize, ...(revision ? { revision } : {}) });
    revision ??= page.header.revision;
    for (const kv of page.kvs) {
      const parsed = rawParse(kv.value);
      keep?.set(kv.key.toString('utf8'), parsed);
      count += 1;
    }
    const last: IKeyValue | undefined = page.kvs[page.kvs.length - 1];
    if (!page.more || !last) return count;
    start = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

/** Deletes everything under `prefix`. */
export async function wipe(client: Etcd3, prefix: string): Promise<void> {
  await client.delete().prefix(`${prefix}/`).exec();
}
