/**
 * Turns a PickerFilter into one test, run once per instance per update (never per pick).
 * Status is not part of it: the picker checks `up` itself so it can tell "all draining"
 * apart from "all filtered" in its error message.
 */
import type { Instance } from '../codec/instance.js';
import { InvalidConfigError } from '../errors.js';
import type { PickerFilter } from './picker.js';

const ANY = (): boolean => true;

export function compileFilter(filter: PickerFilter | undefined): (instance: Instance) => boolean {
  if (filter === undefined) return ANY;
  if (filter === null || typeof filter !== 'object') {
    throw new InvalidConfigError(`picker filter must be an object, got ${typeof filter}`);
  }
  const tests: Array<(instance: Instance) => boolean> = [];

  const { tags, version, predicate } = filter;
  if (tags !== undefined) {
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
      throw new InvalidConfigError('picker filter.tags must be an array of strings', {
        details: { field: 'filter.tags' },
      });
    }
    if (tags.length > 0) {
      const required = [...tags];
      tests.push((instance) => required.every((tag) => instance.tags.includes(tag)));
    }
  }

  if (typeof version === 'string') {
    tests.push((instance) => instance.version === version);
  } else if (typeof version === 'function') {
    tests.push((instance) => version(instance.version) === true);
  } else if (version !== undefined) {
    throw new InvalidConfigError('picker filter.version must be a string or a function', {
      details: { field: 'filter.version' },
    });
  }

  if (typeof predicate === 'function') {
    tests.push((instance) => predicate(instance) === true);
  } else if (predicate !== undefined) {
    throw new InvalidConfigError('picker filter.predicate must be a function', {
      details: { field: 'filter.predicate' },
    });
  }

  if (tests.length === 0) return ANY;
  if (tests.length === 1) return tests[0] ?? ANY;
  return (instance) => tests.every((test) => test(instance));
}
