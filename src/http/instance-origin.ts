/**
 * The origin a request goes to once an instance is picked: the instance's `host:port` (or
 * `[v6]:port`) with the scheme the caller used. An instance registered with a full URL
 * (`https://10.0.0.7:8443`) keeps its own scheme; one registered without a port gets the port
 * the caller wrote, if any.
 */
import { MalformedValueError } from '../errors.js';
import type { Instance } from '../codec/instance.js';

export function instanceOrigin(instance: Instance, requested: URL): string {
  const { address } = instance;
  try {
    const origin = address.includes('://') ? new URL(address).origin : hostPortOrigin(address, requested);
    if (origin === 'null') throw new TypeError('no origin');
    return origin;
  } catch (cause) {
    throw new MalformedValueError(`instance ${instance.service}/${instance.id} has address "${address}", which is not an HTTP host:port or URL`, {
      cause,
      details: { key: instance.key, reason: 'address is not host:port', modRevision: instance.modRevision },
    });
  }
}

function hostPortOrigin(address: string, requested: URL): string {
  const callerPort = requested.port === '' ? '' : `:${requested.port}`;
  const colons = address.split(':').length - 1;
  let authority: string;
  if (address.startsWith('[')) authority = address.includes(']:') ? address : `${address}${callerPort}`;
  else if (colons >= 2) authority = `[${address}]${callerPort}`; // a bare IPv6 address, no port
  else authority = colons === 1 ? address : `${address}${callerPort}`;
  return new URL(`${requested.protocol}//${authority}`).origin;
}
