// waitUntil (and the test helpers waitFor / eventually built on it): resolves with the probe's
// first truthy value; times out with WaitTimeoutError naming the wait and the probe's last error;
// abandons a probe that never settles; an abort rejects with the signal's reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaitTimeoutError } from '../../src/errors.js';
import { waitUntil } from '../../src/dev/wait-until.js';
import { eventually, waitFor } from '../helpers/etcd.js';

describe('waitUntil', () => {
  it('resolves with the first truthy probe value, after falsy values and throws', async () => {
    let calls = 0;
    const value = await waitUntil(
      () => {
        calls++;
        if (calls === 1) throw new Error('not ready');
        return calls >= 3 ? { calls } : undefined;
      },
      { intervalMs: 1 },
    );
    assert.deepEqual(value, { calls: 3 });
  });

  it('times out with WaitTimeoutError carrying the message and the last probe error', async () => {
    await assert.rejects(
      waitUntil(() => Promise.reject(new Error('still broken')), { timeoutMs: 100, intervalMs: 10, message: 'the thing' }),
      (error: unknown) =>
        error instanceof WaitTimeoutError &&
        error.code === 'ERR_WAIT_TIMEOUT' &&
        error.message.includes('the thing') &&
        error.message.includes('still broken'),
    );
  });

  it('gives up on a probe that never settles', async () => {
    await assert.rejects(waitUntil(() => new Promise<boolean>(() => undefined), { timeoutMs: 100 }), WaitTimeoutError);
  });

  it('an aborted signal rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const waiting = waitUntil(() => false, { signal: controller.signal, timeoutMs: 60_000, intervalMs: 5 });
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
  });

  it('waitFor is waitUntil; eventually rethrows the last assertion error itself', async () => {
    assert.equal(await waitFor(() => 'ready'), 'ready');
    await assert.rejects(
      eventually(() => assert.equal(1, 2), { timeoutMs: 50, intervalMs: 5 }),
      (error: unknown) => error instanceof assert.AssertionError && error.actual === 1 && error.expected === 2,
    );
  });
});
