/**
 * The history check across a cluster replaced by an empty one (scenario 5): each cluster's history
 * restarts at revision 1, the catalog's relist bridges the two by difference, and the checker must
 * fail a record doctored to clear-and-refill, invent, go back in revision inside a cluster's
 * history, or take an old cluster's event for the new one's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEpochs, type EmittedChange, type Epoch, type HistoryEvent } from '../helpers/history-checker.js';

const up = { address: '10.0.0.1:80', status: 'up', weight: 1 };
const moved = { address: '10.0.0.2:80', status: 'up', weight: 1 };
const heavy = { address: '10.0.0.3:80', status: 'up', weight: 2 };
const heavyLeaving = { ...heavy, status: 'leaving' };
const draining = { address: '10.0.0.4:80', status: 'draining', weight: 1 };
const A = 'services/api/a';
const B = 'services/api/b';
const C = 'services/api/c';
const D = 'services/api/d';

/** The old cluster: a, b, c register; a moves, b gets weight 2, c drains. */
const oldHistory: HistoryEvent[] = [
  { revision: 2, type: 'put', key: A, instance: up },
  { revision: 3, type: 'put', key: B, instance: up },
  { revision: 4, type: 'put', key: C, instance: up },
  { revision: 5, type: 'put', key: A, instance: moved },
  { revision: 6, type: 'put', key: B, instance: heavy },
  { revision: 7, type: 'put', key: C, instance: draining },
];
const oldChanges: EmittedChange[] = [
  { type: 'added', key: A, revision: 2, cause: 'watch', instance: up },
  { type: 'added', key: B, revision: 3, cause: 'watch', instance: up },
  { type: 'added', key: C, revision: 4, cause: 'watch', instance: up },
  { type: 'updated', key: A, revision: 5, cause: 'watch', instance: moved },
  { type: 'updated', key: B, revision: 6, cause: 'watch', instance: heavy },
  { type: 'updated', key: C, revision: 7, cause: 'watch', instance: draining },
];

/** The new cluster, from revision 1 again: a and b re-registered, d new, c gone; then b leaves cleanly. */
const newHistory: HistoryEvent[] = [
  { revision: 2, type: 'put', key: A, instance: moved },
  { revision: 3, type: 'put', key: B, instance: heavy },
  { revision: 4, type: 'put', key: D, instance: up },
  { revision: 5, type: 'put', key: B, instance: heavyLeaving },
  { revision: 6, type: 'delete', key: B },
];
/** The relist at revision 4 (below the old cluster's 7): the difference, then the watch. */
const relist: EmittedChange[] = [
  { type: 'updated', key: A, revision: 2, cause: 'resync', instance: moved },
  { type: 'updated', key: B, revision: 3, cause: 'resync', instance: heavy },
  { type: 'added', key: D, revision: 4, cause: 'resync', instance: up },
  { type: 'removed', key: C, revision: 4, cause: 'resync', reason: 'expired' },
];
const watched: EmittedChange[] = [
  { type: 'updated', key: B, revision: 5, cause: 'watch', instance: heavyLeaving },
  { type: 'removed', key: B, revision: 6, cause: 'watch', reason: 'deregistered' },
];

function twoEpochs(oldPart: readonly EmittedChange[], newPart: readonly EmittedChange[], newEvents: readonly HistoryEvent[] = newHistory): Epoch[] {
  return [
    { history: oldHistory, changes: oldPart },
    { history: newEvents, changes: newPart },
  ];
}

function failsWith(epochs: Epoch[], ...needles: string[]): void {
  const problems = checkEpochs(epochs);
  assert.ok(
    problems.some((p) => needles.every((n) => p.includes(n))),
    `expected a problem with ${needles.map((n) => JSON.stringify(n)).join(' and ')}, got:\n${problems.join('\n')}`,
  );
}

