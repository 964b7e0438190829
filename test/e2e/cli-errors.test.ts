// Exit codes and error lines of the built CLI: an unreachable etcd is exit 2 with one stderr line
// (for every command that talks to etcd, no stack trace; wall time is reported); usage errors are exit 1
// with the usage line; --help lists every command; endpoints come from ROLLCALL_ENDPOINTS, then
// ETCDCTL_ENDPOINTS; global options work before the command too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort } from '../../src/dev/index.js';
import { startEtcd, useEtcd } from '../helpers/etcd.js';
import { makeTestCertsFor } from '../helpers/certs.js';
import { cleanEnv, rollcall } from '../helpers/cli.js';

describe('rollcall exit codes and errors (built CLI)', () => {
  const server = useEtcd();

  it('unreachable etcd: exit 2, one line on stderr, nothing on stdout, for every etcd command', async (t) => {
    const dead = `127.0.0.1:${await freePort()}`;
    const commands = [
      ['services'],
      ['instances', 'api'],
      ['pick', 'api'],
      ['drain', 'api', 'x'],
      ['undrain', 'api', 'x'],
      ['instances'],
      ['watch'],
      ['register', 'api', 'h:1'],
      ['kv', 'get', 'k'],
      ['kv', 'put', 'k', 'v'],
      ['kv', 'del', 'k'],
      ['kv', 'watch', 'k'],
      ['lease', 'grant', '10'],
      ['lease', 'ttl', '694d7f1b2c3d4e5f'],
      ['lease', 'list'],
      ['member', 'list'],
      ['endpoint', 'status'],
      ['kv', 'get', '', '--prefix'],
      ['lock', 'l', '--', 'true'],
    ];
    // One at a time: the time bound is about each command, not about a machine starting 13 nodes at once.
    for (const args of commands) {
      {
        const result = await rollcall([...args, '--endpoints', dead, '--timeout', '1s']);
        const what = `rollcall ${args.join(' ')}: ${result.stderr}`;
        assert.equal(result.code, 2, what);
        assert.equal(result.stdout, '', what);
        const lines = result.stderr.trim().split('\n');
        assert.equal(lines.length, 1, what);
        assert.match(lines[0] ?? '', /^rollcall: .*(unreachable|could not list)/, what);
        assert.doesNotMatch(result.stderr, /\n\s+at /, what);
        // Wall time depends on the machine's load, so it is reported, not asserted (rollcall() bounds it).
        t.diagnostic(`rollcall ${args.join(' ')}: exit 2 after ${result.ms} ms`);
      }
    }
  });

  it('endpoints: ROLLCALL_ENDPOINTS, then ETCDCTL_ENDPOINTS; --endpoints before the command works too', async () => {
    const url = server.etcd.clientUrl;
    const dead = `127.0.0.1:${await freePort()}`;
    const viaRollcall = await rollcall(['services'], { env: { ...cleanEnv(), ROLLCALL_ENDPOINTS: url, ETCDCTL_ENDPOINTS: dead } });
    assert.equal(viaRollcall.code, 0, viaRollcall.stderr);
    const viaEtcdctl = await rollcall(['services'], { env: { ...cleanEnv(), ETCDCTL_ENDPOINTS: url } });
    assert.equal(viaEtcdctl.code, 0, viaEtcdctl.stderr);
    const before = await rollcall(['--endpoints', url, '--prefix', 'nowhere', 'instances', 'api', '--json']);
    assert.deepEqual([before.code, before.stdout.trim()], [0, '[]']);
    const overridden = await rollcall(['--endpoints', dead, 'services', '--endpoints', url]);
    assert.equal(overridden.code, 0, overridden.stderr);
  });

  it('TLS to a plain-text etcd: exit 2 and the same one EtcdTlsError line every time, no gRPC text, no Node warning', async (t) => {
    const certs = makeTestCertsFor(t);
    const host = server.etcd.clientUrl.replace('http://', '');
    const lines = new Set<string>();
    for (const args of [['services'], ['services'], ['kv', 'get', 'k'], ['kv', 'get', 'k'], ['watch'], ['kv', 'watch', 'k']]) {
      const result = await rollcall([...args, '--cacert', certs.caFile, '--endpoints', host, '--timeout', '2s']);
      const what = `rollcall ${args.join(' ')}: ${result.stderr}`;
      assert.equal(result.code, 2, what);
      const stderr = result.stderr.trim().split('\n');
      assert.equal(stderr.length, 1, what);
      assert.match(stderr[0] ?? '', /^rollcall: .*: TLS with etcd at https:\/\/127\.0\.0\.1:\d+ failed: the connection closed during the handshake; check that etcd serves https \(not plain http\) there$/, what);
      lines.add((stderr[0] ?? '').replace(/^rollcall: [^:]*: /, ''));
    }
    assert.equal(lines.size, 1, [...lines].join('\n'));
  });

  it('TLS to a TLS etcd by IP address: works, and Node prints no deprecation warning', async (t) => {
    const certs = makeTestCertsFor(t);
    const etcd = await startEtcd(t, { tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, trustedCaFile: certs.caFile } });
    // etcd given a trusted CA asks for a client certificate.
    const tls = ['--cacert', certs.caFile, '--cert', certs.clientCertFile, '--key', certs.clientKeyFile];
    const result = await rollcall(['kv', 'put', 'tls/k', 'v', ...tls, '--endpoints', etcd.clientUrl]);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'OK\n', '']);
  });

  it('ROLLCALL_TIMEOUT_MS=abc: exit 1 naming the variable and its value', async () => {
    const result = await rollcall(['services', '--endpoints', server.etcd.clientUrl], { env: { ...cleanEnv(), ROLLCALL_TIMEOUT_MS: 'abc' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^rollcall: ROLLCALL_TIMEOUT_MS must be a positive number of milliseconds, got "abc"\n/);
  });

  it('usage errors: exit 1, a message and the usage line on stderr, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['drain', 'api'], /Usage: rollcall drain \[options\] <service> <id>/],
      [['kv', 'get', ''], /Usage: rollcall kv get/],
      [['instances', '--status', 'sleeping'], /Usage: rollcall instances/],
      [['kv', 'get', 'k', '--keys-only', '--print-value-only'], /Usage: rollcall kv get/],
      [['pick', 'api', '--count', 'many'], /Usage: rollcall pick/],
      [['instances', 'api', '--timeout', 'soon'], /Usage: rollcall instances/],
      [['instances', 'bad name'], /Usage: rollcall instances/],
      [['lease', 'revoke', 'xyz'], /Usage: rollcall lease revoke/],
      [['kv', 'put', 'k', 'v', '--ttl', '5', '--lease', '10'], /Usage: rollcall kv put/],
      [['services', '--user', 'nobody'], /Usage: rollcall services/],
      [['no-such-command'], /^Usage: rollcall \[options\] \[command\]\nCommands: register, .*endpoint, member/m],
      [['kv', 'get', 'k', '--bogus-flag'], /Usage: rollcall kv get/],
    ];
    for (const [args, usage] of cases) {
      const result = await rollcall(args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, usage, args.join(' '));
      // The message line, commander's own errors included, says who is talking.
      assert.match(result.stderr, /^rollcall: \S/, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
    }
  });

  it('--help lists every command; a command\'s --help shows its options and the connection options', async () => {
    const help = await rollcall(['--help']);
    assert.equal(help.code, 0);
    for (const name of ['register', 'services', 'instances', 'watch', 'pick', 'drain', 'undrain', 'kv', 'lease', 'lock', 'demo', 'etcd', 'endpoint', 'member']) {
      assert.match(help.stdout, new RegExp(`^\\s+${name}\\b`, 'm'), name);
    }
    const pick = await rollcall(['pick', '--help']);
    assert.equal(pick.code, 0);
    for (const flag of ['--strategy', '--key <key>', '--count', '--endpoints', '--cacert', '--user', '--timeout', '--prefix']) {
      assert.ok(pick.stdout.includes(flag), flag);
    }
  });
});
