// Four-lane HMAC-SHA1 (hmac_sha1_x4.ts) against the one-message hmacSha1Compute: every message
// length 0..300 mixed across lanes (all padding edges: 55, 56, 63, 64, 119, 120, 176, 182 among
// them), every count 1..4, tag lengths 4/10/20 (and 1..20), random keys of 0..100 bytes; the
// RFC 2202 known answers through the lanes; tags over messages; the wipe of the job table and
// scratch. tests/as-pect.asconfig.json enables SIMD, so hmacSha1X4 runs its four-lane path here
// (checked below); the scalar build's path (hmacSha1X4Serial) is run directly as well.
import { HMAC_SHA1_KEY_SIZE, hmacSha1KeyInit, hmacSha1Compute } from "../../assembly/crypto/hash/hmac_sha1";
import {
  HX4_JOBS, HX4_JOB_SIZE, HX4_LANES, hmacSha1X4, hmacSha1X4Serial, hmacSha1X4ScratchClear,
} from "../../assembly/crypto/hash/hmac_sha1_x4";
import { hexInto, toHex } from "./hex";

// xorshift32 (Marsaglia 2003): the spec's reproducible randomness.
let rng: u32 = 0x9e3779b9;
function next(): u32 {
  rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
  return rng;
}
function fill(p: usize, n: usize): void {
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, <u8>next());
}

function setJob(j: i32, kctx: usize, msg: usize, len: usize, out: usize, outLen: usize): void {
  const r = HX4_JOBS + <usize>j * HX4_JOB_SIZE;
  store<u32>(r, <u32>kctx, 0);
  store<u32>(r, <u32>msg, 4);
  store<u32>(r, <u32>len, 8);
  store<u32>(r, <u32>out, 12);
  store<u32>(r, <u32>outLen, 16);
}

// Per lane: a key context, a 320-byte message, the tag from hmacSha1X4 (32 bytes, sentinel 0xee
// past the tag) and the reference tag.
const KCTX = heap.alloc(4 * HMAC_SHA1_KEY_SIZE);
const MSG = heap.alloc(4 * 320);
const OUT = heap.alloc(4 * 32);
const REF = heap.alloc(4 * 32);
const KEY = heap.alloc(128);
const TAG_LENS: usize[] = [4, 10, 20];
const EDGES: usize[] = [55, 56, 63, 64, 119, 120, 176, 182, 0, 300];

/**
 * Runs count lanes with the given lengths (fresh random keys and messages), through `serial` or the
 * default path, and checks every lane's tag against hmacSha1Compute, the bytes past it, the lanes
 * past count (untouched) and the wipe.
 */
function runLanes(count: i32, lens: usize[], tagLens: usize[], serial: bool): void {
  for (let j = 0; j < HX4_LANES; j++) {
    const kl = <usize>(next() % 101);
    fill(KEY, kl);
    const k = KCTX + <usize>j * HMAC_SHA1_KEY_SIZE;
    hmacSha1KeyInit(k, KEY, kl);
    const m = MSG + <usize>j * 320;
    fill(m, lens[j]);
    memory.fill(OUT + <usize>j * 32, 0xee, 32);
    hmacSha1Compute(k, m, lens[j], REF + <usize>j * 32, 20);
    if (j < count) setJob(j, k, m, lens[j], OUT + <usize>j * 32, tagLens[j]);
    else setJob(j, 0xdead0000, 0xbeef0000, 999999, 0xfeed0000, 20); // must be ignored
  }
  if (serial) hmacSha1X4Serial(count);
  else hmacSha1X4(count);
  for (let j = 0; j < HX4_LANES; j++) {
    const o = OUT + <usize>j * 32;
    if (j < count) {
      const tl = tagLens[j];
      expect(toHex(o, tl)).toBe(toHex(REF + <usize>j * 32, tl));
      expect(load<u8>(o + tl)).toBe(0xee);
    } else {
      expect(load<u64>(o)).toBe(0xeeeeeeeeeeeeeeee);
    }
  }
  expect(hmacSha1X4ScratchClear()).toBe(true);
}

function sweep(serial: bool): void {
  const lens: usize[] = [0, 0, 0, 0];
  const tls: usize[] = [20, 20, 20, 20];
  for (let n: usize = 0; n <= 300; n++) {
    // Every length in every lane, against partners of other lengths (and of the same length).
    lens[0] = n;
    lens[1] = (n * 7 + 13) % 301;
    lens[2] = EDGES[<i32>(n % <usize>EDGES.length)];
    lens[3] = 300 - n;
    for (let j = 0; j < 4; j++) tls[j] = TAG_LENS[<i32>((n + <usize>j) % 3)];
    runLanes(<i32>(n % 4) + 1, lens, tls, serial);
    // rotate the lengths so n also runs in lanes 1..3
    const l0 = lens[0];
    lens[0] = lens[3]; lens[3] = lens[2]; lens[2] = lens[1]; lens[1] = l0;
    runLanes(4, lens, tls, serial);
  }
  // all lanes one length (SRTP's usual batch)
  for (let e = 0; e < EDGES.length; e++) {
    for (let j = 0; j < 4; j++) { lens[j] = EDGES[e]; tls[j] = 10; }
    runLanes(4, lens, tls, serial);
    runLanes(3, lens, tls, serial);
  }
}

