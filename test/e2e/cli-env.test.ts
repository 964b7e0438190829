// The CLI reads environment variables by the library's one rule (test/unit/env-rules.test.ts):
// empty or blank = not set, so the default applies; an invalid value fails the command with one
// line naming the variable and its value, before any etcd call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useEtcd } from '../helpers/etcd.js';
import { cleanEnv, rollcall } from '../helpers/cli.js';

describe('rollcall and environment variables (built CLI)', () => {
  const server = useEtcd();

  it('ROLLCALL_TIMEOUT_MS empty works as unset; invalid names the variable; empty ROLLCALL_ENDPOINTS falls through to ETCDCTL_ENDPOINTS', async () => {
    const url = server.etcd.clientUrl;
    const blank = await rollcall(['services'], { env: { ...cleanEnv(), ROLLCALL_ENDPOINTS: url, ROLLCALL_TIMEOUT_MS: '' } });
    assert.equal(blank.code, 0, blank.stderr);
    const invalid = await rollcall(['services'], { env: { ...cleanEnv(), ROLLCALL_ENDPOINTS: url, ROLLCALL_TIMEOUT_MS: 'abc' } });
    // A configuration error is a usage error: exit 1, the message, then the command's usage line.
    assert.equal(invalid.code, 1);
    assert.equal(invalid.stdout, '');
    assert.equal(invalid.stderr.split('\n')[0], 'rollcall: ROLLCALL_TIMEOUT_MS must be a positive number of milliseconds, got "abc"');
    const fallThrough = await rollcall(['services'], { env: { ...cleanEnv(), ROLLCALL_ENDPOINTS: ' ', ETCDCTL_ENDPOINTS: url } });
    assert.equal(fallThrough.code, 0, fallThrough.stderr);
  });
});
