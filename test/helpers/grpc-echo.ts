/**
 * A tiny gRPC service for the resolver tests, without protobuf: `/rollcall.test.Echo/WhoAmI`
 * carries JSON and answers with the server's id, so a test can count which instance took a call.
 * Servers listen on 127.0.0.1 free ports and are shut down when the test ends.
 */
import * as grpc from '@grpc/grpc-js';
import type { TestContext } from 'node:test';

const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString()),
};

export const WHOAMI_PATH = '/rollcall.test.Echo/WhoAmI';

export const echoService: grpc.ServiceDefinition = {
  WhoAmI: {
    path: WHOAMI_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

export interface EchoServer {
  readonly id: string;
  readonly port: number;
  readonly address: string;
  /** Calls answered so far. */
  readonly calls: () => number;
  /** Makes the next calls fail with `code` (undefined: answer normally again). */
  failWith(code: grpc.status | undefined): void;
  stop(): Promise<void>;
}

/** Starts an echo server answering `{ id }`; stopped when `t` ends. */
export async function startEchoServer(t: TestContext, id: string): Promise<EchoServer> {
  const server = new grpc.Server();
  let calls = 0;
  let failure: grpc.status | undefined;
  server.addService(echoService, {
    WhoAmI: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      calls += 1;
      if (failure !== undefined) callback({ code: failure, details: `${id} fails on purpose` });
      else callback(null, { id });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  let stopped = false;
  const stop = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    stopped = true;
    return new Promise((resolve) => server.tryShutdown(() => resolve()));
  };
  t.after(async () => {
    server.forceShutdown();
    await stop();
  });
  return { id, port, address: `127.0.0.1:${port}`, calls: () => calls, failWith: (code) => (failure = code), stop };
}

export interface WhoAmIClient {
  /** One call; resolves with the id of the server that answered. */
  whoami(options?: { metadata?: grpc.Metadata; deadlineMs?: number }): Promise<string>;
  /** `n` sequential calls; the ids in order. */
  many(n: number): Promise<string[]>;
  /** The channel's connectivity state, without making it connect. */
  state(): grpc.connectivityState;
  close(): void;
}

/** A client on `target` (closed when `t` ends), with an optional service config. */
export function whoamiClient(t: TestContext, target: string, options: grpc.ChannelOptions = {}, grpcModule: typeof grpc = grpc): WhoAmIClient {
  const client = new grpcModule.Client(target, grpcModule.credentials.createInsecure(), options);
  t.after(() => client.close());
  const whoami = (call: { metadata?: grpc.Metadata; deadlineMs?: number } = {}): Promise<string> =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        WHOAMI_PATH,
        json.serialize,
        (bytes: Buffer) => json.deserialize(bytes) as { id: string },
        {},
        call.metadata ?? new grpcModule.Metadata(),
        { deadline: Date.now() + (call.deadlineMs ?? 5000) },
        (error, response) => (error ? reject(error) : resolve((response as { id: string }).id)),
      );
    });
  return {
    whoami,
    async many(n) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push(await whoami());
      return ids;
    },
    state: () => client.getChannel().getConnectivityState(false),
    close: () => client.close(),
  };
}

/** How many of `ids` each id got. */
export function countIds(ids: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}