describe("hmacSha1X4 (four HMAC-SHA1 lanes)", () => {
  it("runs its SIMD path in this build (tests/as-pect.asconfig.json enables simd)", () => {
    expect(ASC_FEATURE_SIMD).toBe(true);
  });

  it("equals hmacSha1Compute for lengths 0..300 mixed across lanes, counts 1..4, tags 4/10/20", () => {
    sweep(false);
  });

  it("cuts tags to every length 1..20 and nothing past it", () => {
    const lens: usize[] = [176, 176, 176, 176];
    for (let tl: usize = 1; tl <= 20; tl++) {
      const tls: usize[] = [tl, 21 - tl, tl, 20];
      runLanes(4, lens, tls, false);
    }
  });

  it("knows RFC 2202 HMAC-SHA-1 test cases 1-7 in every lane (tests/vectors/hmac_sha1_rfc2202.json)", () => {
    // RFC 2202 §3, as transcribed in tests/vectors/hmac_sha1_rfc2202.json (from BearSSL
    // test/test_crypto.c); keys, data and full 160-bit MACs.
    const keys: string[] = [
      "0b".repeat(20), "4a656665", "aa".repeat(20), "0102030405060708090a0b0c0d0e0f10111213141516171819",
      "0c".repeat(20), "aa".repeat(80), "aa".repeat(80),
    ];
    const data: string[] = [
      "4869205468657265",
      "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
      "dd".repeat(50),
      "cd".repeat(50),
      "546573742057697468205472756e636174696f6e",
      "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
      "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b657920616e64204c6172676572205468616e204f6e6520426c6f636b2d53697a652044617461",
    ];
    const macs: string[] = [
      "b617318655057264e28bc0b6fb378c8ef146be00",
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
      "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
      "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
      "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
      "aa4ae5e15272d00e95705637ce8a3b55ed402112",
      "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
    ];
    // Seven cases, four lanes: every (case, lane) pair across seven calls of four lanes, the case
    // for lane j of call r being (r + j) % 7; then each case alone (count 1).
    for (let r = 0; r < 7; r++) {
      for (let j = 0; j < 4; j++) {
        const c = (r + j) % 7;
        const k = KCTX + <usize>j * HMAC_SHA1_KEY_SIZE;
        hmacSha1KeyInit(k, KEY, hexInto(KEY, keys[c]));
        const m = MSG + <usize>j * 320;
        setJob(j, k, m, hexInto(m, data[c]), OUT + <usize>j * 32, 20);
      }
      hmacSha1X4(4);
      for (let j = 0; j < 4; j++) expect(toHex(OUT + <usize>j * 32, 20)).toBe(macs[(r + j) % 7]);
    }
    for (let c = 0; c < 7; c++) {
      hmacSha1KeyInit(KCTX, KEY, hexInto(KEY, keys[c]));
      setJob(0, KCTX, MSG, hexInto(MSG, data[c]), OUT, 20);
      hmacSha1X4(1);
      expect(toHex(OUT, 20)).toBe(macs[c]);
    }
    expect(hmacSha1X4ScratchClear()).toBe(true);
  });

  it("writes tags after all hashing: over its own message, over another lane's message", () => {
    const lens: usize[] = [180, 176, 64, 10];
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < 4; j++) {
        const k = KCTX + <usize>j * HMAC_SHA1_KEY_SIZE;
        fill(KEY, 20);
        hmacSha1KeyInit(k, KEY, 20);
        const m = MSG + <usize>j * 320;
        fill(m, lens[j]);
        hmacSha1Compute(k, m, lens[j], REF + <usize>j * 32, 10);
      }
      // lane 0's tag over its own last 4 bytes (the ROC in SRTP); lane 1's over the start of lane
      // 2's message; lane 2's over lane 3's; lane 3's over lane 0's first bytes.
      const outs: usize[] = [MSG + 176, MSG + 640, MSG + 960, MSG];
      for (let j = 0; j < 4; j++) {
        setJob(j, KCTX + <usize>j * HMAC_SHA1_KEY_SIZE, MSG + <usize>j * 320, lens[j], outs[j], 10);
      }
      if (pass == 0) hmacSha1X4(4);
      else hmacSha1X4Serial(4);
      for (let j = 0; j < 4; j++) expect(toHex(outs[j], 10)).toBe(toHex(REF + <usize>j * 32, 10));
    }
  });

  it("computes nothing for count 0 or below, treats counts above 4 as 4, and still wipes", () => {
    memory.fill(OUT, 0xee, 32);
    setJob(0, KCTX, MSG, 10, OUT, 20);
    hmacSha1X4(0);
    expect(load<u64>(OUT)).toBe(0xeeeeeeeeeeeeeeee);
    expect(hmacSha1X4ScratchClear()).toBe(true);
    setJob(0, KCTX, MSG, 10, OUT, 20);
    hmacSha1X4(-3);
    expect(load<u64>(OUT)).toBe(0xeeeeeeeeeeeeeeee);
    expect(hmacSha1X4ScratchClear()).toBe(true);
    const lens: usize[] = [1, 2, 3, 4];
    const tls: usize[] = [20, 20, 20, 20];
    for (let j = 0; j < 4; j++) {
      const k = KCTX + <usize>j * HMAC_SHA1_KEY_SIZE;
      hmacSha1KeyInit(k, KEY, 16);
      setJob(j, k, MSG + <usize>j * 320, lens[j], OUT + <usize>j * 32, 20);
      hmacSha1Compute(k, MSG + <usize>j * 320, lens[j], REF + <usize>j * 32, 20);
    }
    hmacSha1X4(9);
    for (let j = 0; j < 4; j++) expect(toHex(OUT + <usize>j * 32, 20)).toBe(toHex(REF + <usize>j * 32, 20));
    expect(hmacSha1X4ScratchClear()).toBe(true);
  });

  it("scalar build's path (hmacSha1X4Serial) gives the same tags", () => {
    sweep(true);
  });
});
