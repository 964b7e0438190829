/**
 * The two inputs of checkHistory(): etcd's revision history of a prefix, read with a watch from
 * revision 1 (start it before any compaction, or read it at the end of a test that never
 * compacts), and the changes a Catalog emitted, recorded from its events.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Etcd3, IKeyValue } from 'etcd3';
import { decodeInstance, KeyLayout } from '../../src/codec/index.js';
import type { Catalog, CatalogChange } from '../../src/discovery/index.js';
import { toWatchedKV } from '../../src/watch/index.js';
import { checkHistory, type EmittedChange, type HistoryEvent, type InstanceState } from './history-checker.js';
import { waitFor } from './etcd.js';

function stateOf(instance: { address: string; status: string; weight: number }): InstanceState {
  return { address: instance.address, status: instance.status, weight: instance.weight };
}

/** Records every change `catalog` emits from now on (open it with this attached via `onOpen`, or record from the start). */
export function recordCatalog(catalog: Catalog): EmittedChange[] {
  const layout = new KeyLayout(catalog.prefix);
  const changes: EmittedChange[] = [];
  const push = (change: CatalogChange): void => {
    const after = change.type === 'removed' ? undefined : change.type === 'added' ? change.instance : change.current;
    const id = change.type === 'added' || change.type === 'removed' ? change.instance.id : change.current.id;
    changes.push({
      type: change.type,
      key: layout.instanceKey(change.service, id),
      revision: change.revision,
      cause: change.cause,
      ...(change.type === 'removed' ? { reason: change.reason } : {}),
      ...(after === undefined ? {} : { instance: stateOf(after) }),
    });
  };
  catalog.on('added', push);
  catalog.on('updated', push);
  catalog.on('removed', push);
  catalog.on('recovered', push);
  return changes;
}

/** A watch from revision 1 over `prefix`: every put and delete under it since etcd started. */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly layout: KeyLayout;
  private readonly sentinels = new Set<string>();
  /** Why the watch ended early (e.g. its revision was compacted away), if it did. */
  private failure: Error | undefined;
  private cancel: (() => Promise<void>) | undefined;
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly client: Etcd3,
    prefix: string,
  ) {
    this.layout = new KeyLayout(prefix);
  }

  /** Starts watching from revision 1 (fails if etcd compacted past it); cancelled when `t` ends. */
  static async start(t: TestContext, client: Etcd3, prefix: string): Promise<HistoryRecorder> {
    const recorder = new HistoryRecorder(client, prefix);
    // The watch covers `<prefix>` as a plain string prefix so it also sees the sentinel keys,
    // which sit beside `<prefix>/` where no catalog looks.
    const watcher = await client.watch().prefix(recorder.layout.prefix).startRevision('1').create();
    recorder.cancel = () => watcher.cancel();
    t.after(() => recorder.stop());
    watcher.on('put', (kv) => recorder.add('put', kv));
    watcher.on('delete', (kv) => recorder.add('delete', kv));
    watcher.on('error', (error: Error) => {
      recorder.failure ??= error;
    });
    return recorder;
  }

  /** Writes a sentinel beside the prefix and waits until the watch has delivered everything up to it. */
  async complete(timeoutMs = 20_000): Promise<HistoryEvent[]> {
    const sentinel = `${this.layout.prefix}~history-${randomBytes(4).toString('hex')}`;
    if (this.failure !== undefined) throw new Error(`the history watch failed (compacted before it started?): ${this.failure.message}`);
    await this.client.put(sentinel).value('');
    // A probe that throws counts as "not yet": a failure after this point is named when it times out.
    await waitFor(
      () => {
        if (this.failure !== undefined) throw new Error(`the history watch failed (compacted before it started?): ${this.failure.message}`);
        return this.sentinels.has(sentinel);
      },
      { timeoutMs, message: `the history watch to reach ${sentinel}` },
    );
    return this.events;
  }

  /**
   * complete(), then stops watching: for a cluster about to be replaced by an empty one, where the
   * watch would otherwise resume on the new cluster and mix its history into this one's.
   */
  async finish(timeoutMs = 20_000): Promise<HistoryEvent[]> {
    const events = await this.complete(timeoutMs);
    await this.stop();
    return [...events];
  }

  /** Cancels the watch, once: a second cancel() of an etcd3 watcher asks again and waits for an answer etcd does not send. */
  stop(): Promise<void> {
    this.stopped ??= this.cancel?.() ?? Promise.resolve();
    return this.stopped;
  }

  private add(type: 'put' | 'delete', kv: IKeyValue): void {
    const key = kv.key.toString();
    if (!key.startsWith(this.layout.root)) {
      this.sentinels.add(key);
      return;
    }
    const revision = Number(kv.mod_revision);
    if (type === 'delete') {
      this.events.push({ revision, type, key });
      return;
    }
    const decoded = decodeInstance(this.layout, toWatchedKV(kv));
    this.events.push({ revision, type, key, ...(decoded.ok ? { instance: stateOf(decoded.instance) } : {}) });
  }
}

/** Reads the whole history of `prefix` now (from revision 1) and checks each record against it. */
export async function checkCatalogsAgainstHistory(
  t: TestContext,
  client: Etcd3,
  prefix: string,
  records: readonly (readonly EmittedChange[])[],
  recorder?: HistoryRecorder,
): Promise<string[]> {
  const history = await (recorder ?? (await HistoryRecorder.start(t, client, prefix))).complete();
  t.diagnostic(`history check: ${history.length} etcd events, ${records.map((r) => r.length).join(' + ')} catalog changes`);
  return records.flatMap((record, i) => checkHistory(history, record).map((p) => `catalog ${i}: ${p}`));
}
