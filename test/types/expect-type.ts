/**
 * Compile-time assertions for the type tests in this folder (tsd-style, as in undici's
 * test/types). These files are compiled with the rest of the suite and never run: a type that
 * loosens or tightens makes `tsc -p tsconfig.json` fail.
 *
 *   expectType<string>(err.details.leaseId);        // the value is assignable to string
 *   expectExact<Equal<typeof x, 'ERR_LEASE_LOST'>>(); // the type is exactly this
 *   // @ts-expect-error internal, not exported       // the next line must NOT compile
 */

/** Accepts only a value assignable to T. */
export function expectType<T>(value: T): void {
  void value;
}

/** True only when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when given `true`: use with Equal. */
export function expectExact<Check extends true>(): Check | void {
  return undefined;
}
