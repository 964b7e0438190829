/**
 * The two questions the harness asks etcd: "are you healthy?" (GET /health on the plain-HTTP
 * metrics listener, which etcd serves without TLS even when the client URL has it) and "who is
 * your leader?" (POST /v3/maintenance/status on the client URL's grpc-gateway, over https with
 * the member's CA and a client certificate when that URL is TLS). node:http(s) with a per-request
 * timeout and no keep-alive, so a paused member cannot hang a caller and no socket keeps the test
 * process alive.
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

/** What an https request trusts (ca) and presents (cert, key). */
export interface HttpTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface HttpJsonOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Abort the request after this long. Default 1 000 ms. */
  timeoutMs?: number;
  /** Extra TLS options for https URLs. */
  tls?: HttpTls;
}

export interface HttpJsonResponse {
  status: number;
  body: unknown;
}

/** One HTTP(S) request whose answer is JSON. Rejects on network error, timeout or invalid JSON. */
export function httpJson(url: string, options: HttpJsonOptions = {}): Promise<HttpJsonResponse> {
  const target = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const requestOptions: RequestOptions = {
    method: options.method ?? 'GET',
    agent: false,
    timeout: options.timeoutMs ?? 1_000,
    headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    // No SNI for an IP address (RFC 6066; Node warns DEP0123 otherwise).
    ...(target.protocol === 'https:' ? { ...options.tls, ...(isIP(target.hostname) !== 0 ? { servername: '' } : {}) } : {}),
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          reject(new Error(`${url} answered ${res.statusCode ?? '?'} with non-JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${requestOptions.timeout} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * True when `baseUrl`/health says `{"health":"true"}`. etcd 3.4 answers false (503) while it has
 * no leader or cannot serve a quorum read, so true means "ready for requests".
 */
export async function isHealthy(baseUrl: string, timeoutMs = 1_000): Promise<boolean> {
  const res = await httpJson(`${baseUrl}/health`, { timeoutMs });
  const health = field(res.body, 'health');
  return health === true || health === 'true';
}

/** What one member says about itself and its leader (ids are decimal strings, as etcd's JSON gives them). */
export interface MemberStatus {
  memberId: string;
  leaderId: string;
  raftTerm: number;
}

/**
 * Asks one member for its status through the grpc-gateway. An https client URL needs `tls`: the
 * CA that signed the member's certificate and, with client-cert auth, a client certificate.
 */
export async function memberStatus(clientUrl: string, timeoutMs = 1_000, tls?: HttpTls): Promise<MemberStatus> {
  const res = await httpJson(`${clientUrl}/v3/maintenance/status`, { method: 'POST', body: {}, timeoutMs, tls });
  const header = field(res.body, 'header');
  const memberId = field(header, 'member_id');
  const leaderId = field(res.body, 'leader');
  const raftTerm = Number(field(res.body, 'raftTerm') ?? field(header, 'raft_term') ?? 0);
  if (res.status !== 200 || typeof memberId !== 'string') {
    throw new Error(`${clientUrl} status request answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
  }
  // No leader known: etcd leaves `leader` out (0 is the zero value of a proto3 field).
  return { memberId, leaderId: typeof leaderId === 'string' ? leaderId : '0', raftTerm };
}
