// The speed paths of the media engine against the general code they replace: the compact
// HMAC-SHA1 (hmac_sha1.ts) against the generic HMAC at every message length around the padding
// edges and for keys shorter than, equal to and longer than a block. (The RFC 2202 known answers
// run through the generic HMAC in hash.spec.ts; equality here carries them over.)
import { ALG_SHA1, HMAC_KEY_SIZE, hmacKeyInit, hmacCompute } from "../../assembly/crypto/hash/index";
import { HMAC_SHA1_KEY_SIZE, hmacSha1KeyInit, hmacSha1Compute } from "../../assembly/crypto/hash/hmac_sha1";

function toHex(p: usize, n: usize): string {
  let s = "";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

function fill(p: usize, n: usize, seed: u32): void {
  let x = seed | 1;
  for (let i: usize = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    store<u8>(p + i, <u8>x);
  }
}

describe("HMAC-SHA1 compact path", () => {
  it("equals the generic HMAC-SHA1 at every length 0..300 and every tag length 1..20", () => {
    const key = heap.alloc(128);
    const msg = heap.alloc(320);
    const k1 = heap.alloc(HMAC_KEY_SIZE);
    const k2 = heap.alloc(HMAC_SHA1_KEY_SIZE);
    const t1 = heap.alloc(32);
    const t2 = heap.alloc(32);
    const keyLens: usize[] = [0, 1, 20, 63, 64, 65, 100];
    for (let ki = 0; ki < keyLens.length; ki++) {
      const kl = keyLens[ki];
      fill(key, kl, 77 + <u32>kl);
      hmacKeyInit(k1, ALG_SHA1, key, kl);
      hmacSha1KeyInit(k2, key, kl);
      for (let n: usize = 0; n <= 300; n++) {
        fill(msg, n, <u32>(n * 31 + kl));
        hmacCompute(k1, msg, n, t1, 20);
        hmacSha1Compute(k2, msg, n, t2, 20);
        expect(toHex(t2, 20)).toBe(toHex(t1, 20));
      }
    }
    for (let tl: usize = 1; tl <= 20; tl++) {
      memory.fill(t2, 0xee, 32);
      hmacSha1Compute(k2, msg, 176, t2, tl);
      hmacCompute(k1, msg, 176, t1, 20);
      expect(toHex(t2, tl)).toBe(toHex(t1, tl));
      expect(load<u8>(t2 + tl)).toBe(0xee); // nothing past the tag length
    }
  });

  it("writes the tag last, so it may overlap the message (SRTP writes it over the ROC)", () => {
    const key = heap.alloc(20);
    fill(key, 20, 5);
    const k = heap.alloc(HMAC_SHA1_KEY_SIZE);
    hmacSha1KeyInit(k, key, 20);
    const a = heap.alloc(256);
    const b = heap.alloc(256);
    fill(a, 180, 9);
    memory.copy(b, a, 180);
    hmacSha1Compute(k, a, 180, a + 176, 10);
    hmacSha1Compute(k, b, 180, b + 200, 10);
    expect(toHex(a + 176, 10)).toBe(toHex(b + 200, 10));
  });
});
