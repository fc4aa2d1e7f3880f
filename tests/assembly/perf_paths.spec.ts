// The speed paths of the media engine against the general code they replace: the compact
// HMAC-SHA1 (hmac_sha1.ts) against the generic HMAC at every message length around the padding
// edges and for keys shorter than, equal to and longer than a block. (The RFC 2202 known answers
// run through the generic HMAC in hash.spec.ts; equality here carries them over.)
import { ALG_SHA1, HMAC_KEY_SIZE, hmacKeyInit, hmacCompute } from "../../assembly/crypto/hash/index";
import { HMAC_SHA1_KEY_SIZE, hmacSha1KeyInit, hmacSha1Compute } from "../../assembly/crypto/hash/hmac_sha1";

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

import { AES_CTX_SIZE, CTR_MODE_128, CTR_MODE_CM, aesKeyInit, aesCtrXor, aesCtrXorKeep, aesEcbEncrypt } from "../../assembly/crypto/aes/aes";
import { lanesAddStream, lanesAddRaw, lanesEnd } from "../../assembly/crypto/aes/ctr_lanes";
import { toHex } from "./hex";

/** Counter block + b in a mode (CM: low 16 bits; 128: whole block), big-endian, into out. */
function counterPlus(ctr: usize, b: u64, mode: i32, out: usize): void {
  const hi = bswap<u64>(load<u64>(ctr));
  const lo = bswap<u64>(load<u64>(ctr, 8));
  let nlo: u64, nhi = hi;
  if (mode == CTR_MODE_CM) nlo = (lo & ~(<u64>0xffff)) | ((lo + b) & 0xffff);
  else {
    nlo = lo + b;
    if (nlo < lo) nhi = hi + 1;
  }
  store<u64>(out, bswap<u64>(nhi));
  store<u64>(out, bswap<u64>(nlo), 8);
}

describe("AES counter mode, keeping idle lanes' keystream", () => {
  it("gives the plain CTR output and, in idle lanes, the keystream of the kept counter (every length 1..200)", () => {
    const ctx = heap.alloc(AES_CTX_SIZE);
    const key = heap.alloc(32);
    fill(key, 32, 3);
    const src = heap.alloc(256);
    const a = heap.alloc(256);
    const b = heap.alloc(256);
    const ctrA = heap.alloc(16);
    const ctrB = heap.alloc(16);
    const keepCtr = heap.alloc(16);
    const kept = heap.alloc(8 * 16);
    const want = heap.alloc(8 * 16);
    const tmp = heap.alloc(16);
    const keyLens: i32[] = [16, 32];
    for (let ki = 0; ki < keyLens.length; ki++) {
      aesKeyInit(ctx, key, keyLens[ki]);
      for (let mi = 0; mi < 2; mi++) {
        const mode = mi == 0 ? CTR_MODE_CM : CTR_MODE_128;
        for (let len: usize = 1; len <= 200; len++) {
          fill(src, len, <u32>len);
          fill(ctrA, 16, <u32>(len * 7));
          if (mode == CTR_MODE_CM) { store<u8>(ctrA + 14, 0); store<u8>(ctrA + 15, 0); }
          else for (let i: usize = 8; i < 16; i++) store<u8>(ctrA + i, 0xff); // carry into the high half
          fill(keepCtr, 16, <u32>(len * 13));
          if (mode == CTR_MODE_CM) store<u8>(keepCtr + 14, 0);
          else for (let i: usize = 9; i < 16; i++) store<u8>(keepCtr + i, 0xff);
          memory.copy(ctrB, ctrA, 16);
          aesCtrXor(ctx, ctrA, src, a, len, mode);
          memory.fill(kept, 0xee, 8 * 16);
          const n = aesCtrXorKeep(ctx, ctrB, src, b, len, mode, keepCtr, kept);
          expect(toHex(b, len)).toBe(toHex(a, len));
          expect(toHex(ctrB, 16)).toBe(toHex(ctrA, 16)); // the data counter advanced the same way
          const used = ((len + 15) >> 4) & 7;
          expect(<i32>n).toBe(used == 0 ? 0 : 8 - <i32>used);
          for (let j: usize = 0; j < n; j++) counterPlus(keepCtr, <u64>j, mode, want + (j << 4));
          aesEcbEncrypt(ctx, want, want, n);
          expect(toHex(kept, n << 4)).toBe(toHex(want, n << 4));
          if (n < 8) expect(load<u8>(kept + (n << 4))).toBe(0xee); // nothing past the kept blocks
        }
      }
    }
  });
});

describe("lane-packed counter mode", () => {
  it("packs streams of different keys and round counts and equals each stream alone", () => {
    const keys = heap.alloc(64);
    fill(keys, 64, 11);
    const ctxs = heap.alloc(3 * AES_CTX_SIZE);
    aesKeyInit(ctxs, keys, 16);
    aesKeyInit(ctxs + AES_CTX_SIZE, keys + 16, 16);
    aesKeyInit(ctxs + 2 * AES_CTX_SIZE, keys + 32, 32);
    const src = heap.alloc(4096);
    fill(src, 4096, 99);
    const dstL = heap.alloc(4096);
    const dstR = heap.alloc(4096);
    const ivs = heap.alloc(16 * 40);
    const raw = heap.alloc(16 * 40 * 3);
    const rawRef = heap.alloc(16 * 40 * 3);
    fill(ivs, 16 * 40, 5);
    let off: usize = 0;
    // 40 streams: keys cycle 0,0,1,2,1,..., lengths 1..200, and every fifth also keeps 3 raw blocks
    for (let i: usize = 0; i < 40; i++) {
      const iv = ivs + (i << 4);
      store<u8>(iv + 14, 0); store<u8>(iv + 15, 0);
      const ctx = ctxs + ((i * 7 % 5) % 3) * AES_CTX_SIZE;
      const len = 1 + (i * 37) % 200;
      lanesAddStream(ctx, iv, 0, src + off, dstL + off, len);
      const c = heap.alloc(16);
      memory.copy(c, iv, 16);
      aesCtrXor(ctx, c, src + off, dstR + off, len, CTR_MODE_CM);
      if (i % 5 == 0) {
        lanesAddRaw(ctx, iv, 20, 3, raw + i * 48);
        for (let j: usize = 0; j < 3; j++) counterPlus(iv, 20 + <u64>j, CTR_MODE_CM, rawRef + i * 48 + (j << 4));
        aesEcbEncrypt(ctx, rawRef + i * 48, rawRef + i * 48, 3);
      }
      off += len;
    }
    lanesEnd();
    expect(toHex(dstL, off)).toBe(toHex(dstR, off));
    for (let i: usize = 0; i < 40; i += 5) expect(toHex(raw + i * 48, 48)).toBe(toHex(rawRef + i * 48, 48));
  });
});
