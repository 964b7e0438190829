/**
 * An HTTP consumer: fetches `http://hello/` through a rollcall/http ServiceDispatcher, which
 * sends each request to an instance of service `hello` picked from etcd (least-loaded here),
 * retrying idempotent requests on another instance when one cannot be reached. Prints which
 * instance answered; stops on SIGINT/SIGTERM or after EXAMPLE_CALLS requests.
 *
 *   npm run example:http-consumer
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch } from 'undici';
import { ServiceDispatcher } from '../src/http/index.js'; // in your project: from 'rollcall/http'
import { say, settings, stopSignal } from './example-settings.js';

const stop = new AbortController();
void stopSignal().then(() => stop.abort());

// ROLLCALL_ENDPOINTS names etcd. Hosts without a dot (`hello`) name services; others pass through.
const dispatcher = new ServiceDispatcher({ strategy: 'least-loaded' });

for (let call = 1; call <= settings.calls && !stop.signal.aborted; call++) {
  try {
    const response = await fetch('http://hello/greeting', { dispatcher });
    const body = (await response.json()) as { message: string; from: string };
    say(`request ${call}: ${response.status} "${body.message}" from ${body.from}`);
  } catch (error) {
    say(`request ${call} failed: ${(error as Error).message}`);
  }
  await sleep(settings.intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
}
await dispatcher.close();
say('consumer stopped');
