import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import { SafeEmitter } from '../../src/events/safe-emitter.js';
import { ListenerError } from '../../src/errors.js';

interface Events {
  warning: [error: Error];
  changed: [value: number];
}

class Thing extends SafeEmitter<Events> {
  constructor() {
    super('thing');
  }
  change(value: number): boolean {
    return this.emit('changed', value);
  }
}

test('a listener that throws, placed first, does not stop the later listeners nor the emitter', () => {
  const thing = new Thing();
  const seen: number[] = [];
  const warnings: Error[] = [];
  thing.on('changed', () => {
    throw new Error('boom');
  });
  thing.on('changed', (v) => seen.push(v));
  thing.on('warning', (e) => warnings.push(e));
  assert.equal(thing.change(7), true);
  assert.deepEqual(seen, [7]);
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0] instanceof ListenerError);
  assert.equal((warnings[0] as ListenerError).code, 'ERR_LISTENER');
  assert.deepEqual((warnings[0] as ListenerError).details, { event: 'changed' });
  assert.match(warnings[0]?.message ?? '', /a thing 'changed' listener threw: boom/);
});

test('a listener whose promise rejects becomes a warning, not an unhandled rejection', async () => {
  const thing = new Thing();
  thing.on('changed', async () => {
    throw new Error('async boom');
  });
  const warned = once(thing, 'warning');
  thing.change(1);
  const [error] = (await warned) as [ListenerError];
  assert.equal(error.code, 'ERR_LISTENER');
  assert.match(error.message, /async boom/);
});

test('once listeners run once; emit with no listener returns false and never throws, even for error', () => {
  const thing = new Thing();
  let count = 0;
  thing.once('changed', () => count++);
  thing.change(1);
  thing.change(2);
  assert.equal(count, 1);
  assert.equal(thing.change(3), false);
  assert.equal((thing as unknown as { emit(e: string, x: unknown): boolean }).emit('error', new Error('x')), false);
});

test('a thrown listener is published on rollcall:listener-error', () => {
  const thing = new Thing();
  const got: unknown[] = [];
  const onMessage = (message: unknown): void => void got.push(message);
  diagnostics.subscribe('rollcall:listener-error', onMessage);
  try {
    thing.on('changed', () => {
      throw new Error('x');
    });
    thing.on('warning', () => undefined);
    thing.change(1);
  } finally {
    diagnostics.unsubscribe('rollcall:listener-error', onMessage);
  }
  assert.equal(got.length, 1);
  assert.equal((got[0] as { source: string; event: string }).source, 'thing');
  assert.equal((got[0] as { source: string; event: string }).event, 'changed');
});
