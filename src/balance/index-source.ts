/**
 * The default source of random indices for the random, least-loaded and round-robin (start)
 * pickers: xoshiro128** (Blackman and Vigna) on four 32-bit words kept in an Int32Array, so a draw
 * is a few integer operations and allocates nothing. Math.random() allocates in V8 (measured: the
 * young generation grows by several bytes per call, a heap number now and then), which is why
 * pick() no longer calls it per pick. Seeded once from Math.random; not cryptographic, and not
 * meant to be: it spreads load.
 */

export class IndexSource {
  private readonly state = new Int32Array(4);

  constructor(seed: () => number = Math.random) {
    const state = this.state;
    for (let i = 0; i < 4; i++) state[i] = Math.floor(seed() * 4294967296) | 0;
    if (state.every((word) => word === 0)) state[0] = 1; // the one state that never moves
  }

  /** A uniform integer in [0, n), n > 0. */
  index(n: number): number {
    const s = this.state;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const s2 = s[2] as number;
    const s3 = s[3] as number;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[0] = s0 ^ n3;
    s[1] = s1 ^ n2;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    // u / 2^32 is exact; for a huge n the product could round up to n itself.
    const index = Math.floor(((result >>> 0) / 4294967296) * n);
    return index < n ? index : n - 1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
