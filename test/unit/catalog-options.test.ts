import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCatalogOptions, DEFAULT_GRACE_PERIOD_MS } from '../../src/discovery/index.js';
import { InvalidConfigError, InvalidNameError } from '../../src/errors.js';

describe('Catalog options', () => {
  it('fills in defaults: whole prefix, 60 s grace, 64 KiB values, stale every timeoutMs', () => {
    const o = resolveCatalogOptions({}, {});
    assert.equal(o.layout.prefix, 'services');
    assert.equal(o.services, undefined);
    assert.equal(o.gracePeriodMs, DEFAULT_GRACE_PERIOD_MS);
    assert.equal(o.maxValueBytes, 65536);
    assert.equal(o.timeoutMs, 5000);
    assert.equal(o.staleIntervalMs, 5000);
    assert.equal(o.cacheFile, undefined);
    assert.equal(resolveCatalogOptions({}, { ROLLCALL_TIMEOUT_MS: '750' }).staleIntervalMs, 750);
  });

  it('sorts and dedupes services and normalises the prefix', () => {
    const o = resolveCatalogOptions({ prefix: '/prod/services/', services: ['web', 'api', 'web'] }, {});
    assert.equal(o.layout.prefix, 'prod/services');
    assert.deepEqual(o.services, ['api', 'web']);
  });

  it('rejects invalid service names with InvalidNameError and other bad values with InvalidConfigError', () => {
    assert.throws(() => resolveCatalogOptions({ services: ['api', 'a/b'] }, {}), InvalidNameError);
    assert.throws(() => resolveCatalogOptions({ services: [' '] }, {}), InvalidNameError);
    assert.throws(() => resolveCatalogOptions({ services: [] }, {}), InvalidConfigError);
    assert.throws(() => resolveCatalogOptions({ gracePeriodMs: -1 }, {}), InvalidConfigError);
    assert.throws(() => resolveCatalogOptions({ maxValueBytes: 0 }, {}), InvalidConfigError);
    assert.throws(() => resolveCatalogOptions({ cacheFile: '' }, {}), InvalidConfigError);
    assert.throws(() => resolveCatalogOptions({ watch: { livenessMs: Number.NaN } }, {}), InvalidConfigError);
    assert.throws(() => resolveCatalogOptions({ prefix: 'a//b' }, {}), InvalidNameError);
  });
});
