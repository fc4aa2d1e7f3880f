// Internals of the AES implementations (both are compiled here: as-pect builds with SIMD on).
import { ct64Blocks, ct64Ctr, ct64KeyPlanes, CT64_PLANE_BYTES } from "../../assembly/crypto/aes/bitslice_ct64";
import { v128Blocks, v128Ctr, v128KeyPlanes, V128_PLANE_BYTES } from "../../assembly/crypto/aes/bitslice_v128";
import { aesExpandKeyWords as expandWords } from "../../assembly/crypto/aes/aes";
import { aesExpandKeyWords, aesSubWord, aesKeyInit, aesCtrXor, aesCtrXorFirst, aesEncryptBlock, AES_CTX_SIZE, CTR_MODE_CM, CTR_MODE_32 } from "../../assembly/crypto/aes/aes";

// FIPS-197 Figure 7 S-box (as printed in the standard; here generated from its definition,
// multiplicative inverse in GF(2^8) then the affine map, and spot-checked: S(00)=63, S(53)=ed).
const SBOX = memory.data<u8>([
  0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
  0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
  0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
  0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
  0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
  0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
  0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
  0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
  0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
  0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
  0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
  0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
  0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
  0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
  0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
  0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
]);
// ShiftRows as a byte permutation: out[p] = in[SR[p]]
const SR = memory.data<u8>([0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11]);

const IMPL_CT64: i32 = 0;
const IMPL_V128: i32 = 1;

function blocks(impl: i32, rk: usize, rounds: i32, src: usize, dst: usize, n: usize): void {
  if (impl == IMPL_CT64) ct64Blocks(rk, rounds, src, dst, n);
  else v128Blocks(rk, rounds, src, dst, n);
}

function zeroKeys(): usize {
  const z = heap.alloc(4 * 128);
  memory.fill(z, 0, 4 * 128);
  return z;
}

let seed: u32 = 0x9e3779b9;
function rnd(): u32 {
  seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
  return seed;
}

