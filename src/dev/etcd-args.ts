/**
 * The command line of one harness etcd (3.4 flag names). Kept apart from the process handling so
 * the flags can be read, and tested, in one place.
 */
import { LOOPBACK } from './free-port.js';

/**
 * TLS for one listener: the client URL (`tls`: --cert-file, --key-file, --trusted-ca-file,
 * --client-cert-auth) or the peer URL (`peerTls`: the same flags with `--peer-`).
 */
export interface EtcdTlsOptions {
  /**
   * Server certificate (PEM); its SAN must cover 127.0.0.1. With clientCertAuth it must allow
   * clientAuth as well as serverAuth: on the client URL etcd's grpc-gateway, and the harness's
   * status probe, dial etcd with it (etcd-io/etcd#9785); on the peer URL every member presents it
   * to the others.
   */
  certFile: string;
  /** Private key of certFile (PEM). */
  keyFile: string;
  /** CA (PEM) that signed the certificates presented to this listener; the harness trusts it too. */
  trustedCaFile: string;
  /** Require a certificate signed by trustedCaFile (`--client-cert-auth` / `--peer-client-cert-auth`). Default false. */
  clientCertAuth?: boolean;
}

export interface EtcdLaunchSpec {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** Plain-HTTP /health and /metrics listener, probed for readiness even when the client URL is TLS. */
  metricsPort: number;
  /** `name=peerUrl,...` for every member; a single node lists only itself. */
  initialCluster: string;
  initialClusterToken: string;
  tls?: EtcdTlsOptions;
  /** TLS for the peer URL (https between members). */
  peerTls?: EtcdTlsOptions;
  /** Appended last; etcd keeps the last value of a repeated flag, so these can override ours. */
  extraArgs?: readonly string[];
}

export function clientUrlOf(port: number, tls: boolean): string {
  return `${tls ? 'https' : 'http'}://${LOOPBACK}:${port}`;
}

export function peerUrlOf(port: number, tls = false): string {
  return `${tls ? 'https' : 'http'}://${LOOPBACK}:${port}`;
}

export function metricsUrlOf(port: number): string {
  return `http://${LOOPBACK}:${port}`;
}

/** The full argument list (without the binary) for `spec`. */
export function etcdArgs(spec: EtcdLaunchSpec): string[] {
  const clientUrl = clientUrlOf(spec.clientPort, spec.tls !== undefined);
  const peerUrl = peerUrlOf(spec.peerPort, spec.peerTls !== undefined);
  const args = [
    `--name=${spec.name}`,
    `--data-dir=${spec.dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--listen-metrics-urls=${metricsUrlOf(spec.metricsPort)}`,
    `--initial-cluster=${spec.initialCluster}`,
    // Ignored by etcd once the data dir holds a member, so restarts rejoin instead of re-bootstrapping.
    '--initial-cluster-state=new',
    `--initial-cluster-token=${spec.initialClusterToken}`,
    '--logger=zap',
    '--log-outputs=stderr',
  ];
  if (spec.tls !== undefined) args.push(...tlsArgs('', spec.tls));
  if (spec.peerTls !== undefined) args.push(...tlsArgs('peer-', spec.peerTls));
  args.push(...(spec.extraArgs ?? []));
  return args;
}

/** The four TLS flags of one listener; `prefix` is '' for the client URL, 'peer-' for the peer URL. */
function tlsArgs(prefix: '' | 'peer-', tls: EtcdTlsOptions): string[] {
  const args = [
    `--${prefix}cert-file=${tls.certFile}`,
    `--${prefix}key-file=${tls.keyFile}`,
    `--${prefix}trusted-ca-file=${tls.trustedCaFile}`,
  ];
  if (tls.clientCertAuth === true) args.push(`--${prefix}client-cert-auth`);
  return args;
}
