/**
 * The etcd side of checkEpochs(): the history of a prefix across clusters that replace one another
 * on the same ports (scenario 5). Each cluster is an epoch with its own history from revision 1,
 * read by its own HistoryRecorder; before a cluster is replaced its history is read to the end
 * and its watch stopped (else the watch would resume on the new cluster), and each catalog's
 * record is marked there: what it emitted before belongs to the old cluster, after to the new.
 */
import type { TestContext } from 'node:test';
import type { Etcd3 } from 'etcd3';
import { checkEpochs, type EmittedChange, type Epoch, type HistoryEvent } from './history-checker.js';
import { HistoryRecorder } from './history-recorder.js';

interface EndedEpoch {
  readonly history: readonly HistoryEvent[];
  /** Per record, how many changes it held when the epoch ended. */
  readonly marks: readonly number[];
}

export class EpochHistory {
  private readonly ended: EndedEpoch[] = [];
  private recorder: HistoryRecorder | undefined;

  private constructor(
    private readonly prefix: string,
    private readonly records: readonly (readonly EmittedChange[])[],
  ) {}

  /** Starts the first epoch on `client`'s cluster; `records` are the catalogs' records (still growing). */
  static async start(t: TestContext, client: Etcd3, prefix: string, records: readonly (readonly EmittedChange[])[]): Promise<EpochHistory> {
    const epochs = new EpochHistory(prefix, records);
    epochs.recorder = await HistoryRecorder.start(t, client, prefix);
    return epochs;
  }

  /**
   * Ends the current epoch while its cluster still serves: reads its history to now and marks
   * each record. Cut the catalogs off first, so nothing they emit later can come from this cluster.
   * Returns the marks: per record, how many of its changes belong to the epochs ended so far.
   */
  async end(): Promise<readonly number[]> {
    if (this.recorder === undefined) throw new Error('no epoch to end: begin() the next one first');
    const history = await this.recorder.finish();
    this.recorder = undefined;
    const marks = this.records.map((r) => r.length);
    this.ended.push({ history, marks });
    return marks;
  }

  /** Begins the next epoch on the new cluster (its history from revision 1). */
  async begin(t: TestContext, client: Etcd3): Promise<void> {
    if (this.recorder !== undefined) throw new Error('the current epoch has not ended');
    this.recorder = await HistoryRecorder.start(t, client, this.prefix);
  }

  /** Each record split at the epoch boundaries, with each epoch's history. Reads the current epoch to now. */
  private async epochsOf(): Promise<Epoch[][]> {
    if (this.recorder === undefined) throw new Error('no current epoch: begin() one on the new cluster first');
    const histories = [...this.ended.map((e) => e.history), await this.recorder.complete()];
    return this.records.map((record, i) => {
      const bounds = [0, ...this.ended.map((e) => e.marks[i] as number), record.length];
      return histories.map((history, n) => ({ history, changes: record.slice(bounds[n], bounds[n + 1]) }));
    });
  }

  /** checkEpochs() of every record (problems prefixed `catalog i: `). */
  async check(t: TestContext): Promise<string[]> {
    const perRecord = await this.epochsOf();
    const first = perRecord[0] ?? [];
    t.diagnostic(
      `history check over ${first.length} epochs: ${first.map((e) => e.history.length).join(' + ')} etcd events, ` +
        `catalog changes per epoch ${perRecord.map((epochs) => epochs.map((e) => e.changes.length).join('+')).join(', ')}`,
    );
    return perRecord.flatMap((epochs, i) => checkEpochs(epochs).map((p) => `catalog ${i}: ${p}`));
  }
}