function hexOf(p: usize, n: usize): string {
  let s = "";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

function fromHex(h: string, out: usize): void {
  for (let i = 0; i < h.length; i += 2) store<u8>(out + <usize>(i >> 1), <u8>I32.parseInt(h.substr(i, 2), 16));
}

describe("bitsliced S-box circuit", () => {
  it("equals the FIPS-197 S-box for all 256 inputs (ct64 and v128)", () => {
    const z = zeroKeys();
    const inp = heap.alloc(256);
    const out = heap.alloc(256);
    for (let i: usize = 0; i < 256; i++) store<u8>(inp + i, <u8>i);
    for (let impl = 0; impl < 2; impl++) {
      memory.fill(out, 0, 256);
      // one round with all-zero round keys: ShiftRows(S(x)) ^ 0x63 (the 0x63 lives in real round keys)
      blocks(impl, z, 1, inp, out, 16);
      for (let b: usize = 0; b < 16; b++) {
        for (let p: usize = 0; p < 16; p++) {
          const x = load<u8>(inp + 16 * b + <usize>load<u8>(SR + p));
          expect<i32>(load<u8>(out + 16 * b + p) ^ 0x63).toBe(<i32>load<u8>(SBOX + <usize>x));
        }
      }
    }
  });

  it("SubWord of the key schedule goes through the same circuit", () => {
    for (let x: u32 = 0; x < 256; x += 4) {
      const w = x | ((x + 1) << 8) | ((x + 2) << 16) | ((x + 3) << 24);
      const s = aesSubWord(w);
      for (let j: u32 = 0; j < 4; j++) {
        expect<u32>((s >> (8 * j)) & 0xff).toBe(<u32>load<u8>(SBOX + <usize>(x + j)));
      }
    }
  });
});

describe("bitslice transforms", () => {
  it("round-trip any number of blocks with no rounds and zero keys (ct64 and v128)", () => {
    const z = zeroKeys();
    const inp = heap.alloc(17 * 16);
    const out = heap.alloc(17 * 16);
    for (let impl = 0; impl < 2; impl++) {
      for (let n: usize = 1; n <= 17; n++) {
        for (let i: usize = 0; i < n * 16; i += 4) store<u32>(inp + i, rnd());
        memory.fill(out, 0xee, 17 * 16);
        blocks(impl, z, 0, inp, out, n);
        expect<string>(hexOf(out, n * 16)).toBe(hexOf(inp, n * 16));
        // nothing written past n blocks
        for (let i: usize = n * 16; i < 17 * 16; i++) expect<u8>(load<u8>(out + i)).toBe(0xee);
      }
    }
  });

  it("key planes match the block transform: rounds = 0 gives x ^ k (ct64 and v128)", () => {
    const key = heap.alloc(16);
    const rk = heap.alloc(128);
    const inp = heap.alloc(8 * 16);
    const out = heap.alloc(8 * 16);
    for (let trial = 0; trial < 20; trial++) {
      for (let i: usize = 0; i < 16; i += 4) store<u32>(key + i, rnd());
      for (let i: usize = 0; i < 128; i += 4) store<u32>(inp + i, rnd());
      for (let impl = 0; impl < 2; impl++) {
        const c: u32 = trial & 1 ? 0x63 : 0;
        if (impl == IMPL_CT64) ct64KeyPlanes(key, c, rk);
        else v128KeyPlanes(key, c, rk, false);
        blocks(impl, rk, 0, inp, out, 8);
        for (let i: usize = 0; i < 128; i++) {
          expect<i32>(load<u8>(out + i)).toBe(<i32>(load<u8>(inp + i) ^ load<u8>(key + (i & 15)) ^ c));
        }
      }
    }
  });

  it("plane sizes are 64 bytes (ct64) and 128 bytes (v128)", () => {
    expect<usize>(CT64_PLANE_BYTES).toBe(64);
    expect<usize>(V128_PLANE_BYTES).toBe(128);
  });
});

describe("key expansion (FIPS-197 Appendix A)", () => {
  it("AES-128 A.1: w[4..7] and w[40..43]", () => {
    const key = heap.alloc(32);
    const w = heap.alloc(60 * 4);
    fromHex("2b7e151628aed2a6abf7158809cf4f3c", key);
    expect<i32>(aesExpandKeyWords(key, 16, w)).toBe(10);
    expect<string>(hexOf(w + 16, 16)).toBe("a0fafe1788542cb123a339392a6c7605");
    expect<string>(hexOf(w + 160, 16)).toBe("d014f9a8c9ee2589e13f0cc8b6630ca6");
  });
  it("AES-192 A.2: w[6..7] and w[48..51]", () => {
    const key = heap.alloc(32);
    const w = heap.alloc(60 * 4);
    fromHex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", key);
    expect<i32>(aesExpandKeyWords(key, 24, w)).toBe(12);
    expect<string>(hexOf(w + 24, 8)).toBe("fe0c91f72402f5a5");
    expect<string>(hexOf(w + 192, 16)).toBe("e98ba06f448c773c8ecc720401002202");
  });
  it("AES-256 A.3: w[8..9] and w[56..59]", () => {
    const key = heap.alloc(32);
    const w = heap.alloc(60 * 4);
    fromHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", key);
    expect<i32>(aesExpandKeyWords(key, 32, w)).toBe(14);
    expect<string>(hexOf(w + 32, 8)).toBe("9ba354118e6925af");
    expect<string>(hexOf(w + 224, 16)).toBe("fe4890d1e6188d0b046df344706c631e");
  });
  it("refuses other key lengths", () => {
    const key = heap.alloc(64);
    const w = heap.alloc(60 * 4);
    expect<i32>(aesExpandKeyWords(key, 20, w)).toBe(0);
    expect<i32>(aesKeyInit(heap.alloc(AES_CTX_SIZE), key, 0)).toBe(-3);
  });
});

describe("counter modes (internal API)", () => {
  it("AES-CM increments only the low 16 bits; CTR32 only the low 32 bits", () => {
    const ctx = heap.alloc(AES_CTX_SIZE);
    const key = heap.alloc(16);
    const ctr = heap.alloc(16);
    const buf = heap.alloc(48);
    const one = heap.alloc(16);
    fromHex("000102030405060708090a0b0c0d0e0f", key);
    aesKeyInit(ctx, key, 16);
    fromHex("ffffffffffffffffffffffffffffffff", ctr);
    memory.fill(buf, 0, 48);
    aesCtrXor(ctx, ctr, buf, buf, 33, CTR_MODE_CM); // 3 blocks, the last partial
    expect<string>(hexOf(ctr, 16)).toBe("ffffffffffffffffffffffffffff0002");
    // the second keystream block is E(ff..ff 0000)
    fromHex("ffffffffffffffffffffffffffff0000", one);
    aesEncryptBlock(ctx, one, one);
    expect<string>(hexOf(buf + 16, 16)).toBe(hexOf(one, 16));
    fromHex("0000000000000000ffffffffffffffff", ctr);
    aesCtrXor(ctx, ctr, buf, buf, 16, CTR_MODE_32);
    expect<string>(hexOf(ctr, 16)).toBe("0000000000000000ffffffff00000000");
  });
});

/** Builds the round-key planes of either implementation (same steps as aesKeyInit). */
function planesFor(impl: i32, key: usize, keyLen: i32, rk: usize): i32 {
  const w = heap.alloc(60 * 4);
  const rounds = expandWords(key, keyLen, w);
  const P: usize = impl == IMPL_CT64 ? 64 : 128;
  for (let r = 0; r <= rounds; r++) {
    const c: u32 = r == 0 ? 0 : 0x63;
    if (impl == IMPL_CT64) ct64KeyPlanes(w + (<usize>r << 4), c, rk + <usize>r * P);
    else v128KeyPlanes(w + (<usize>r << 4), c, rk + <usize>r * P, r == rounds);
  }
  return rounds;
}

/** Steps a 16-byte big-endian counter by one within its low `width` bytes. */
function stepCounter(p: usize, width: i32): void {
  for (let j = 15; j >= 16 - width; j--) {
    const v = load<u8>(p + <usize>j) + 1;
    store<u8>(p + <usize>j, <u8>v);
    if ((v & 0xff) != 0) break;
  }
}

describe("counter-mode drivers of both implementations", () => {
  it("equal ECB of stepped counters for every length 0..300, every mode, and update the counter", () => {
    const key = heap.alloc(32);
    const rk = heap.alloc(15 * 128);
    const ctr = heap.alloc(16);
    const ref = heap.alloc(16);
    const src = heap.alloc(320);
    const dst = heap.alloc(320);
    const ks = heap.alloc(320);
    const part = heap.alloc(16);
    for (let i: usize = 0; i < 32; i += 4) store<u32>(key + i, rnd());
    for (let i: usize = 0; i < 320; i += 4) store<u32>(src + i, rnd());
    for (let impl = 0; impl < 2; impl++) {
      for (let keyLen = 16; keyLen <= 32; keyLen += 8) {
        const rounds = planesFor(impl, key, keyLen, rk);
        for (let mode = 0; mode < 3; mode++) {
          const width = mode == 0 ? 16 : mode == 1 ? 4 : 2;
          for (let len: usize = 0; len <= 300; len += (len < 36 ? 1 : 13)) {
            // start near a carry: low 64 bits ff..fd for CTR128, low 32 / 16 bits near wrap otherwise
            for (let i: usize = 0; i < 16; i += 4) store<u32>(ctr + i, rnd());
            if (mode == 0) store<u64>(ctr, 0xfdffffffffffffff, 8);
            else if (mode == 1) store<u32>(ctr, 0xfbffffff, 12);
            else store<u16>(ctr, 0xf0ff, 14); // big-endian 0xfff0: 16 blocks before the 16-bit wrap
            if (mode == 2 && len > 16 * 16) continue; // AES-CM callers never pass the wrap
            memory.copy(ref, ctr, 16);
            // reference keystream: encrypt stepped counters block by block
            const nb = (len + 15) >> 4;
            for (let b: usize = 0; b < nb; b++) {
              memory.copy(ks + (b << 4), ref, 16);
              stepCounter(ref, width);
            }
            blocks(impl, rk, rounds, ks, ks, nb);
            memory.fill(part, 0, 16);
            if (impl == IMPL_CT64) ct64Ctr(rk, rounds, ctr, src, dst, len, mode, part, 0);
            else v128Ctr(rk, rounds, ctr, src, dst, len, mode, part, 0, 0, 0);
            let bad = 0;
            for (let i: usize = 0; i < len; i++) {
              if (load<u8>(dst + i) != (load<u8>(src + i) ^ load<u8>(ks + i))) bad++;
            }
            for (let i: usize = 0; i < 16; i++) {
              if (load<u8>(ctr + i) != load<u8>(ref + i)) bad++; // counter advanced past every block used
              const want: u8 = (len & 15) != 0 ? load<u8>(ks + ((len >> 4) << 4) + i) : 0;
              if (load<u8>(part + i) != want) bad++; // the partial block's whole keystream block
            }
            expect<i32>(bad).toBe(0);
          }
        }
      }
    }
  });
});

describe("fused first block + counter mode (GCM's E(K, J0) and CTR32 from J0 + 1)", () => {
  it("GCM spec Test Case 3: E(K, J0) = tag ^ GHASH, ciphertext = PT ^ keystream from J0 + 1", () => {
    const ctx = heap.alloc(AES_CTX_SIZE);
    const key = heap.alloc(16);
    const j0 = heap.alloc(16);
    const ek = heap.alloc(16);
    const buf = heap.alloc(64);
    fromHex("feffe9928665731c6d6a8f9467308308", key);
    fromHex("cafebabefacedbaddecaf88800000001", j0);
    fromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", buf);
    aesKeyInit(ctx, key, 16);
    aesCtrXorFirst(ctx, j0, ek, buf, buf, 64, CTR_MODE_32);
    // tag 4d5c2af327cd64a62cf35abd2ba6fab4 ^ GHASH 7f1b32b81b820d02614f8895ac1d4eac (tests/vectors/aes_gcm_mcgrew_viega.json)
    expect<string>(hexOf(ek, 16)).toBe("3247184b3c4f69a44dbcd22887bbb418");
    expect<string>(hexOf(buf, 64)).toBe("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985");
    expect<string>(hexOf(j0, 16)).toBe("cafebabefacedbaddecaf88800000006");
  });

  it("equals a separate block + counter run in both implementations, lengths 0..200, every mode", () => {
    const key = heap.alloc(32);
    const rk = heap.alloc(15 * 128);
    const c1 = heap.alloc(16);
    const c2 = heap.alloc(16);
    const first = heap.alloc(16);
    const one = heap.alloc(16);
    const src = heap.alloc(256);
    const a = heap.alloc(256 + 32);
    const b = heap.alloc(256 + 32);
    for (let i: usize = 0; i < 32; i += 4) store<u32>(key + i, rnd());
    for (let i: usize = 0; i < 256; i += 4) store<u32>(src + i, rnd());
    for (let impl = 0; impl < 2; impl++) {
      const rounds = planesFor(impl, key, 32, rk);
      for (let mode = 0; mode < 3; mode++) {
        for (let len: usize = 0; len <= 200; len += (len < 40 ? 1 : 11)) {
          for (let i: usize = 0; i < 16; i += 4) store<u32>(c1 + i, rnd());
          if (mode == 0) store<u64>(c1, 0xfeffffffffffffff, 8);
          else store<u16>(c1, 0, 14);
          memory.copy(c2, c1, 16);
          // guard bytes around the fused output: the 16 bytes before dst must stay untouched
          memory.fill(a, 0xa5, 256 + 32);
          memory.copy(b, a, 256 + 32);
          if (impl == IMPL_CT64) ct64Ctr(rk, rounds, c1, src, a + 16, len, mode, 0, first);
          else v128Ctr(rk, rounds, c1, src, a + 16, len, mode, 0, first, 0, 0);
          // reference: one block, then the stream from the next counter
          blocks(impl, rk, rounds, c2, one, 1);
          stepCounter(c2, mode == 0 ? 16 : mode == 1 ? 4 : 2);
          if (impl == IMPL_CT64) ct64Ctr(rk, rounds, c2, src, b + 16, len, mode, 0, 0);
          else v128Ctr(rk, rounds, c2, src, b + 16, len, mode, 0, 0, 0, 0);
          let bad = 0;
          for (let i: usize = 0; i < 16; i++) {
            if (load<u8>(first + i) != load<u8>(one + i)) bad++;
            if (load<u8>(c1 + i) != load<u8>(c2 + i)) bad++;
          }
          for (let i: usize = 0; i < 256 + 32; i++) if (load<u8>(a + i) != load<u8>(b + i)) bad++;
          expect<i32>(bad).toBe(0);
        }
      }
    }
  });
});
