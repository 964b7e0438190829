// AsyncQueue, the one queue behind store.watch()/watchTree() and catalog.changes(): end() keeps
// what is buffered, stop()/abort/break drop it, fail() drops it and rejects once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncQueue } from '../../src/events/async-queue.js';

function queue(signal?: AbortSignal): { q: AsyncQueue<number>; ended: () => number } {
  let ended = 0;
  const q = new AsyncQueue<number>({
    signal,
    onEnd: () => {
      ended += 1;
    },
  });
  return { q, ended: () => ended };
}

describe('AsyncQueue (the store watch and catalog.changes() iterator)', () => {
  it('delivers pushed items in order, buffered or to a waiting reader', async () => {
    const { q } = queue();
    const waiting = q.next();
    q.push(1);
    q.push(2);
    q.push(3);
    assert.deepEqual(await waiting, { value: 1, done: false });
    assert.equal(q.size, 2);
    assert.deepEqual(await q.next(), { value: 2, done: false });
    assert.deepEqual(await q.next(), { value: 3, done: false });
  });

  it('end() delivers what is buffered, then done; later pushes are ignored', async () => {
    const { q, ended } = queue();
    q.push(1);
    q.end();
    q.push(2);
    const seen: number[] = [];
    for await (const item of q) seen.push(item);
    assert.deepEqual(seen, [1]);
    assert.equal(ended(), 1);
  });

  it('stop() drops what is buffered: done at once', async () => {
    const { q, ended } = queue();
    q.push(1);
    q.stop();
    assert.deepEqual(await q.next(), { value: undefined, done: true });
    assert.equal(ended(), 1);
  });

  it('fail() drops the buffer, rejects the next read once, then done', async () => {
    const { q, ended } = queue();
    q.push(1);
    q.fail(new Error('boom'));
    await assert.rejects(q.next(), /boom/);
    assert.deepEqual(await q.next(), { value: undefined, done: true });
    const { q: waitingQueue } = queue();
    const pending = waitingQueue.next();
    waitingQueue.fail(new Error('while waiting'));
    await assert.rejects(pending, /while waiting/);
    assert.equal(ended(), 1);
  });

  it('abort ends a pending read at once and drops the buffer', async () => {
    const controller = new AbortController();
    const { q, ended } = queue(controller.signal);
    const pending = q.next();
    controller.abort();
    assert.deepEqual(await pending, { value: undefined, done: true });
    q.push(5);
    assert.deepEqual(await q.next(), { value: undefined, done: true });
    assert.equal(ended(), 1);
  });

  it('an already aborted signal gives a closed queue (onEnd not run); break stops it', async () => {
    const { q: closed, ended: closedEnded } = queue(AbortSignal.abort());
    assert.equal(closed.closed, true);
    assert.equal(closedEnded(), 0);
    const { q, ended } = queue();
    q.push(1);
    q.push(2);
    for await (const item of q) {
      assert.equal(item, 1);
      break;
    }
    assert.equal(q.closed, true);
    assert.equal(q.size, 0);
    assert.equal(ended(), 1);
  });
});
