// Shared pieces of the hash/HMAC/HKDF/PRF suites: a seeded PRNG (so a failure can be replayed with
// GWSDK_TEST_SEED=<seed>), raw-export helpers, and an independent TLS 1.2 PRF built from Node's HMAC.
import { createHmac } from "node:crypto";
import type { Core } from "../../../host/index.js";
import type { HashAlg } from "../../../host/core/crypto/hash.js";

export const ALGS: HashAlg[] = ["sha1", "sha256", "sha384", "sha512"];
export const ALG_ID: Record<HashAlg, number> = { sha1: 1, sha256: 2, sha384: 3, sha512: 4 };
export const DIGEST_LEN: Record<HashAlg, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
export const BLOCK_LEN: Record<HashAlg, number> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

/** Maps the vector files' names ("SHA-256", "HMAC-SHA-384") to ours. */
export function algFromName(name: string): HashAlg {
  const m = /SHA-?(1|256|384|512)\b/i.exec(name);
  if (!m) throw new Error(`no hash named in "${name}"`);
  return `sha${m[1]}` as HashAlg;
}

/** xoshiro128** seeded by splitmix32; deterministic per seed. */
export class Prng {
  private s = new Uint32Array(4);
  constructor(readonly seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  u32(): number {
    const s = this.s;
    const r = Math.imul(((Math.imul(s[1], 5) << 7) | (Math.imul(s[1], 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ((s[3] << 11) | (s[3] >>> 21)) >>> 0;
    return r;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

/** The seed for this run: GWSDK_TEST_SEED, or a fresh one (printed by the tests that use it). */
export function testSeed(): number {
  const env = process.env.GWSDK_TEST_SEED;
  return env !== undefined ? Number(env) >>> 0 : (Math.random() * 0x100000000) >>> 0;
}

/**
 * TLS 1.2 P_hash(secret, label || seed) written straight from RFC 5246 §5 with Node's HMAC,
 * independent of the core: A(0) = label||seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) || label||seed) || HMAC(secret, A(2) || label||seed) || ...
 */
export function nodeTls12Prf(alg: "sha256" | "sha384", secret: Uint8Array, label: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const ls = Buffer.concat([label, seed]);
  const out: Buffer[] = [];
  let have = 0;
  let a: Buffer = ls;
  while (have < length) {
    a = createHmac(alg, secret).update(a).digest();
    const block = createHmac(alg, secret).update(a).update(ls).digest();
    out.push(block);
    have += block.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

/** Raw access to the exports for ABI tests: named functions and a few arena blocks. */
export function raw(core: Core) {
  const f = (name: string) => core.fn(name);
  return {
    f,
    u8: () => core.u8,
    base: core.arena.base,
    end: core.arena.end,
    alloc: (n: number) => core.arena.alloc(n),
    free: (p: number) => core.arena.release(p),
  };
}
