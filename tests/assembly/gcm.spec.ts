// Internal specs for GHASH and GCM. The host tests run every vector against both shipped builds;
// here both GHASH implementations are compiled into one module (the spec build has SIMD), so they
// can be compared directly, block path against block path, on the same inputs.
import { GHASH_KEY_SIZE as KEY64, ghashKeyInit as keyInit64, ghashUpdate as update64, ghashLengths as lengths64 } from "../../assembly/crypto/gcm/ghash_ctmul64";
import { GHASH_SIMD_KEY_SIZE, ghashSimdKeyInit, ghashSimdUpdate, ghashSimdLengths } from "../../assembly/crypto/gcm/ghash_ctmul32x4";
import { GCM_CTX_SIZE, gcmKeyInit, gcmSeal, gcmOpen } from "../../assembly/crypto/gcm/gcm";
import { ERR_AUTH, ERR_KEY_LENGTH, OK } from "../../assembly/abi/status";

let seed: u32 = 0x2545f491;
function next(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}
function fill(p: usize, n: usize): void {
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, <u8>next());
}
function hex16(p: usize): string {
  let s = "";
  for (let i: usize = 0; i < 16; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

describe("GHASH: ctmul64 (scalar build) and ctmul32x4 (SIMD build) agree", () => {
  it("on every length 0..160 and some up to 400, with 1 and 4 powers of H, from a random state", () => {
    const k64 = heap.alloc(KEY64);
    const kv = heap.alloc(GHASH_SIMD_KEY_SIZE);
    const work = heap.alloc(32);
    const h = heap.alloc(16);
    const data = heap.alloc(400);
    const s1 = heap.alloc(16);
    const s2 = heap.alloc(16);
    for (let powers = 1; powers <= 4; powers += 3) {
      for (let n: usize = 0; n <= 400; n += n < 160 ? 1 : 23) {
        fill(h, 16);
        fill(data, n);
        fill(s1, 16);
        memory.copy(s2, s1, 16);
        keyInit64(k64, h, powers);
        ghashSimdKeyInit(kv, h, powers, work);
        update64(k64, s1, data, n);
        ghashSimdUpdate(kv, s2, data, n);
        expect(hex16(s2)).toBe(hex16(s1));
        lengths64(k64, s1, <u64>n, <u64>(n * 3));
        ghashSimdLengths(kv, s2, <u64>n, <u64>(n * 3), work);
        expect(hex16(s2)).toBe(hex16(s1));
      }
    }
  });

  it("with all-ones and single-bit operands (maximal and minimal carries)", () => {
    const k64 = heap.alloc(KEY64);
    const kv = heap.alloc(GHASH_SIMD_KEY_SIZE);
    const work = heap.alloc(32);
    const h = heap.alloc(16);
    const data = heap.alloc(256);
    const s1 = heap.alloc(16);
    const s2 = heap.alloc(16);
    for (let bit = 0; bit < 129; bit += bit < 128 ? 9 : 1) {
      if (bit == 128) memory.fill(h, 0xff, 16);
      else {
        memory.fill(h, 0, 16);
        store<u8>(h + (<usize>bit >> 3), <u8>(<u32>0x80 >> <u32>(bit & 7)));
      }
      memory.fill(data, 0xff, 256);
      memory.fill(s1, 0xff, 16);
      memory.fill(s2, 0xff, 16);
      keyInit64(k64, h, 4);
      ghashSimdKeyInit(kv, h, 4, work);
      update64(k64, s1, data, 256);
      ghashSimdUpdate(kv, s2, data, 256);
      expect(hex16(s2)).toBe(hex16(s1));
    }
  });
});

describe("GCM internal API", () => {
  it("seals and opens; a wrong tag gives ERR_AUTH and leaves dst alone; bad key lengths are refused", () => {
    const ctx = heap.alloc(GCM_CTX_SIZE);
    const key = heap.alloc(32);
    const iv = heap.alloc(64);
    const aad = heap.alloc(64);
    const pt = heap.alloc(600);
    const ct = heap.alloc(600);
    const out = heap.alloc(600);
    const tag = heap.alloc(16);
    expect(gcmKeyInit(ctx, key, 20)).toBe(ERR_KEY_LENGTH);
    for (let n: usize = 0; n < 600; n += 71) {
      fill(key, 32);
      fill(iv, 64);
      fill(aad, 64);
      fill(pt, n);
      const keyLen: i32 = n % 3 == 0 ? 16 : n % 3 == 1 ? 24 : 32;
      const ivLen: usize = n % 5 == 0 ? 1 + (n % 60) : 12;
      expect(gcmKeyInit(ctx, key, keyLen)).toBe(OK);
      gcmSeal(ctx, iv, ivLen, aad, n % 64, pt, ct, n, tag, 16);
      memory.fill(out, 0xa5, 600);
      expect(gcmOpen(ctx, iv, ivLen, aad, n % 64, ct, out, n, tag, 16)).toBe(OK);
      expect(memory.compare(out, pt, n)).toBe(0);
      store<u8>(tag + 7, load<u8>(tag + 7) ^ 0x10);
      memory.fill(out, 0xa5, 600);
      expect(gcmOpen(ctx, iv, ivLen, aad, n % 64, ct, out, n, tag, 16)).toBe(ERR_AUTH);
      let untouched = 0;
      for (let i: usize = 0; i < 600; i++) if (load<u8>(out + i) == 0xa5) untouched++;
      expect(untouched).toBe(600);
      // in place
      memory.copy(out, pt, n);
      gcmSeal(ctx, iv, ivLen, aad, n % 64, out, out, n, tag, 16);
      expect(memory.compare(out, ct, n)).toBe(0);
    }
  });
});
