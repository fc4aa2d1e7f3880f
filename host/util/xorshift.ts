// A small deterministic PRNG (xorshift32) for repeatable test and conformance packets: never for
// keys or anything secret (those come from node:crypto).
export class Rng {
  private s: number;
  /** `zeroSeed` replaces a seed of 0, which xorshift cannot leave. */
  constructor(seed: number, zeroSeed = 1) {
    this.s = seed >>> 0 || zeroSeed;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}
