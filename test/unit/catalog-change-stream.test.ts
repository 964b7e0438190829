import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeStream } from '../../src/discovery/change-stream.js';

function stream(signal?: AbortSignal): { s: ChangeStream<number>; detached: () => number } {
  let detached = 0;
  const s = new ChangeStream<number>(() => {
    detached += 1;
  }, signal);
  return { s, detached: () => detached };
}

describe('ChangeStream (the catalog.changes() iterator)', () => {
  it('delivers pushed items in order, buffered or to a waiting reader', async () => {
    const { s } = stream();
    const waiting = s.next();
    s.push(1);
    s.push(2);
    s.push(3);
    assert.deepEqual(await waiting, { value: 1, done: false });
    assert.equal(s.buffered, 2);
    assert.deepEqual(await s.next(), { value: 2, done: false });
    assert.deepEqual(await s.next(), { value: 3, done: false });
  });

  it('end() delivers what is buffered, then done; later pushes are ignored', async () => {
    const { s, detached } = stream();
    s.push(1);
    s.end();
    s.push(2);
    const seen: number[] = [];
    for await (const item of s) seen.push(item);
    assert.deepEqual(seen, [1]);
    assert.equal(detached(), 1);
  });

  it('abort ends a pending read at once and drops the buffer', async () => {
    const controller = new AbortController();
    const { s, detached } = stream(controller.signal);
    const pending = s.next();
    controller.abort();
    assert.deepEqual(await pending, { value: undefined, done: true });
    s.push(5);
    assert.deepEqual(await s.next(), { value: undefined, done: true });
    assert.equal(detached(), 1);
  });

  it('an already aborted signal gives an ended stream; break detaches it', async () => {
    const { s: ended } = stream(AbortSignal.abort());
    assert.equal(ended.done, true);
    const { s, detached } = stream();
    s.push(1);
    s.push(2);
    for await (const item of s) {
      assert.equal(item, 1);
      break;
    }
    assert.equal(s.done, true);
    assert.equal(detached(), 1);
  });
});
