// findEtcd / findEtcdctl: ROLLCALL_ETCD_BIN first (etcdctl beside it), then PATH; a miss is an
// EtcdBinaryNotFoundError whose message says how to install etcd.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { EtcdBinaryNotFoundError } from '../../src/errors.js';
import { ETCD_BIN_ENV, findEtcd, findEtcdctl, searchPath } from '../../src/dev/etcd-binary.js';

const installHint = (error: unknown): boolean =>
  error instanceof EtcdBinaryNotFoundError &&
  error.code === 'ERR_ETCD_BINARY_NOT_FOUND' &&
  error.message.includes('apt-get install etcd-server etcd-client') &&
  error.message.includes('brew install etcd') &&
  error.message.includes(ETCD_BIN_ENV);

describe('etcd binary lookup', () => {
  // The real binaries (tests need etcd installed anyway): the lookups below must find these again.
  const etcd = findEtcd();
  const folder = dirname(etcd);

  it('finds etcd and etcdctl on PATH', () => {
    assert.equal(findEtcd({ PATH: `/nonexistent-rollcall:${folder}` }), join(folder, 'etcd'));
    assert.equal(findEtcdctl({ PATH: folder }), join(folder, 'etcdctl'));
  });

  it('ROLLCALL_ETCD_BIN wins over PATH, and etcdctl is looked up beside it', () => {
    const env = { [ETCD_BIN_ENV]: etcd, PATH: '' };
    assert.equal(findEtcd(env), etcd);
    assert.equal(findEtcdctl(env), join(folder, 'etcdctl'));
  });

  it('empty PATH and no ROLLCALL_ETCD_BIN -> EtcdBinaryNotFoundError with the install hint', () => {
    assert.throws(() => findEtcd({ PATH: '' }), installHint);
    assert.throws(() => findEtcdctl({}), installHint);
  });

  it('ROLLCALL_ETCD_BIN pointing at nothing -> error naming that path, no fallback to PATH', () => {
    const env = { [ETCD_BIN_ENV]: '/nonexistent-rollcall/etcd', PATH: folder };
    assert.throws(() => findEtcd(env), (error: unknown) => installHint(error) && String(error).includes('/nonexistent-rollcall/etcd'));
  });

  it('a folder named etcd is not an executable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-bin-test-'));
    try {
      mkdirSync(join(dir, 'etcd'));
      assert.equal(searchPath('etcd', dir), undefined);
      assert.equal(searchPath('etcd', `${dir}:${folder}`), join(folder, 'etcd'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
