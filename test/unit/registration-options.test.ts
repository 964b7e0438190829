/**
 * Pure parts of src/registration: option defaults and checks, the default instance id, the
 * bounded health check, bounded concurrency and the cancellable waits. No etcd.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { HealthCheckError, InvalidConfigError } from '../../src/errors.js';
import { nameProblem } from '../../src/codec/index.js';
import {
  checkInstanceFields,
  defaultInstanceId,
  resolveRegisterOptions,
  resolveRegistrarOptions,
} from '../../src/registration/registrar-options.js';
import { runHealthCheck } from '../../src/registration/health-monitor.js';
import { forEachLimit } from '../../src/registration/reregister-round.js';
import { abortable, waitForState } from '../../src/registration/lease-wait.js';
import { LeaseState } from '../../src/registration/lease-state.js';

describe('registrar options', () => {
  it('defaults: prefix services, ttl 10 s, no signal handling, drainMs 0', () => {
    assert.deepEqual(resolveRegistrarOptions({}), { prefix: 'services', ttl: 10, handleSignals: false, drainMs: 0 });
  });

  it('rejects a ttl that is not a whole number of seconds ≥ 1 and a negative drainMs', () => {
    for (const ttl of [0, -1, 1.5, Number.NaN]) assert.throws(() => resolveRegistrarOptions({ ttl }), InvalidConfigError, String(ttl));
    assert.throws(() => resolveRegistrarOptions({ drainMs: -1 }), InvalidConfigError);
    assert.equal(resolveRegistrarOptions({ ttl: 3, drainMs: 250 }).drainMs, 250);
  });
});

describe('register options', () => {
  it('fills id (default), replace false, health interval 5 s', () => {
    const o = resolveRegisterOptions({ service: 'api', address: 'h:1' });
    assert.equal(o.replace, false);
    assert.equal(o.healthIntervalMs, 5000);
    assert.equal(nameProblem(o.id), undefined);
    assert.notEqual(resolveRegisterOptions({ service: 'api', address: 'h:1' }).id, o.id, 'ids are random');
    assert.equal(resolveRegisterOptions({ service: 'api', address: 'h:1', id: 'mine' }).id, 'mine');
  });

  it('rejects bad addresses, weights, tags, meta and health settings with InvalidConfigError', () => {
    const bad: Array<Record<string, unknown>> = [
      { address: '' },
      { address: 'a b:1' },
      { address: 'x'.repeat(300) },
      { weight: 0 },
      { weight: 2.5 },
      { tags: 'a' },
      { meta: [] },
      { meta: null },
      { zone: 3 },
      { healthCheck: 'yes' },
      { healthCheck: async () => true, healthIntervalMs: 0 },
    ];
    for (const patch of bad) {
      assert.throws(() => resolveRegisterOptions({ service: 'api', address: 'h:1', ...patch } as never), InvalidConfigError, JSON.stringify(patch));
    }
  });

  it('checkInstanceFields accepts a valid partial update', () => {
    assert.doesNotThrow(() => checkInstanceFields({ weight: 7, tags: [], meta: { a: [1, { b: null }] } }, 'update'));
  });

  it('defaultInstanceId is <host>-<pid>-<8 hex> and a valid key segment', () => {
    const id = defaultInstanceId();
    assert.match(id, new RegExp(`-${process.pid}-[0-9a-f]{8}$`));
    assert.equal(nameProblem(id), undefined);
  });
});

describe('runHealthCheck', () => {
  it('true is healthy; false, a throw or no answer in time are failing with HealthCheckError', async () => {
    assert.deepEqual(await runHealthCheck(async () => true, 1000, 'x'), { healthy: true });
    const no = await runHealthCheck(async () => false, 1000, 'x');
    assert.equal(no.healthy, false);
    assert.ok(no.error instanceof HealthCheckError);
    const threw = await runHealthCheck(() => Promise.reject(new Error('boom')), 1000, 'x');
    assert.equal(threw.healthy, false);
    assert.match(threw.error?.message ?? '', /boom/);
    const hung = await runHealthCheck(() => new Promise<boolean>(() => undefined), 20, 'x');
    assert.equal(hung.healthy, false);
    assert.equal(hung.error?.code, 'ERR_HEALTH_CHECK');
    assert.match(hung.error?.message ?? '', /did not answer within 20 ms/);
  });
});

describe('forEachLimit', () => {
  it('visits every item once with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimit(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(i);
        inFlight -= 1;
      },
    );
    assert.equal(peak, 4);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('lease waits', () => {
  it('abortable rejects with signal.reason at once, and passes the value through otherwise', async () => {
    const controller = new AbortController();
    const never = new Promise<string>(() => undefined);
    const waiting = abortable(never, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.equal(await abortable(Promise.resolve('v'), new AbortController().signal), 'v');
  });

  it('waitForState resolves on an accepted state, rejects on a refused one or on timeout', async () => {
    const emitter = new EventEmitter<{ stateChange: [info: { to: LeaseState }] }>();
    const options = {
      accept: (to: LeaseState) => (to === LeaseState.Alive ? 'lease-1' : undefined),
      refuse: (to: LeaseState) => (to === LeaseState.Closing ? new Error('closed') : undefined),
      timeoutMs: 1000,
      timeoutError: () => new Error('timeout'),
    };
    const ok = waitForState(emitter, options);
    emitter.emit('stateChange', { to: LeaseState.Unreachable });
    emitter.emit('stateChange', { to: LeaseState.Alive });
    assert.equal(await ok, 'lease-1');
    const refused = waitForState(emitter, options);
    emitter.emit('stateChange', { to: LeaseState.Closing });
    await assert.rejects(refused, /closed/);
    await assert.rejects(waitForState(emitter, { ...options, timeoutMs: 10 }), /timeout/);
    assert.equal(emitter.listenerCount('stateChange'), 0, 'listeners removed');
  });
});
