/**
 * The command line of one harness etcd (3.4 flag names). Kept apart from the process handling so
 * the flags can be read, and tested, in one place.
 */
import { LOOPBACK } from './free-port.js';

/** TLS for the client URL. Peer traffic stays plain HTTP: it never leaves loopback. */
export interface EtcdTlsOptions {
  /** Server certificate (PEM). Its SAN must cover 127.0.0.1 for clients to accept it. */
  certFile: string;
  /** Private key of certFile (PEM). */
  keyFile: string;
  /** CA (PEM) that signed client certificates; needed with clientCertAuth. */
  trustedCaFile: string;
  /** Require a client certificate signed by trustedCaFile (`--client-cert-auth`). Default false. */
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
  /** Appended last; etcd keeps the last value of a repeated flag, so these can override ours. */
  extraArgs?: readonly string[];
}

export function clientUrlOf(port: number, tls: boolean): string {
  return `${tls ? 'https' : 'http'}://${LOOPBACK}:${port}`;
}

export function peerUrlOf(port: number): string {
  return `http://${LOOPBACK}:${port}`;
}

export function metricsUrlOf(port: number): string {
  return `http://${LOOPBACK}:${port}`;
}

/** The full argument list (without the binary) for `spec`. */
export function etcdArgs(spec: EtcdLaunchSpec): string[] {
  const clientUrl = clientUrlOf(spec.clientPort, spec.tls !== undefined);
  const peerUrl = peerUrlOf(spec.peerPort);
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
  if (spec.tls !== undefined) {
    args.push(
      `--cert-file=${spec.tls.certFile}`,
      `--key-file=${spec.tls.keyFile}`,
      `--trusted-ca-file=${spec.tls.trustedCaFile}`,
    );
    if (spec.tls.clientCertAuth === true) args.push('--client-cert-auth');
  }
  args.push(...(spec.extraArgs ?? []));
  return args;
}
