/**
 * The CLI's exit codes and the one mapping from a thrown error to a code and a stderr message.
 *
 *   0  success
 *   1  usage error (bad argument or option; the usage line follows) or any other failure
 *   2  etcd unreachable, refused the credentials or the TLS handshake; an unhealthy or silent
 *      endpoint (`endpoint health|status`); no etcd binary (`rollcall etcd`)
 *   3  no instance (`pick` found nothing pickable)
 */
import { CommanderError, InvalidArgumentError } from 'commander';
import { RollcallError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 1;
export const EXIT_ETCD = 2;
export const EXIT_NO_INSTANCE = 3;

const ETCD_CODES = new Set(['ERR_ETCD_UNAVAILABLE', 'ERR_ETCD_AUTH', 'ERR_ETCD_TLS', 'ERR_ETCD_BINARY_NOT_FOUND']);
/** Errors that mean "the command line is wrong": the usage line is printed after the message. */
const USAGE_CODES = new Set(['ERR_INVALID_NAME', 'ERR_INVALID_CONFIG', 'ERR_HASH_KEY_REQUIRED']);

export interface ErrorReport {
  readonly exitCode: number;
  /** One line for stderr, without the `rollcall: ` prefix. */
  readonly message: string;
  /** Print the failing command's usage line after the message. */
  readonly usage: boolean;
}

/** What to print and which exit code to use for an error a command threw. */
export function reportFor(error: unknown): ErrorReport {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (error instanceof InvalidArgumentError) return { exitCode: EXIT_USAGE, message, usage: true };
  if (error instanceof CommanderError) return { exitCode: error.exitCode, message, usage: false };
  if (error instanceof RollcallError) {
    if (ETCD_CODES.has(error.code)) return { exitCode: EXIT_ETCD, message, usage: false };
    if (error.code === 'ERR_NO_INSTANCE') return { exitCode: EXIT_NO_INSTANCE, message, usage: false };
    if (USAGE_CODES.has(error.code)) return { exitCode: EXIT_USAGE, message, usage: true };
  }
  return { exitCode: EXIT_FAILURE, message, usage: false };
}

/** Messages from gRPC may span lines; the CLI promises one line per error. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, '; ').trim();
}
