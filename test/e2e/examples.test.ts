// The examples/ programs, compiled to build/examples, against a real etcd: two providers register,
// the consumer's calls are answered by both, and SIGTERM makes a provider deregister and exit 0.
// Keeps the examples from rotting: they are the first code docs/grpc.md and docs/http.md show.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { etcdClient, useEtcd, waitFor } from '../helpers/etcd.js';
import { spawnNodeChild } from '../helpers/fixture-child.js';

interface Example {
  readonly pid: number;
  output(): string;
  waitForLine(pattern: RegExp): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startExample(t: TestContext, file: string, env: Record<string, string>): Example {
  const child = spawnNodeChild(t, fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)), env);
  return {
    pid: child.process.pid as number,
    output: child.stdout,
    waitForLine: (pattern) =>
      waitFor(() => child.stdout().split('\n').find((line) => pattern.test(line)), {
        timeoutMs: 15_000,
        message: `${file} prints ${pattern} (stdout: ${child.stdout()}; stderr: ${child.stderr()})`,
      }),
    exit: child.exit,
  };
}

describe('examples/ (built)', () => {
  const server = useEtcd();

  for (const [kind, service] of [['grpc', 'greeter'], ['http', 'hello']] as const) {
    it(`${kind}: two providers answer the consumer's calls; SIGTERM deregisters a provider and it exits 0`, async (t) => {
      const env = { ROLLCALL_ENDPOINTS: server.etcd.endpoints.join(',') };
      const ids = [`${kind}-p1`, `${kind}-p2`];
      const providers = ids.map((id) => startExample(t, `${kind}-provider.js`, { ...env, EXAMPLE_ID: id }));
      await Promise.all(providers.map((p, i) => p.waitForLine(new RegExp(`^registered ${service}/${ids[i]} at 127\\.0\\.0\\.1:\\d+$`))));

      const consumer = startExample(t, `${kind}-consumer.js`, { ...env, EXAMPLE_CALLS: '20', EXAMPLE_INTERVAL_MS: '10' });
      assert.deepEqual(await consumer.exit, { code: 0, signal: null }, consumer.output());
      const lines = consumer.output().trim().split('\n');
      assert.equal(lines.at(-1), 'consumer stopped');
      const answered = lines.slice(0, -1);
      assert.equal(answered.length, 20);
      assert.deepEqual(answered.filter((line) => / failed: /.test(line)), [], 'no call failed');
      for (const id of ids) assert.ok(answered.some((line) => line.endsWith(` from ${id}`)), `${id} answered some calls:\n${answered.join('\n')}`);

      const etcd = etcdClient(t, server.etcd);
      assert.notEqual(await etcd.get(`services/${service}/${ids[0]}`).string(), null);
      process.kill((providers[0] as Example).pid, 'SIGTERM');
      assert.deepEqual(await (providers[0] as Example).exit, { code: 0, signal: null });
      assert.match((providers[0] as Example).output(), new RegExp(`deregistered ${service}/${ids[0]} \\(SIGTERM\\)`));
      assert.equal(await etcd.get(`services/${service}/${ids[0]}`).string(), null, 'the key is gone at once, not after the lease');
      assert.notEqual(await etcd.get(`services/${service}/${ids[1]}`).string(), null, 'the other provider stays');
    });
  }
});
