/**
 * Call options that ask etcd to end a watch stream when the member it runs on has no leader:
 * the gRPC metadata `hasleader: true`, which etcd's Go client sends for `WithRequireLeader`.
 *
 * Why: a member cut off from its peers (a minority partition, or the last one standing) still
 * answers its clients. Its watch streams stay open and answer progress requests, so a watch on it
 * looks alive while the majority moves on without it. With this metadata etcd refuses to open a
 * stream on a leaderless member, and cancels open ones ("no leader") once it has had no leader
 * for a few election timeouts; the stream breaks and the watch moves to the next endpoint.
 *
 * The metadata is added by a grpc-js call interceptor that delegates every other step unchanged.
 */
import type { CallOptions, Interceptor, InterceptorOptions } from '@grpc/grpc-js';

type NextCall = Parameters<Interceptor>[1];
/** What an interceptor returns: grpc-js's InterceptingCall class. */
type InterceptingCall = ReturnType<Interceptor>;
/** The methods grpc-js calls on it (its InterceptingCallInterface, not exported by name). */
type CallMethods = Pick<InterceptingCall, 'start' | 'cancelWithStatus' | 'getPeer' | 'sendMessageWithContext' | 'sendMessage' | 'startRead' | 'halfClose' | 'getAuthContext'>;

const REQUIRE_LEADER_KEY = 'hasleader';

const requireLeader: Interceptor = (options: InterceptorOptions, nextCall: NextCall): InterceptingCall => {
  const call = nextCall(options);
  const delegate: CallMethods = {
    start: (metadata, listener) => {
      metadata.set(REQUIRE_LEADER_KEY, 'true');
      call.start(metadata, listener);
    },
    cancelWithStatus: (status, details) => call.cancelWithStatus(status, details),
    getPeer: () => call.getPeer(),
    sendMessageWithContext: (context, message) => call.sendMessageWithContext(context, message),
    sendMessage: (message) => call.sendMessage(message),
    startRead: () => call.startRead(),
    halfClose: () => call.halfClose(),
    getAuthContext: () => call.getAuthContext(),
  };
  // grpc-js only calls these methods on what an interceptor returns (no instanceof check); its
  // InterceptingCall class is not imported here because rollcall's core does not depend on
  // grpc-js directly (etcd3 does, and may hold its own copy).
  return delegate as unknown as InterceptingCall;
};

export const REQUIRE_LEADER: CallOptions = { interceptors: [requireLeader] };
