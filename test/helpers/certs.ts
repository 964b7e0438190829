/**
 * Throwaway certificates for TLS tests, made with the `openssl` CLI (no npm package): a CA, a
 * server certificate for 127.0.0.1/localhost signed by it, a client certificate signed by it, and
 * a second, unrelated CA with its own client certificate (for "wrong CA" and "bad client cert").
 * EC P-256 keys, valid for 7 days. Call cleanup() (or use makeTestCertsFor(t)) when done.
 * The server certificate allows clientAuth too, so it also serves as every member's peer
 * certificate (peers are both ends of their connections) and as the harness's probe certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { EtcdClusterOptions } from '../../src/dev/index.js';

export interface TestCerts {
  dir: string;
  /** CA that signed the server and client certificates. */
  caFile: string;
  /** Server certificate, SAN IP:127.0.0.1 and DNS:localhost; usable for serverAuth and clientAuth. */
  serverCertFile: string;
  serverKeyFile: string;
  /** Client certificate (CN rollcall-test-client) signed by caFile. */
  clientCertFile: string;
  clientKeyFile: string;
  /** A CA unrelated to everything above: trusting it must make the server certificate fail. */
  otherCaFile: string;
  /** A client certificate signed by otherCaFile: a server trusting caFile must refuse it. */
  otherClientCertFile: string;
  otherClientKeyFile: string;
  /** Removes dir. */
  cleanup(): void;
}

const DAYS = '7';

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('openssl not found on PATH; TLS tests need it (apt-get install openssl)');
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, base: string, commonName: string): void {
  const config = join(dir, `${base}.cnf`);
  writeFileSync(
    config,
    [
      '[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = v3_ca',
      '[dn]', `CN = ${commonName}`,
      '[v3_ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash', '',
    ].join('\n'),
  );
  openssl(['req', '-x509', ...KEY, '-config', config, '-days', DAYS, '-keyout', `${base}.key`, '-out', `${base}.crt`], dir);
}

function makeLeaf(dir: string, base: string, ca: string, commonName: string, extensions: readonly string[]): void {
  const ext = join(dir, `${base}.ext`);
  writeFileSync(ext, ['basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment', ...extensions, ''].join('\n'));
  openssl(['req', '-new', ...KEY, '-subj', `/CN=${commonName}`, '-keyout', `${base}.key`, '-out', `${base}.csr`], dir);
  openssl(
    ['x509', '-req', '-in', `${base}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', DAYS, '-extfile', ext, '-out', `${base}.crt`],
    dir,
  );
}

/** Makes a fresh set of certificates in a new temp dir `rollcall-certs-*`. */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-certs-'));
  try {
    makeCa(dir, 'ca', 'rollcall test CA');
    makeLeaf(dir, 'server', 'ca', 'localhost', [
      'extendedKeyUsage = serverAuth,clientAuth',
      'subjectAltName = IP:127.0.0.1,DNS:localhost',
    ]);
    makeLeaf(dir, 'client', 'ca', 'rollcall-test-client', ['extendedKeyUsage = clientAuth']);
    makeCa(dir, 'other-ca', 'rollcall unrelated CA');
    makeLeaf(dir, 'other-client', 'other-ca', 'rollcall-stranger', ['extendedKeyUsage = clientAuth']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const at = (name: string): string => join(dir, name);
  return {
    dir,
    caFile: at('ca.crt'),
    serverCertFile: at('server.crt'),
    serverKeyFile: at('server.key'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    otherCaFile: at('other-ca.crt'),
    otherClientCertFile: at('other-client.crt'),
    otherClientKeyFile: at('other-client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** makeTestCerts(), removed when test (or suite context) `t` ends. */
export function makeTestCertsFor(t: TestContext): TestCerts {
  const certs = makeTestCerts();
  t.after(() => certs.cleanup());
  return certs;
}

/**
 * TLS everywhere for EtcdCluster.start: https client and peer URLs, each requiring a certificate
 * signed by certs.caFile (`--client-cert-auth`, `--peer-client-cert-auth`).
 */
export function mutualTlsCluster(certs: TestCerts): Pick<EtcdClusterOptions, 'tls' | 'peerTls'> {
  const tls = { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, trustedCaFile: certs.caFile, clientCertAuth: true };
  return { tls, peerTls: { ...tls } };
}
