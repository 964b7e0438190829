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

  constructor(prefix: string = DEFAULT_PREFIX) {
    this.prefix = normalizePrefix(prefix);
  }

  /** Everything rollcall owns under the prefix: "services/". */
  get root(): string {
    return `${this.prefix}/`;
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

  /** Splits a key under the root into service and id; says why when it is not an instance key. */
  parse(key: string): ParsedKey {
    if (!key.startsWith(this.root)) return { ok: false, reason: `key is not under "${this.root}"` };
    const parts = key.slice(this.root.length).split('/');
    if (parts.length !== 2) {
      return { ok: false, reason: `unexpected key depth: expected ${this.root}<service>/<id>, got ${parts.length} segment(s)` };
    }
    const [service, id] = parts as [string, string];
    const serviceProblem = nameProblem(service);
    if (serviceProblem) return { ok: false, reason: `service name ${serviceProblem}` };
    const idProblem = nameProblem(id);
    if (idProblem) return { ok: false, reason: `instance id ${idProblem}` };
    return { ok: true, service, id };
  }
}
