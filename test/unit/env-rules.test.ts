// One rule for environment variables, whatever reads them (connection, Store, Registrar, Catalog;
// the CLI goes through the same resolvers, see test/e2e/cli-env.test.ts): unset, empty or
// whitespace means "not set" (the default applies); any other value must be valid, or an
// InvalidConfigError names the variable and the value. The names are exported constants.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import * as rollcall from '../../src/index.js';
import { resolveCatalogOptions } from '../../src/discovery/index.js';
import { resolveConnectionOptions } from '../../src/etcd/index.js';
import { resolveStoreOptions } from '../../src/store/index.js';

const { Catalog, DEFAULT_TIMEOUT_MS, ENV_ENDPOINTS, ENV_ETCDCTL_ENDPOINTS, ENV_STORE_NAMESPACE, ENV_STORE_SESSION_TTL, ENV_TIMEOUT_MS, InvalidConfigError, Registrar } = rollcall;

/** Sets process.env[name] for the test (Registrar and Catalog read process.env), restored after. */
function withProcessEnv(t: TestContext, name: string, value: string): void {
  const before = process.env[name];
  process.env[name] = value;
  t.after(() => {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  });
}

function namesVariable(name: string, value: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof InvalidConfigError, String(error));
    assert.match(error.message, new RegExp(`^${name} must be .*, got "${value}"$`));
    assert.deepEqual(error.details, { variable: name, value });
    return true;
  };
}

describe('environment variables: one rule everywhere', () => {
  it('the names are exported constants from the root', () => {
    assert.deepEqual([ENV_ENDPOINTS, ENV_ETCDCTL_ENDPOINTS, ENV_TIMEOUT_MS, ENV_STORE_NAMESPACE, ENV_STORE_SESSION_TTL], [
      'ROLLCALL_ENDPOINTS',
      'ETCDCTL_ENDPOINTS',
      'ROLLCALL_TIMEOUT_MS',
      'ROLLCALL_STORE_NAMESPACE',
      'ROLLCALL_STORE_SESSION_TTL',
    ]);
  });

  it(`${ENV_TIMEOUT_MS} empty or blank means the default, for the connection, the Store and the Catalog alike`, () => {
    for (const value of ['', '  ']) {
      const env = { [ENV_TIMEOUT_MS]: value };
      assert.equal(resolveConnectionOptions({}, env).timeoutMs, DEFAULT_TIMEOUT_MS);
      assert.equal(resolveStoreOptions({}, env).timeoutMs, DEFAULT_TIMEOUT_MS);
      assert.equal(resolveCatalogOptions({}, env).timeoutMs, DEFAULT_TIMEOUT_MS);
    }
  });

  it(`${ENV_TIMEOUT_MS} invalid is the same error, naming the variable, for the connection, the Store and the Catalog`, () => {
    for (const value of ['abc', '-5', '0', 'NaN']) {
      const env = { [ENV_TIMEOUT_MS]: value };
      assert.throws(() => resolveConnectionOptions({}, env), namesVariable(ENV_TIMEOUT_MS, value));
      assert.throws(() => resolveStoreOptions({}, env), namesVariable(ENV_TIMEOUT_MS, value));
      assert.throws(() => resolveCatalogOptions({}, env), namesVariable(ENV_TIMEOUT_MS, value));
    }
    // An explicit option wins, and the variable is not even read.
    assert.equal(resolveStoreOptions({ timeoutMs: 100 }, { [ENV_TIMEOUT_MS]: 'abc' }).timeoutMs, 100);
    assert.equal(resolveConnectionOptions({ timeoutMs: 100 }, { [ENV_TIMEOUT_MS]: 'abc' }).timeoutMs, 100);
  });

  it('Registrar and Catalog read the same rule from process.env', async (t) => {
    withProcessEnv(t, ENV_TIMEOUT_MS, 'soon');
    assert.throws(() => new Registrar({ endpoints: '127.0.0.1:1' }), namesVariable(ENV_TIMEOUT_MS, 'soon'));
    await assert.rejects(Catalog.open({ endpoints: '127.0.0.1:1' }), namesVariable(ENV_TIMEOUT_MS, 'soon'));
    process.env[ENV_TIMEOUT_MS] = '';
    const registrar = new Registrar({ endpoints: '127.0.0.1:1' }); // no etcd call until register()
    await registrar.close();
  });

  it('endpoint variables: empty falls through to the next source', () => {
    assert.deepEqual(resolveConnectionOptions({}, { [ENV_ENDPOINTS]: '', [ENV_ETCDCTL_ENDPOINTS]: 'c:3' }).endpoints, ['http://c:3']);
    assert.deepEqual(resolveConnectionOptions({}, { [ENV_ENDPOINTS]: ' ', [ENV_ETCDCTL_ENDPOINTS]: '' }).endpoints, ['http://127.0.0.1:2379']);
  });

  it('Store variables: empty means the default; an invalid TTL names the variable', () => {
    const blank = resolveStoreOptions({}, { [ENV_STORE_NAMESPACE]: '', [ENV_STORE_SESSION_TTL]: '' });
    assert.equal(blank.namespace, '');
    assert.equal(blank.sessionTtl, rollcall.DEFAULT_SESSION_TTL);
    for (const value of ['1.5', '0', 'x']) {
      assert.throws(() => resolveStoreOptions({}, { [ENV_STORE_SESSION_TTL]: value }), namesVariable(ENV_STORE_SESSION_TTL, value));
    }
    assert.equal(resolveStoreOptions({}, { [ENV_STORE_SESSION_TTL]: '9' }).sessionTtl, 9);
  });
});
