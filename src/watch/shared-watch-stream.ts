/**
 * One gRPC Watch stream per etcd connection, shared by every range watched through it (as etcd's
 * Go client does): a Catalog following 50 services holds one stream, not 50.
 *
 * How the watchers share it:
 * - Each watcher sends its own create request and gets its own watch id. etcd 3.4 assigns the ids
 *   and answers create requests in the order they were sent, so creates are matched first in,
 *   first out.
 * - Responses are routed by watch id; a watcher that leaves sends a cancel for its id only, and
 *   one that leaves before its create is answered is cancelled as soon as its id is known.
 * - Liveness is the stream's: when nothing has arrived for a while, one progress request is sent;
 *   if nothing answers within the connection's timeout the stream is broken for every watcher.
 *   The stream-wide progress answer (watch id -1) only proves liveness: etcd 3.4 stamps it with
 *   its current revision without waiting for events still queued for a watcher, so it never
 *   moves a watcher's revision.
 * - When the stream breaks, every watcher on it is told; each resumes from its own revision on
 *   the next stream, which opens when the first of them comes back.
 * - The stream runs on one endpoint (EndpointClients), and so do the listing or history check that
 *   precede a watch (`range()`). A stream found silent, or broken, moves the next one to the NEXT
 *   endpoint, round robin from the one that failed: re-opening on whatever member etcd3 picks
 *   would often land on the silent member again, each try costing a whole timeout. A connection
 *   around a client the user passed in has one place to go, that client.
 * - The stream asks etcd to end it when its member has no leader (REQUIRE_LEADER): a member cut
 *   off from its peers still answers progress requests, so silence alone would never show it.
 * - The stream closes when its last watcher leaves, and opens again on demand.
 */
import { debuglog } from 'node:util';
import type { IRangeRequest, IRangeResponse, IResponseHeader, IWatchCreateRequest, IWatchResponse } from 'etcd3';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { REQUIRE_LEADER } from './require-leader.js';
import { etcdAt, etcdSays, translateEtcdError } from '../etcd/translate-error.js';
import { EtcdRequestError, EtcdUnavailableError, type RollcallError } from '../errors.js';

/** What the shared stream needs from one watcher on it. */
export interface StreamWatcher {
  /** For messages: "prefix services/". */
  readonly description: string;
  /** Probe a silent stream after this long. The shortest among the watchers wins. */
  readonly livenessMs: number;
  /** The create request, built when it is sent (so it carries the latest start revision). */
  createRequest(): IWatchCreateRequest;
  /** etcd accepted the watch under `watchId`; `header.revision` is etcd's current revision. */
  onCreated(header: IResponseHeader): void;
  /** A response addressed to this watcher: events, a progress notification, a cancel or a refused create. */
  onResponse(response: IWatchResponse): void;
  /** A message arrived on the stream: etcd is alive. */
  onContact(): void;
  /** The stream broke; the watcher is detached already. */
  onBroken(error: RollcallError): void;
}

type GrpcWatchStream = Awaited<ReturnType<EtcdConnection['client']['watchClient']['watch']>>;

/** A queued create whose answer is still due; `watcher` is cleared when it left meanwhile. */
interface PendingCreate {
  watcher: StreamWatcher | undefined;
}

const trace = debuglog('rollcall:watch');

/** Watch id etcd uses for answers that belong to no watcher (progress requests, refused creates). */
const NO_WATCHER = '-1';
/** Fan contact out to every watcher at most this often; the addressed watcher always hears it. */
const CONTACT_FANOUT_MS = 100;

const streams = new WeakMap<EtcdConnection, SharedWatchStream>();

/** The shared Watch stream of `conn`, created on first use. */
export function sharedWatchStream(conn: EtcdConnection): SharedWatchStream {
  let stream = streams.get(conn);
  if (!stream) {
    stream = new SharedWatchStream(conn);
    streams.set(conn, stream);
  }
  return stream;
}

