// Type tests of the integration entry points: rollcall/grpc, rollcall/http, rollcall/metrics and
// rollcall/dashboard keep the shapes their docs show.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { Agent, type Dispatcher } from 'undici';
import { registerEtcdResolver, registerRollcallBalancer, GrpcDiscovery, BALANCER_NAME, type RollcallBalancerSettings } from '../../src/grpc/index.js';
import { createServiceDispatcher, serviceInterceptor, ServiceDispatcher } from '../../src/http/index.js';
import { registerRollcallMetrics, type RollcallMetrics } from '../../src/metrics/index.js';
import { createDashboard, serveDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { expectExact, expectType, type Equal } from './expect-type.js';

// rollcall/grpc: one call registers both schemes and the policy; the handle closes the catalogs.
declare const discovery: ReturnType<typeof registerEtcdResolver>;
expectType<GrpcDiscovery>(discovery);
expectType<Promise<void>>(discovery.close());
expectExact<Equal<typeof BALANCER_NAME, 'rollcall'>>();
expectType<RollcallBalancerSettings>({ strategy: 'weighted', preferZone: 'eu-1a', hashMetadataKey: 'x-user', panicThreshold: 0.5 });
// @ts-expect-error a strategy rollcall does not have
expectType<RollcallBalancerSettings>({ strategy: 'maglev' });
expectType<(grpc?: object) => void>(registerRollcallBalancer);

// rollcall/http: an undici interceptor and a Dispatcher.
const dispatcher = createServiceDispatcher({ endpoints: ['http://127.0.0.1:2379'], strategy: 'least-loaded' });
expectType<ServiceDispatcher>(dispatcher);
expectType<Dispatcher>(dispatcher);
expectType<Dispatcher>(new Agent().compose(serviceInterceptor({ services: ['api'] })));

// rollcall/metrics: mounted on an application's own registry.
const metrics = registerRollcallMetrics({ registry: new Registry() });
expectType<RollcallMetrics>(metrics);
expectType<Registry>(metrics.registry);
expectType<() => void>(metrics.close);

// rollcall/dashboard: a Node request handler, or a served one.
declare const dashboard: Dashboard;
expectType<(req: IncomingMessage, res: ServerResponse) => void>(dashboard.handler);
expectType<typeof createDashboard>(createDashboard);
expectType<ReturnType<typeof serveDashboard>>(serveDashboard({ port: 0 }));