describe('history checker across a replaced cluster (epochs)', () => {
  it('accepts a faithful record: old history, a relist by difference with revisions going down once, then the new history', () => {
    assert.deepEqual(checkEpochs(twoEpochs(oldChanges, [...relist, ...watched])), []);
  });

  it('accepts a new cluster whose revision passed the old one (revisions may go down at the boundary, they need not)', () => {
    const shift = (r: number): number => r + 10;
    const later = newHistory.map((e) => ({ ...e, revision: shift(e.revision) }));
    const changes = [...relist, ...watched].map((c) => ({ ...c, revision: shift(c.revision) }));
    assert.deepEqual(checkEpochs(twoEpochs(oldChanges, changes, later)), []);
  });

  it('accepts a relist that met the new cluster still empty: everything expired, then added back by the watch', () => {
    const early: EmittedChange[] = [
      { type: 'removed', key: A, revision: 1, cause: 'resync', reason: 'expired' },
      { type: 'removed', key: B, revision: 1, cause: 'resync', reason: 'expired' },
      { type: 'removed', key: C, revision: 1, cause: 'resync', reason: 'expired' },
      { type: 'added', key: A, revision: 2, cause: 'watch', instance: moved },
      { type: 'added', key: B, revision: 3, cause: 'watch', instance: heavy },
      { type: 'added', key: D, revision: 4, cause: 'watch', instance: up },
    ];
    assert.deepEqual(checkEpochs(twoEpochs(oldChanges, [...early, ...watched])), []);
  });

  it('fails a clear-and-refill: every old instance removed, then everything added again', () => {
    const refill: EmittedChange[] = [
      { type: 'removed', key: A, revision: 4, cause: 'resync', reason: 'expired' },
      { type: 'removed', key: B, revision: 4, cause: 'resync', reason: 'expired' },
      { type: 'removed', key: C, revision: 4, cause: 'resync', reason: 'expired' },
      { type: 'added', key: A, revision: 2, cause: 'resync', instance: moved },
      { type: 'added', key: B, revision: 3, cause: 'resync', instance: heavy },
      { type: 'added', key: D, revision: 4, cause: 'resync', instance: up },
    ];
    failsWith(twoEpochs(oldChanges, [...refill, ...watched]), 'epoch 2:', A, 'clear-and-refill');
  });

  it('fails an event invented after the wipe', () => {
    const invented: EmittedChange = { type: 'updated', key: D, revision: 5, cause: 'watch', instance: moved };
    failsWith(twoEpochs(oldChanges, [...relist, invented, ...watched]), 'epoch 2:', D, 'invented');
  });

  it('fails a revision going backwards within an epoch, new or old', () => {
    failsWith(twoEpochs(oldChanges, [...relist, ...[...watched].reverse()]), 'epoch 2:', 'out of order');
    failsWith(twoEpochs([...oldChanges].reverse(), [...relist, ...watched]), 'epoch 1:', 'out of order');
  });

  it('fails a change after the wipe that only the old cluster explains', () => {
    // a moved at revision 5 in the old cluster; in the new one revision 5 is b's `leaving`.
    const stale: EmittedChange = { type: 'updated', key: A, revision: 5, cause: 'watch', instance: moved };
    const problems = checkEpochs(twoEpochs(oldChanges, [...relist, stale, ...watched.slice(1)]));
    assert.ok(problems.some((p) => p.startsWith('epoch 2:') && p.includes(A) && p.includes('invented')), problems.join('\n'));
    assert.ok(!problems.some((p) => p.startsWith('epoch 1:')), problems.join('\n'));
  });

  it('fails a relist after the wipe that keeps an instance the new cluster does not have', () => {
    const kept = relist.filter((c) => c.key !== C);
    failsWith(twoEpochs(oldChanges, [...kept, ...watched]), 'epoch 2:', 'missing before', C);
  });

  it('fails a first change from the new cluster that is not a relist', () => {
    const asInitial = relist.map((c) => ({ ...c, cause: 'initial' as const }));
    failsWith(twoEpochs(oldChanges, [...asInitial, ...watched]), 'epoch 2:', 'neither a relist');
  });
});