export class SharedWatchStream {
  /** Watchers in the order they attached; those not yet sent a create wait for the stream to open. */
  private readonly attached = new Set<StreamWatcher>();
  private readonly unsent = new Set<StreamWatcher>();
  private readonly pending: PendingCreate[] = [];
  private readonly byId = new Map<string, StreamWatcher>();
  private readonly idOf = new Map<StreamWatcher, string>();
  private stream: GrpcWatchStream | undefined;
  /** Bumped whenever the current stream is dropped, so a late open or late event is ignored. */
  private generation = 0;
  private opening = false;
  private lastMessageAt = 0;
  private lastFanoutAt = 0;
  private probeSentAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tickMs = 0;
  private livenessMs = Infinity;
  /** Streams opened so far; for tests and diagnostics. */
  private opened = 0;
  /**
   * Index into the connection's EndpointClients of the endpoint the stream is on, or opens on
   * next. It changes only while no stream is open or opening, or when the stream on it breaks.
   */
  private at: number;

  constructor(private readonly conn: EtcdConnection) {
    // A random first endpoint, as etcd3's pool picks one per stream: the watches of a fleet
    // spread over the members instead of all landing on the first one listed.
    this.at = Math.floor(Math.random() * conn.endpointClients.count);
  }

  /** The endpoint the stream is on, or opens on next; undefined on a client passed in by the user. */
  get endpoint(): string | undefined {
    return this.conn.endpointClients.endpoint(this.at);
  }

  /** How many gRPC streams this connection has opened over its life. */
  get streamsOpened(): number {
    return this.opened;
  }

  /** How many watchers share the stream now. */
  get watcherCount(): number {
    return this.attached.size;
  }

  /** Adds a watcher: its create goes out now, or as soon as the stream is open. */
  attach(watcher: StreamWatcher): void {
    if (this.attached.has(watcher)) return;
    this.attached.add(watcher);
    this.armTimer();
    if (this.stream) this.sendCreate(this.stream, watcher);
    else {
      this.unsent.add(watcher);
      this.open();
    }
  }

  /**
   * A range read answered by the endpoint the stream is on, or opens on next: the listing or
   * history check before a watch, so that the watch resumes where the read was answered, never on
   * a member that just failed. A refused connection moves on to the next endpoint within the call.
   * A read that got no answer moves the next stream on too, unless a stream is open (its own
   * liveness probe judges its member).
   */
  async range(operation: string, request: IRangeRequest, signal?: AbortSignal): Promise<IRangeResponse> {
    const clients = this.conn.endpointClients;
    const from = this.at;
    let used = from;
    const idle = (): boolean => this.stream === undefined && !this.opening;
    try {
      const response = await this.conn.call(
        operation,
        (attempt) => {
          used = (from + attempt - 1) % clients.count;
          return clients.client(used).kv.range(request);
        },
        signal,
      );
      if (idle() && this.at === from) this.at = used;
      return response;
    } catch (error) {
      if (error instanceof EtcdUnavailableError && idle()) this.moveOn(used);
      throw error;
    }
  }

  /** Removes a watcher and cancels its watch on etcd; the others are not disturbed. */
  detach(watcher: StreamWatcher): void {
    if (!this.attached.delete(watcher)) return;
    this.unsent.delete(watcher);
    const id = this.idOf.get(watcher);
    if (id !== undefined) {
      trace('%s: cancelling watch %s', watcher.description, id);
      this.idOf.delete(watcher);
      this.byId.delete(id);
      this.stream?.write({ cancel_request: { watch_id: id } });
    }
    for (const create of this.pending) if (create.watcher === watcher) create.watcher = undefined;
    if (this.attached.size === 0) this.drop();
    else this.armTimer();
  }

