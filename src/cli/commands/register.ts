/**
 * `rollcall register <service> <address> [--id ID] [--ttl S] [--weight N] [--zone Z]
 * [--version V] [--tag T]... [--meta key=value]... [--replace] [--health-http URL | --health-cmd CMD]
 * [--interval D] [--health-timeout D] [--drain-ms MS]`: registers one instance with a Registrar
 * and stays in the foreground keeping its lease alive. stdout gets one JSON line per event, for
 * scripts and the demo:
 *
 *   {"event":"registered","service":"api","id":"api-1","key":"services/api/api-1","lease":"7587…"}
 *   {"event":"health",…,"healthy":false,"status":"draining","error":"…"}   each health transition
 *   {"event":"reregistered",…}   after a lost lease was re-granted and the key put again
 *   {"event":"draining",…}       on SIGINT/SIGTERM with --drain-ms, before the wait
 *   {"event":"deregistered",…}   on SIGINT/SIGTERM, once the key is gone and the lease revoked
 *   {"event":"displaced",…} / {"event":"removed",…}   the key is no longer ours (see below)
 *
 * SIGINT/SIGTERM: (with --drain-ms: status `draining`, wait) status `leaving`, delete the key,
 * revoke the lease, exit 0. Another owner taking the key over: one `rollcall: … was taken over by
 * lease …` line, exit 1. Someone else deleting the key (`rollcall deregister`, `etcdctl del`): one
 * line saying so, the lease revoked, exit 0, and the key is not put back. An etcd outage is
 * reported once, then at most every 10 s, then once when etcd answers (register-outage.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { JsonValue } from '../../codec/index.js';
import { DuplicateInstanceError, InvalidConfigError, type RollcallError } from '../../errors.js';
import { commandHealthCheck, httpHealthCheck, Registrar, type HealthCheck, type Registration } from '../../registration/index.js';
import { collect, connectionOptions, parseDuration, parsePositiveInt, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { leaseHex, printJson, printWarning } from '../cli-output.js';
import { OutageReporter } from '../register-outage.js';
import { armStopSignal, type StopSignal } from '../stop-signal.js';

interface RegisterCliOptions {
  id?: string;
  ttl: number;
  weight?: number;
  zone?: string;
  version?: string;
  tag?: string[];
  meta?: Record<string, JsonValue>;
  replace?: boolean;
  healthHttp?: string;
  healthCmd?: string;
  interval?: number;
  healthTimeout?: number;
  drainMs?: number;
}

/** How the foreground wait ended. */
type Ending =
  | { readonly kind: 'signal' }
  | { readonly kind: 'displaced'; readonly error: DuplicateInstanceError; readonly holderLease: string; readonly address?: string }
  | { readonly kind: 'removed'; readonly leaseId: string };

function collectMeta(value: string, previous: Record<string, JsonValue> | undefined): Record<string, JsonValue> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function parseNonNegativeMs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number of milliseconds ≥ 0');
  return n;
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
    .option('--meta <key=value>', 'a metadata entry (repeatable)', collectMeta)
    .option('--replace', 'take the id over even if another live lease holds it')
    .option('--health-http <url>', 'health check: GET url, any 2xx is passing (else the instance is draining)')
    .option('--health-cmd <command>', 'health check: /bin/sh -c command, exit 0 is passing (else draining)')
    .option('--interval <duration>', 'time between health checks: ms, or 500ms, 5s, 1m (default 5s)', parseDuration)
    .option('--health-timeout <duration>', 'deadline of one health check (default: the interval)', parseDuration)
    .option('--drain-ms <ms>', 'on SIGINT/SIGTERM, stay registered as draining this long before leaving (default 0)', parseNonNegativeMs);
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string, address: string, options: RegisterCliOptions, command: Command) => {
    await runRegister(command, service, address, options);
  });
}

function healthCheckOf(options: RegisterCliOptions): HealthCheck | undefined {
  if (options.healthHttp !== undefined && options.healthCmd !== undefined) {
    throw new InvalidConfigError('give one health check: --health-http or --health-cmd, not both');
  }
  if (options.healthHttp !== undefined) {
    if (!/^https?:\/\/./i.test(options.healthHttp)) throw new InvalidConfigError(`--health-http needs an http:// or https:// URL, got ${JSON.stringify(options.healthHttp)}`);
    return httpHealthCheck(options.healthHttp);
  }
  if (options.healthCmd !== undefined) return commandHealthCheck(options.healthCmd);
  if (options.interval !== undefined || options.healthTimeout !== undefined) {
    throw new InvalidConfigError('--interval and --health-timeout need a health check (--health-http or --health-cmd)');
  }
  return undefined;
}

