/**
 * `rollcall endpoint health|status`: what `etcdctl endpoint health|status` tell, one line per
 * endpoint, each endpoint asked on its own connection with the --timeout deadline.
 *
 *   endpoint health   http://127.0.0.1:2379 is healthy: took 2 ms
 *   endpoint status   a table: endpoint, member id, version, db size, leader, raft term/index
 *
 * Exit 2 when any endpoint is unhealthy (or, for status, does not answer), after the lines of
 * the others.
 */
import type { Command } from 'commander';
import { EtcdUnavailableError } from '../../errors.js';
import { checkHealth, humanBytes, perEndpoint, readStatus, type EndpointStatus } from '../cluster-probe.js';
import { connectionOptions, withConnectionOptions } from '../cli-options.js';
import { printJson, printTable } from '../cli-output.js';

export function registerEndpointCommand(program: Command): void {
  const endpoint = program.command('endpoint').description('health and status of each etcd endpoint (like etcdctl)');

  const health = endpoint
    .command('health')
    .description('check each endpoint: a quorum read and no alarm (exit 2 if any is unhealthy)')
    .option('--json', 'print a JSON array of {endpoint, healthy, tookMs, error?}');
  withConnectionOptions(health).action(async (options: { json?: boolean }, command: Command) => {
    const results = await perEndpoint(connectionOptions(command), checkHealth);
    if (options.json === true) printJson(results);
    else for (const r of results) console.log(r.healthy ? `${r.endpoint} is healthy: took ${r.tookMs} ms` : `${r.endpoint} is unhealthy: ${r.error ?? 'unknown'}`);
    const bad = results.filter((r) => !r.healthy);
    if (bad.length > 0) {
      throw new EtcdUnavailableError(`${bad.length} of ${results.length} etcd endpoint(s) unhealthy: ${bad.map((r) => r.endpoint).join(', ')}`, {
        details: { endpoints: bad.map((r) => r.endpoint) },
      });
    }
  });

  const status = endpoint
    .command('status')
    .description('version, db size, leader, raft term and index of each endpoint (exit 2 if any does not answer)')
    .option('--json', 'print a JSON array of {endpoint, id, version, dbSize, isLeader, isLearner, raftTerm, raftIndex, raftAppliedIndex, errors}');
  withConnectionOptions(status).action(async (options: { json?: boolean }, command: Command) => {
    const results = await perEndpoint(connectionOptions(command), async (conn, url) => {
      try {
        return await readStatus(conn, url);
      } catch (error) {
        return { endpoint: url, error: error instanceof Error ? error.message : String(error) };
      }
    });
    const answered = results.filter((r): r is EndpointStatus => !('error' in r));
    const failed = results.filter((r): r is { endpoint: string; error: string } => 'error' in r);
    if (options.json === true) printJson(answered);
    else if (answered.length > 0) printTable(['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS'], answered.map(statusRow));
    if (failed.length > 0) {
      // Each failure already names its endpoint; one line says which did not answer and why.
      throw new EtcdUnavailableError(failed.map((f) => f.error).join('; '), { details: { endpoints: failed.map((r) => r.endpoint) } });
    }
  });
}

function statusRow(s: EndpointStatus): string[] {
  return [
    s.endpoint,
    s.id,
    s.version,
    humanBytes(s.dbSize),
    String(s.isLeader),
    String(s.isLearner),
    String(s.raftTerm),
    String(s.raftIndex),
    String(s.raftAppliedIndex),
    s.errors.length > 0 ? s.errors.join('; ') : '-',
  ];
}
