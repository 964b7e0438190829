/**
 * The gRPC service of the gRPC examples, defined without protobuf so the examples need no code
 * generation: `/example.Greeter/SayHello` carries JSON. A real service would use its .proto.
 */
import type * as grpc from '@grpc/grpc-js';

export interface HelloRequest {
  name: string;
}
export interface HelloReply {
  message: string;
  /** Which instance answered: what the examples print. */
  from: string;
}

/** JSON in, JSON out: the (de)serializers of requests and replies alike. */
export const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): never => JSON.parse(bytes.toString()) as never,
};

export const SAY_HELLO = '/example.Greeter/SayHello';

export const greeterService: grpc.ServiceDefinition = {
  SayHello: {
    path: SAY_HELLO,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};