  private open(): void {
    if (this.opening || this.stream) return;
    this.opening = true;
    const generation = this.generation;
    const at = this.at;
    this.conn
      .call(`open watch stream on ${this.describe(at)}`, () => this.conn.endpointClients.client(at).watchClient.watch(REQUIRE_LEADER))
      .then(
        (stream) => {
          this.opening = false;
          if (generation !== this.generation || this.attached.size === 0) {
            closeQuietly(stream);
            if (this.attached.size > 0) this.open(); // dropped meanwhile, but wanted again
            return;
          }
          this.use(stream, at);
        },
        (error: unknown) => {
          this.opening = false;
          if (generation !== this.generation) {
            if (this.attached.size > 0) this.open();
            return;
          }
          this.breakAll(this.translate(error), at);
        },
      );
  }

  private use(stream: GrpcWatchStream, at: number): void {
    this.opened++;
    trace('stream %d open on %s for %d watchers', this.opened, this.describe(at), this.unsent.size);
    this.stream = stream;
    const generation = this.generation;
    stream.on('data', (response: IWatchResponse) => {
      if (generation === this.generation) this.onResponse(response);
    });
    stream.on('error', (error: Error) => {
      if (generation === this.generation) this.breakAll(this.streamFailure(error, at), at);
    });
    stream.on('end', () => {
      if (generation === this.generation) {
        this.breakAll(new EtcdUnavailableError(`watch stream ended by ${etcdAt(this.where(at))}`, { details: { endpoints: this.where(at) } }), at);
      }
    });
    // The first answer is the proof that etcd is there; arm the liveness probe as if sent now.
    this.lastMessageAt = Date.now();
    this.probeSentAt = Date.now();
    const waiting = [...this.unsent];
    this.unsent.clear();
    for (const watcher of waiting) this.sendCreate(stream, watcher);
  }

  private sendCreate(stream: GrpcWatchStream, watcher: StreamWatcher): void {
    this.pending.push({ watcher });
    stream.write({ create_request: watcher.createRequest() });
  }

  private onResponse(response: IWatchResponse): void {
    const now = Date.now();
    this.lastMessageAt = now;
    this.probeSentAt = undefined;
    const id = String(response.watch_id);
    if (response.created) {
      this.onCreateAnswer(id, response);
    } else if (id === NO_WATCHER) {
      this.fanOutContact(now, true);
      return;
    } else {
      const watcher = this.byId.get(id);
      if (watcher) {
        if (response.canceled) {
          this.byId.delete(id);
          this.idOf.delete(watcher);
          this.attached.delete(watcher);
        }
        watcher.onContact();
        watcher.onResponse(response);
      }
    }
    this.fanOutContact(now, false);
    if (this.attached.size === 0) this.drop();
  }

  private onCreateAnswer(id: string, response: IWatchResponse): void {
    const create = this.pending.shift();
    const watcher = create?.watcher;
    if (!watcher) {
      // Its watcher left before the answer: cancel the watch it no longer wants.
      trace('watch %s created after its watcher left: cancelling', id);
      if (!response.canceled && id !== NO_WATCHER) this.stream?.write({ cancel_request: { watch_id: id } });
      return;
    }
    watcher.onContact();
    if (response.canceled) {
      this.attached.delete(watcher);
      watcher.onResponse(response);
      return;
    }
    trace('%s: watch %s created', watcher.description, id);
    this.byId.set(id, watcher);
    this.idOf.set(watcher, id);
    watcher.onCreated(response.header);
  }

  private fanOutContact(now: number, always: boolean): void {
    if (!always && now - this.lastFanoutAt < CONTACT_FANOUT_MS) return;
    this.lastFanoutAt = now;
    for (const watcher of [...this.attached]) watcher.onContact();
  }

  /** Re-arms the liveness timer for the shortest livenessMs among the watchers. */
  private armTimer(): void {
    let livenessMs = Infinity;
    for (const watcher of this.attached) livenessMs = Math.min(livenessMs, watcher.livenessMs);
    if (livenessMs === Infinity) return;
    this.livenessMs = livenessMs;
    const tickMs = Math.max(50, Math.floor(livenessMs / 2));
    if (this.timer && tickMs === this.tickMs) return;
    clearInterval(this.timer);
    this.tickMs = tickMs;
    this.timer = setInterval(() => this.checkLiveness(), tickMs);
  }

