/**
 * The history checker must be able to fail: fed a faithful record it finds nothing, fed a record
 * doctored to invent, drop, reorder or mislabel a change it names the problem.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistory, type EmittedChange, type HistoryEvent } from '../helpers/history-checker.js';

const up = { address: '10.0.0.1:80', status: 'up', weight: 1 };
const moved = { address: '10.0.0.2:80', status: 'up', weight: 1 };
const leaving = { address: '10.0.0.1:80', status: 'leaving', weight: 1 };
const A = 'services/api/a';
const B = 'services/api/b';

/** a registers, b registers, a moves, a leaves cleanly (leaving then delete), b's lease expires. */
const history: HistoryEvent[] = [
  { revision: 2, type: 'put', key: A, instance: up },
  { revision: 3, type: 'put', key: B, instance: up },
  { revision: 4, type: 'put', key: A, instance: moved },
  { revision: 5, type: 'put', key: A, instance: leaving },
  { revision: 6, type: 'delete', key: A },
  { revision: 7, type: 'delete', key: B },
];

const faithful: EmittedChange[] = [
  { type: 'added', key: A, revision: 2, cause: 'watch', instance: up },
  { type: 'added', key: B, revision: 3, cause: 'watch', instance: up },
  { type: 'updated', key: A, revision: 4, cause: 'watch', instance: moved },
  { type: 'updated', key: A, revision: 5, cause: 'watch', instance: leaving },
  { type: 'removed', key: A, revision: 6, cause: 'watch', reason: 'deregistered' },
  { type: 'removed', key: B, revision: 7, cause: 'watch', reason: 'expired' },
];

function doctored(edit: (changes: EmittedChange[]) => void): EmittedChange[] {
  const copy = faithful.map((c) => ({ ...c }));
  edit(copy);
  return copy;
}

describe('history checker', () => {
  it('finds nothing wrong with a faithful record', () => {
    assert.deepEqual(checkHistory(history, faithful), []);
  });

  it('accepts a relist that skips intermediate events (a resync batch, each change at its key\'s revision)', () => {
    const resynced: EmittedChange[] = [
      { type: 'added', key: A, revision: 2, cause: 'watch', instance: up },
      { type: 'added', key: B, revision: 3, cause: 'resync', instance: up },
      { type: 'updated', key: A, revision: 5, cause: 'resync', instance: leaving },
      { type: 'removed', key: A, revision: 6, cause: 'watch', reason: 'deregistered' },
      { type: 'removed', key: B, revision: 7, cause: 'watch', reason: 'expired' },
    ];
    assert.deepEqual(checkHistory(history, resynced), []);
  });

  it('fails a resync batch that does not match etcd at the listing revision', () => {
    const resynced: EmittedChange[] = [
      { type: 'added', key: A, revision: 2, cause: 'watch', instance: up },
      { type: 'added', key: B, revision: 3, cause: 'resync', instance: up },
      { type: 'updated', key: A, revision: 5, cause: 'resync', instance: moved },
    ];
    const problems = checkHistory(history, resynced);
    assert.ok(problems.some((p) => p.includes('etcd at revision 5 has 10.0.0.1:80 leaving')), problems.join('\n'));
  });

  it('fails an invented removal', () => {
    const problems = checkHistory(history, doctored((c) => c.splice(2, 0, { type: 'removed', key: B, revision: 4, cause: 'watch', reason: 'expired' })));
    assert.ok(problems.some((p) => p.includes('invented')), problems.join('\n'));
  });

  it('fails an invented removal found by a relist while etcd still has the key', () => {
    const problems = checkHistory(history, doctored((c) => c.splice(2, 0, { type: 'removed', key: B, revision: 4, cause: 'resync', reason: 'expired' })));
    assert.ok(problems.some((p) => p.includes('invented, etcd still has')), problems.join('\n'));
  });

  it('fails a dropped event', () => {
    const problems = checkHistory(history, doctored((c) => c.splice(2, 1)));
    assert.ok(problems.some((p) => p.startsWith('missing before') && p.includes(A)), problems.join('\n'));
  });

  it('fails a dropped final removal', () => {
    const problems = checkHistory(history, doctored((c) => c.pop()));
    assert.ok(problems.some((p) => p.startsWith('at the end') && p.includes(B)), problems.join('\n'));
  });

  it('fails changes out of revision order', () => {
    const problems = checkHistory(history, doctored((c) => c.reverse()));
    assert.ok(problems.some((p) => p.includes('out of order')), problems.join('\n'));
  });

  it('fails a wrong removal reason either way', () => {
    const asExpired = checkHistory(history, doctored((c) => Object.assign(c[4] as EmittedChange, { reason: 'expired' })));
    assert.ok(asExpired.some((p) => p.includes('etcd\'s history says deregistered')), asExpired.join('\n'));
    const asDeregistered = checkHistory(history, doctored((c) => Object.assign(c[5] as EmittedChange, { reason: 'deregistered' })));
    assert.ok(asDeregistered.some((p) => p.includes('etcd\'s history says expired')), asDeregistered.join('\n'));
  });

  it('fails a change whose value etcd never held', () => {
    const problems = checkHistory(history, doctored((c) => Object.assign(c[2] as EmittedChange, { instance: { ...moved, weight: 9 } })));
    assert.ok(problems.some((p) => p.includes('w9')), problems.join('\n'));
  });
});
