/**
 * Environment variables, read one way everywhere (Registrar, Catalog, Store, CLI): a variable
 * that is unset, empty or only whitespace counts as not set, so the option's default applies
 * (`ROLLCALL_TIMEOUT_MS= rollcall ls` behaves like no variable at all). Any other value must be
 * valid, or the resolver throws an InvalidConfigError whose message and `details.variable` name
 * the variable and the value it holds.
 */
import { InvalidConfigError } from '../errors.js';

/** The variable's value, trimmed; undefined when unset, empty or whitespace. */
export function readEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A number from the variable (undefined when not set, as readEnv). `valid` says which numbers are
 * allowed; `expected` is said in the error ("a positive number of milliseconds").
 */
export function readEnvNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  valid: (value: number) => boolean,
  expected: string,
): number | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) {
    throw new InvalidConfigError(`${name} must be ${expected}, got "${env[name] ?? ''}"`, {
      details: { variable: name, value: env[name] },
    });
  }
  return value;
}