  private checkLiveness(): void {
    const stream = this.stream;
    if (!stream) return;
    const now = Date.now();
    if (this.probeSentAt !== undefined) {
      if (now - this.probeSentAt > this.conn.timeoutMs) {
        const where = this.where(this.at);
        this.breakAll(new EtcdUnavailableError(`watch stream: ${etcdAt(where)} sent nothing for ${now - this.lastMessageAt} ms`, { details: { endpoints: where } }), this.at);
      }
      return;
    }
    if (now - this.lastMessageAt >= this.livenessMs) {
      this.probeSentAt = now;
      stream.write({ progress_request: {} });
    }
  }

  /**
   * The stream on the endpoint at `at` broke: the next one opens on the next endpoint, and every
   * watcher on it (or waiting for it) is detached and told.
   */
  private breakAll(error: RollcallError, at: number): void {
    const watchers = [...this.attached];
    trace('stream on %s broken for %d watchers: %s', this.describe(at), watchers.length, error.message);
    this.moveOn(at);
    this.attached.clear();
    this.drop();
    for (const watcher of watchers) watcher.onBroken(error);
  }

  /** Forgets the current stream and its watch ids; the next attach opens a new one. */
  private drop(): void {
    this.generation++;
    clearInterval(this.timer);
    this.timer = undefined;
    this.tickMs = 0;
    const stream = this.stream;
    this.stream = undefined;
    this.pending.length = 0;
    this.byId.clear();
    this.idOf.clear();
    this.unsent.clear();
    for (const watcher of this.attached) this.unsent.add(watcher);
    this.probeSentAt = undefined;
    if (stream) closeQuietly(stream);
  }

  /** The endpoint at `from` failed: the next stream (and read) goes to the next one, unless something moved on already. */
  private moveOn(from: number): void {
    if (this.at !== from) return;
    this.at = this.conn.endpointClients.next(from);
    if (this.at !== from) trace('moving from %s to %s', this.describe(from), this.describe(this.at));
  }

  private describe(at: number): string {
    return this.conn.endpointClients.describe(at);
  }

  /** Where a stream at `at` runs, for messages: that endpoint, or all of them on a shared client. */
  private where(at: number): readonly string[] {
    const endpoint = this.conn.endpointClients.endpoint(at);
    return endpoint === undefined ? this.conn.endpoints : [endpoint];
  }

  private translate(error: unknown): RollcallError {
    return translateEtcdError(error, { operation: 'watch', endpoints: this.conn.endpoints });
  }

  /**
   * A Watch stream that errors has lost its connection (a proxy or member closing it shows as
   * INTERNAL/RST_STREAM text, not UNAVAILABLE): etcd refuses a watch with a `canceled` answer, never
   * with a stream error. So anything but an auth, TLS or closed-client failure is "unavailable".
   */
  private streamFailure(error: unknown, at: number): RollcallError {
    const translated = this.translate(error);
    if (!(translated instanceof EtcdRequestError)) return translated;
    const where = this.where(at);
    return new EtcdUnavailableError(`watch: the stream to ${etcdAt(where)} broke (${etcdSays(error instanceof Error ? error.message : String(error))}); check that etcd is running and reachable there`, {
      cause: error,
      details: { operation: 'watch', endpoints: where },
    });
  }
}

function closeQuietly(stream: GrpcWatchStream): void {
  // Cancelling makes grpc-js emit a CANCELLED error; keep a listener so it is not unhandled.
  stream.on('error', () => undefined);
  // Ended (half-closed) first: etcd3 reports an error on a stream that is still writable as a
  // failed host and resets every gRPC client to it, keepalives on that endpoint's client included.
  stream.end();
  stream.cancel();
}
