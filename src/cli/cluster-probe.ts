/**
 * What `rollcall endpoint health|status` ask each etcd endpoint, one connection per endpoint so
 * an answer is that member's own, each call under the connection's deadline. Endpoints are asked
 * concurrently; a dead one costs one deadline, not one per endpoint.
 */
import { EtcdPermissionDeniedError } from 'etcd3';
import { EtcdConnection, resolveConnectionOptions, type ConnectionOptions } from '../etcd/index.js';
import { RollcallError } from '../errors.js';

export interface EndpointHealth {
  readonly endpoint: string;
  readonly healthy: boolean;
  /** Time of the health read, ms. */
  readonly tookMs: number;
  /** Why it is unhealthy (a translated, one-sentence message). */
  readonly error?: string;
}

export interface EndpointStatus {
  readonly endpoint: string;
  /** Member id, hex as etcdctl prints it. */
  readonly id: string;
  readonly version: string;
  readonly dbSize: number;
  readonly isLeader: boolean;
  readonly isLearner: boolean;
  readonly raftTerm: number;
  readonly raftIndex: number;
  readonly raftAppliedIndex: number;
  readonly errors: readonly string[];
}

/** etcd's 64-bit ids (members, clusters) in etcdctl's hex. */
export function idHex(decimal: string): string {
  return BigInt(decimal).toString(16);
}

/** Runs `probe` against each endpoint of `options` on its own connection, concurrently. */
export async function perEndpoint<T>(options: ConnectionOptions, probe: (conn: EtcdConnection, endpoint: string) => Promise<T>): Promise<T[]> {
  // Resolved once: the environment is read and PEM files loaded once, not once per endpoint.
  const resolved = resolveConnectionOptions(options);
  return Promise.all(
    resolved.endpoints.map(async (endpoint) => {
      const conn = EtcdConnection.create({ ...options, endpoints: [endpoint] }, { ...resolved, endpoints: [endpoint] });
      try {
        return await probe(conn, endpoint);
      } finally {
        conn.close();
      }
    }),
  );
}

/**
 * etcdctl's health check: a linearizable read of the key "health" (it needs a quorum, so a
 * member cut off from its cluster is unhealthy; "permission denied" still proves the read went
 * through raft), then no raised alarm (NOSPACE, CORRUPT).
 */
export async function checkHealth(conn: EtcdConnection, endpoint: string): Promise<EndpointHealth> {
  const started = performance.now();
  const took = (): number => Math.round(performance.now() - started);
  try {
    await conn.call('health read', () => conn.client.kv.range({ key: Buffer.from('health') }));
  } catch (error) {
    if (!(error instanceof RollcallError && error.cause instanceof EtcdPermissionDeniedError)) {
      return { endpoint, healthy: false, tookMs: took(), error: error instanceof Error ? error.message : String(error) };
    }
  }
  const tookMs = took();
  try {
    const { alarms } = await conn.call('alarm list', () => conn.client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }));
    if (alarms.length > 0) {
      return { endpoint, healthy: false, tookMs, error: `alarm raised: ${alarms.map((a) => `${a.alarm} on member ${idHex(a.memberID)}`).join(', ')}` };
    }
  } catch (error) {
    return { endpoint, healthy: false, tookMs, error: error instanceof Error ? error.message : String(error) };
  }
  return { endpoint, healthy: true, tookMs };
}

export async function readStatus(conn: EtcdConnection, endpoint: string): Promise<EndpointStatus> {
  const s = await conn.call('status', () => conn.client.maintenance.status());
  return {
    endpoint,
    id: idHex(s.header.member_id),
    version: s.version,
    dbSize: Number(s.dbSize),
    isLeader: s.leader === s.header.member_id,
    isLearner: s.isLearner,
    raftTerm: Number(s.raftTerm),
    raftIndex: Number(s.raftIndex),
    raftAppliedIndex: Number(s.raftAppliedIndex),
    errors: s.errors,
  };
}

/** Bytes as etcdctl prints them (SI units): 20480 -> "20 kB". */
export function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
