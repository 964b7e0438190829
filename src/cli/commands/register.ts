/**
 * `rollcall register <service> <address> [--id ID] [--ttl S] [--weight N] [--zone Z]
 * [--version V] [--tag T]... [--meta key=value]...`: registers one instance with a Registrar and
 * stays in the foreground keeping its lease alive. stdout gets one JSON line per event, for
 * scripts and the demo:
 *
 *   {"event":"registered","service":"api","id":"api-1","key":"services/api/api-1","lease":"7587…"}
 *   {"event":"reregistered",…}   after a lost lease was re-granted and the key put again
 *   {"event":"deregistered",…}   on SIGINT/SIGTERM, once the key is gone and the lease revoked
 *
 * SIGINT/SIGTERM: status `leaving`, delete the key, revoke the lease, exit 0. Warnings (failed
 * keepalives, a lost lease) go to stderr. Another owner taking the key over ends it with exit 1.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { JsonValue } from '../../codec/index.js';
import { DuplicateInstanceError } from '../../errors.js';
import { Registrar, type Registration } from '../../registration/index.js';
import { collect, connectionOptions, parsePositiveInt, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { leaseHex, printJson, printWarning } from '../cli-output.js';
import { armStopSignal } from '../stop-signal.js';

interface RegisterCliOptions {
  id?: string;
  ttl: number;
  weight?: number;
  zone?: string;
  version?: string;
  tag?: string[];
  meta?: Record<string, JsonValue>;
}

function collectMeta(value: string, previous: Record<string, JsonValue> | undefined): Record<string, JsonValue> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerRegisterCommand(program: Command): void {
  const cmd = program
    .command('register')
    .description('register an instance and keep it registered until Ctrl-C or SIGTERM (then deregister)')
    .argument('<service>', 'service name')
    .argument('<address>', 'address clients dial, usually host:port')
    .option('--id <id>', 'instance id (default <hostname>-<pid>-<random>)')
    .option('--ttl <seconds>', 'lease TTL in seconds', parsePositiveInt, 10)
    .option('--weight <n>', 'weight for weighted balancing (default 1)', parsePositiveInt)
    .option('--zone <zone>', 'zone or locality')
    .option('--version <version>', 'version of the service build')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--meta <key=value>', 'a metadata entry (repeatable)', collectMeta);
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string, address: string, options: RegisterCliOptions, command: Command) => {
    await runRegister(command, service, address, options);
  });
}

async function runRegister(command: Command, service: string, address: string, options: RegisterCliOptions): Promise<void> {
  const registrar = new Registrar({ ...connectionOptions(command), prefix: servicePrefix(command), ttl: options.ttl });
  const stop = armStopSignal();
  let displaced: DuplicateInstanceError | undefined;
  let onDisplaced: () => void = () => undefined;
  const displacedOrStopped = Promise.race([stop.stopped, new Promise<void>((resolve) => (onDisplaced = resolve))]);
  registrar.on('warning', (error) => printWarning(error));
  registrar.on('error', (error) => printWarning(error));
  registrar.on('lost', (error) => printWarning(error));
  registrar.on('keepaliveFailed', ({ leaseId, error }) => printWarning(`keepalive of lease ${leaseHex(leaseId)} failed (will retry): ${error.message}`));
  registrar.on('displaced', ({ error }) => {
    displaced = error;
    onDisplaced();
  });

  let registration: Registration | undefined;
  try {
    registration = await registrar.register({
      service,
      address,
      ...(options.id !== undefined ? { id: options.id } : {}),
      ...(options.weight !== undefined ? { weight: options.weight } : {}),
      ...(options.zone !== undefined ? { zone: options.zone } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.tag !== undefined ? { tags: options.tag } : {}),
      ...(options.meta !== undefined ? { meta: options.meta } : {}),
      signal: stop.signal,
    });
    const reg = registration;
    const line = (event: string, lease: string | undefined): Record<string, unknown> => ({ event, service, id: reg.id, key: reg.key, lease: lease ?? null });
    printJson(line('registered', registrar.leaseId));
    registrar.on('reregistered', ({ leaseId }) => printJson(line('reregistered', leaseId)));
    await displacedOrStopped;
    if (displaced !== undefined) throw displaced;
    await reg.deregister();
    await registrar.close();
    printJson(line('deregistered', undefined));
  } catch (error) {
    // Interrupted before the key was committed: nothing to deregister, just close.
    if (!(stop.signal.aborted && registration === undefined)) throw error;
  } finally {
    // close() is idempotent; on a failure above it still releases the lease or lets it expire.
    await registrar.close().catch(() => undefined);
    stop.dispose();
  }
}
