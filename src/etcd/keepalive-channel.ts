/**
 * One LeaseKeepAlive duplex stream, used one request at a time: `send()` writes a keepalive and
 * resolves with the TTL etcd answers (0 means etcd no longer knows the lease). The stream is
 * opened on first use on one endpoint (EndpointClients: the first listed, at first) and dropped
 * after any failure, and the next `send()` opens a new one on the NEXT endpoint: a member that
 * answered nothing within the deadline (paused, partitioned, or waiting for a leader) is not
 * asked again until the others failed too. A registrar holds one of these for its one lease,
 * however many keys that lease carries.
 *
 * The stream is ended (half-closed) before it is cancelled: etcd3 reports an error on a stream
 * that is still writable as a failed host and resets every gRPC client to it, which would also
 * break the Watch stream sharing that endpoint's client.
 */
import { castGrpcError, type IDuplexStream, type ILeaseKeepAliveRequest, type ILeaseKeepAliveResponse } from 'etcd3';
import type { EtcdConnection } from './etcd-connection.js';
import { EtcdUnavailableError } from '../errors.js';
import { leaseHex } from './lease-id.js';

type KeepAliveStream = IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;

interface Waiter {
  readonly leaseId: string;
  readonly resolve: (response: ILeaseKeepAliveResponse) => void;
  readonly reject: (error: unknown) => void;
}

export class KeepAliveChannel {
  private stream: KeepAliveStream | undefined;
  private waiter: Waiter | undefined;
  /** Index into the connection's EndpointClients of where the next stream opens. */
  private endpointIndex = 0;

  constructor(private readonly conn: EtcdConnection) {}

  /** The endpoint keepalives go to now (or "any endpoint" on a client passed in by the user). */
  get endpoint(): string {
    return this.conn.endpointClients.describe(this.endpointIndex);
  }

  /**
   * Sends one keepalive for `leaseId` and returns the TTL (seconds) etcd granted; 0 when the lease
   * is gone. Rejects with a RollcallError (EtcdUnavailableError after `timeoutMs`).
   */
  async send(leaseId: string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    let used: KeepAliveStream | undefined;
    try {
      const response = await this.conn.call(
        `keepalive lease ${leaseHex(leaseId)} via ${this.endpoint}`,
        async () => {
          const stream = await this.open();
          used = stream;
          return new Promise<ILeaseKeepAliveResponse>((resolve, reject) => {
            this.waiter?.reject(new EtcdUnavailableError('keepalive superseded by a newer one'));
            this.waiter = { leaseId, resolve, reject };
            stream.write({ ID: leaseId });
          });
        },
        signal,
        timeoutMs,
      );
      return Number(response.TTL);
    } catch (error) {
      // Only the stream this keepalive used is dropped (it may have dropped itself on an error),
      // never one a newer keepalive opened since; the next one opens on the next endpoint.
      if (used === undefined || this.stream === undefined || used === this.stream) {
        this.reset();
        this.endpointIndex = this.conn.endpointClients.next(this.endpointIndex);
      }
      throw error;
    } finally {
      if (this.waiter?.leaseId === leaseId) this.waiter = undefined;
    }
  }

  /** Drops the stream; the next send() opens a new one. */
  reset(): void {
    const stream = this.stream;
    this.stream = undefined;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new EtcdUnavailableError('keepalive stream closed'));
    if (stream) {
      stream.end();
      stream.cancel();
    }
  }

  private async open(): Promise<KeepAliveStream> {
    if (this.stream) return this.stream;
    const stream = await this.conn.endpointClients.client(this.endpointIndex).leaseClient.leaseKeepAlive();
    this.stream = stream;
    stream.on('data', (response) => {
      if (stream !== this.stream || !this.waiter) return;
      // A late answer to an earlier lease's keepalive is not an answer to this one.
      if (response.ID !== this.waiter.leaseId) return;
      this.waiter.resolve(response);
    });
    // An 'error' listener is always attached: a stream error must never become an uncaught exception.
    stream.on('error', (error) => {
      if (stream !== this.stream) return;
      this.stream = undefined;
      this.waiter?.reject(castGrpcError(error));
    });
    stream.on('end', () => {
      if (stream !== this.stream) return;
      this.stream = undefined;
      this.waiter?.reject(new EtcdUnavailableError('etcd ended the keepalive stream'));
    });
    return stream;
  }
}
