/**
 * The commander program behind `rollcall`: name, version, help, the commands from
 * command-list.ts, and the one place errors become stderr lines and exit codes.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { hasErrorCode, RollcallError } from '../errors.js';
import { COMMANDS } from './command-list.js';

/** Exit codes: 0 success, 1 failure, 2 missing prerequisite (no etcd binary). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_MISSING_PREREQUISITE = 2;

/**
 * The version in rollcall's package.json, read at run time. Walks up from this file because it
 * runs from dist/cli/ when installed and from build/src/cli/ in tests.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'rollcall' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0-unknown';
    dir = parent;
  }
}

export function buildProgram(): Command {
  const program = new Command('rollcall')
    .description('Service registration and discovery on etcd v3')
    .version(packageVersion(), '-V, --version', 'print the rollcall version')
    .showHelpAfterError('(run `rollcall --help` for usage)')
    // Throw instead of calling process.exit, so runCli decides the exit code; subcommands inherit it.
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Exit code for an error a command threw. */
export function exitCodeFor(error: unknown): number {
  return hasErrorCode(error, 'ERR_ETCD_BINARY_NOT_FOUND') ? EXIT_MISSING_PREREQUISITE : EXIT_FAILURE;
}

/** Parses `argv` (process.argv form) and runs the chosen command; resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    // --help and --version also end here, with exitCode 0; commander has printed them already.
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof RollcallError || error instanceof Error ? error.message : String(error);
    console.error(`rollcall: ${message}`);
    return exitCodeFor(error);
  }
}
