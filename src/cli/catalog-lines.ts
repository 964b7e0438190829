/**
 * How catalog changes read on a terminal and in JSON, shared by `rollcall watch` and the demo.
 *
 *   current   api/api-1 127.0.0.1:9001 up weight 3 zone eu-a
 *   added     api/api-2 127.0.0.1:9002 up weight 1 zone eu-b
 *   updated   api/api-1 127.0.0.1:9001 draining weight 3 zone eu-a (was up)
 *   removed   api/api-2 127.0.0.1:9002 up weight 1 zone eu-b reason expired
 *   recovered api/api-2 127.0.0.1:9002 up weight 1 zone eu-b after 1520 ms
 */
import type { Instance } from '../codec/index.js';
import type { CatalogChange } from '../discovery/index.js';
import { describeInstance, instanceJson } from './cli-output.js';

export type WatchLineEvent = CatalogChange['type'] | 'current';

function label(event: WatchLineEvent): string {
  return event.padEnd(9);
}

export function currentLine(instance: Instance): string {
  return `${label('current')} ${describeInstance(instance)}`;
}

export function changeLine(change: CatalogChange): string {
  switch (change.type) {
    case 'added':
      return `${label('added')} ${describeInstance(change.instance)}`;
    case 'updated': {
      const was = change.previous.status !== change.current.status ? ` (was ${change.previous.status})` : '';
      return `${label('updated')} ${describeInstance(change.current)}${was}`;
    }
    case 'removed':
      return `${label('removed')} ${describeInstance(change.instance)} reason ${change.reason}`;
    case 'recovered':
      return `${label('recovered')} ${describeInstance(change.current)} after ${change.lostForMs} ms`;
  }
}

export function currentJson(instance: Instance): Record<string, unknown> {
  return { event: 'current', ...instanceJson(instance) };
}

export function changeJson(change: CatalogChange): Record<string, unknown> {
  switch (change.type) {
    case 'added':
      return { event: 'added', revision: change.revision, ...instanceJson(change.instance) };
    case 'updated':
      return { event: 'updated', revision: change.revision, previousStatus: change.previous.status, ...instanceJson(change.current) };
    case 'removed':
      return { event: 'removed', revision: change.revision, reason: change.reason, ...instanceJson(change.instance) };
    case 'recovered':
      return { event: 'recovered', revision: change.revision, lostForMs: change.lostForMs, ...instanceJson(change.current) };
  }
}