async function runRegister(command: Command, service: string, address: string, options: RegisterCliOptions): Promise<void> {
  const healthCheck = healthCheckOf(options);
  const registrar = new Registrar({ ...connectionOptions(command), prefix: servicePrefix(command), ttl: options.ttl });
  const stop = armStopSignal();
  const outage = new OutageReporter({ print: (line) => console.error(line), isAlive: () => registrar.state === 'alive' });
  let settle: (ending: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (settle = resolve));
  void stop.stopped.then(() => settle({ kind: 'signal' }));
  let displacement: RollcallError | undefined;
  const printProblem = (error: RollcallError): void => {
    if (error !== displacement && !outage.absorb()) printWarning(error);
  };
  registrar.on('warning', printProblem);
  registrar.on('error', printProblem);
  registrar.on('lost', (error) => outage.lost(error));
  registrar.on('keepaliveFailed', ({ error }) => outage.keepaliveFailed(error));
  registrar.on('stateChange', ({ to }) => {
    if (to === 'alive') outage.recovered();
  });
  registrar.on('displaced', ({ error, holder }) => {
    displacement = error;
    settle({ kind: 'displaced', error, holderLease: holder.leaseId, ...(holder.address === undefined ? {} : { address: holder.address }) });
  });
  registrar.on('removed', ({ leaseId }) => settle({ kind: 'removed', leaseId }));
  // Health transitions are printed after the "registered" line, even one from the first check.
  let registeredPrinted = false;
  const healthLines: Record<string, unknown>[] = [];
  registrar.on('health', ({ registration: r, healthy, status, error }) => {
    const entry = { ...eventLine('health', r, registrar.leaseId), healthy, status, ...(error ? { error: error.message } : {}) };
    if (registeredPrinted) printJson(entry);
    else healthLines.push(entry);
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
      ...(options.replace === true ? { replace: true } : {}),
      ...(healthCheck ? { healthCheck, healthIntervalMs: options.interval ?? 5000, ...(options.healthTimeout !== undefined ? { healthTimeoutMs: options.healthTimeout } : {}) } : {}),
      signal: stop.signal,
    });
    const reg = registration;
    const line = (event: string, lease: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      ...eventLine(event, reg, lease),
      ...extra,
    });
    printJson(line('registered', registrar.leaseId, reg.status === 'up' ? {} : { status: reg.status }));
    registeredPrinted = true;
    for (const entry of healthLines.splice(0)) printJson(entry);
    registrar.on('reregistered', ({ leaseId }) => {
      outage.recovered();
      printJson(line('reregistered', leaseId));
    });
    const ending = await ended;
    if (ending.kind === 'displaced') {
      printJson(line('displaced', undefined, { holderLease: ending.holderLease, ...(ending.address === undefined ? {} : { holderAddress: ending.address }) }));
      throw ending.error;
    }
    if (ending.kind === 'removed') {
      printJson(line('removed', undefined));
      console.error(
        `rollcall: ${reg.key} was removed by someone else (rollcall deregister, etcdctl del) while lease ${leaseHex(ending.leaseId)} was alive; not registering it again`,
      );
      await registrar.close();
      return;
    }
    if ((options.drainMs ?? 0) > 0) {
      await drainFirst(reg, options.drainMs ?? 0, stop, (event) => printJson(line(event, registrar.leaseId))).catch((error: unknown) =>
        printWarning(`could not mark ${reg.key} draining before leaving: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    await reg.deregister();
    await registrar.close();
    printJson(line('deregistered', undefined));
  } catch (error) {
    // Interrupted before the key was committed: nothing to deregister, just close.
    if (!(stop.signal.aborted && registration === undefined)) throw error;
  } finally {
    outage.dispose();
    // close() is idempotent; on a failure above it still releases the lease or lets it expire.
    await registrar.close().catch(() => undefined);
    stop.dispose();
  }
}

function eventLine(event: string, reg: Registration, lease: string | undefined): Record<string, unknown> {
  return { event, service: reg.service, id: reg.id, key: reg.key, lease: lease ?? null };
}

/** --drain-ms: status draining, then wait; a second SIGINT/SIGTERM cuts the wait short. */
async function drainFirst(reg: Registration, drainMs: number, stop: StopSignal, print: (event: string) => void): Promise<void> {
  await reg.drain();
  print('draining');
  const again = new AbortController();
  const unsubscribe = stop.onRepeat(() => again.abort());
  try {
    await delay(drainMs, undefined, { signal: again.signal }).catch(() => undefined);
  } finally {
    unsubscribe();
  }
}
