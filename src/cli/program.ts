/**
 * The commander program behind `rollcall`: name, version, help, the shared options, the commands
 * from command-list.ts, and the one place errors become stderr lines and exit codes
 * (exit-codes.ts says which).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { withConnectionOptions, withPrefixOption } from './cli-options.js';
import { COMMANDS } from './command-list.js';
import { EXIT_OK, oneLine, reportFor } from './exit-codes.js';

export { EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_ETCD, EXIT_NO_INSTANCE } from './exit-codes.js';

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

/** `rollcall instances [options] <service>`: the usage line of a command, with its parents' names. */
export function usageLine(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return `Usage: ${names.join(' ')} ${cmd.usage()}`;
}

export function buildProgram(): Command {
  const program = new Command('rollcall')
    .description('Service registration and discovery on etcd v3')
    .version(packageVersion(), '-V, --version', 'print the rollcall version')
    // Program options go before the command, the command's own after it: `pick --key K` and
    // `register --version V` keep their meaning. Set before commands are added (they inherit it).
    .enablePositionalOptions()
    // Throw instead of calling process.exit, so runCli decides the exit code; subcommands inherit it.
    .exitOverride()
    // Every error line starts `rollcall: `, commander's own ("error: unknown option …") too.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'rollcall: ')) });
  withConnectionOptions(program);
  withPrefixOption(program);
  for (const register of COMMANDS) register(program);
  // A commander usage error (missing argument, bad option value) prints the command's usage line.
  const walk = (cmd: Command): void => {
    cmd.showHelpAfterError(usageLine(cmd));
    cmd.commands.forEach(walk);
  };
  walk(program);
  // `rollcall bogus`: the usage line and the commands there are, not just "unknown command".
  program.showHelpAfterError(
    `${usageLine(program)}\nCommands: ${program.commands.map((c) => c.name()).join(', ')}\n(run \`rollcall --help\` or \`rollcall <command> --help\` for details)`,
  );
  return program;
}

/** Parses `argv` (process.argv form) and runs the chosen command; resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  printWarningsOurWay();
  const program = buildProgram();
  let active: Command = program;
  program.hook('preAction', (_program, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    // --help and --version also end here, with exitCode 0; commander has printed them already.
    // (An InvalidArgumentError thrown by an action itself has not been printed: report it below.)
    if (error instanceof CommanderError && !(error instanceof InvalidArgumentError)) return error.exitCode;
    const report = reportFor(error);
    console.error(`rollcall: ${report.message}`);
    if (report.usage) console.error(usageLine(active));
    return report.exitCode;
  }
}

/**
 * Process warnings as one `rollcall: warning: …` line, instead of Node's two-line form. grpc-js
 * passes the host of an `https://<ip>:port` endpoint to TLS as the server name, which makes Node
 * print a deprecation warning (DEP0123) on every TLS connection to an IP address; the connection
 * itself is fine (the certificate is still checked against the IP), so that one is dropped.
 */
function printWarningsOurWay(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'DEP0123') return;
    console.error(`rollcall: warning: ${oneLine(warning.message.replace(/^rollcall: /, ''))}`);
  });
}
