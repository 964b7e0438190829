/**
 * Where instances live in etcd: `<prefix>/<service>/<instanceId>`. This is the same layout a Go
 * `endpoints.Manager` uses with target `<prefix>/<service>`, so both see each other's instances.
 */
import { assertValidName, nameProblem, normalizePrefix } from './names.js';

export const DEFAULT_PREFIX = 'services';

export type ParsedKey =
  | { readonly ok: true; readonly service: string; readonly id: string }
  | { readonly ok: false; readonly reason: string };

export class KeyLayout {
  /** Normalised prefix without trailing slash, e.g. "services". */
  readonly prefix: string;
  /** The service name parse() last found valid. */
  private lastService: string | undefined;

  /** Everything rollcall owns under the prefix: "services/". */
  readonly root: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    this.prefix = normalizePrefix(prefix);
    this.root = `${this.prefix}/`;
  }

  /** All instances of one service: "services/api/". */
  servicePrefix(service: string): string {
    assertValidName('service name', service);
    return `${this.prefix}/${service}/`;
  }

  instanceKey(service: string, id: string): string {
    assertValidName('service name', service);
    assertValidName('instance id', id);
    return `${this.prefix}/${service}/${id}`;
  }

  /**
   * Splits a key under the root into service and id; says why when it is not an instance key.
   * Runs for every key a catalog reads: the service name last found valid is remembered (keys
   * arrive sorted, so a listing brings each service's keys together) and returned as that same
   * string, so the instances of a service share one copy of its name.
   */
  parse(key: string): ParsedKey {
    const root = this.root;
    if (!key.startsWith(root)) return { ok: false, reason: `key is not under "${root}"` };
    const slash = key.indexOf('/', root.length);
    if (slash < 0 || key.includes('/', slash + 1)) {
      const segments = key.slice(root.length).split('/').length;
      return { ok: false, reason: `unexpected key depth: expected ${root}<service>/<id>, got ${segments} segment(s)` };
    }
    const last = this.lastService;
    let service: string;
    if (last !== undefined && slash - root.length === last.length && key.startsWith(last, root.length)) {
      service = last;
    } else {
      service = key.slice(root.length, slash);
      const serviceProblem = nameProblem(service);
      if (serviceProblem) return { ok: false, reason: `service name ${serviceProblem}` };
      this.lastService = service;
    }
    const id = key.slice(slash + 1);
    const idProblem = nameProblem(id);
    if (idProblem) return { ok: false, reason: `instance id ${idProblem}` };
    return { ok: true, service, id };
  }
}
