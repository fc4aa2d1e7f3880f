// Power-on known answers for the hash module. Returns 0, or the id of the first failure
// (201..208, listed in docs/abi.md). Works in the static scratch area below the arena, so it never
// touches host memory. Inputs and answers are written as hex/ASCII string literals, which live in
// static data and are read with charCodeAt (no allocation).
import { SCRATCH } from "../../abi/scratch";
import { ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512, shaFinal, shaInit, shaUpdate } from "./sha";
import { hmacCompute, hmacFinal, hmacInit, hmacKeyInit, hmacUpdate } from "./hmac";
import { hkdfExpand, hkdfExtract } from "./hkdf";
import { tls12Prf } from "./tls12_prf";

// Scratch layout (offsets into SCRATCH; total well under SCRATCH_SIZE).
const CTX: usize = SCRATCH;                           // SHA context (224)
const KCTX: usize = SCRATCH + 256;                    // HMAC key (144)
const MCTX: usize = SCRATCH + 512;                    // HMAC message context (304)
const IN1: usize = SCRATCH + 1024;                    // inputs, 512 bytes each
const IN2: usize = SCRATCH + 1536;
const IN3: usize = SCRATCH + 2048;
const OUT: usize = SCRATCH + 2560;                    // computed answer
const WANT: usize = SCRATCH + 3072;                   // expected answer

function hexNibble(c: i32): u32 {
  return c <= 0x39 ? <u32>(c - 0x30) : <u32>((c | 0x20) - 0x57);
}

/** Decodes a lowercase/uppercase hex literal into dst; returns the byte count. */
function fromHex(s: string, dst: usize): usize {
  const n = s.length >> 1;
  for (let i = 0; i < n; i++) {
    store<u8>(dst + <usize>i, <u8>((hexNibble(s.charCodeAt(2 * i)) << 4) | hexNibble(s.charCodeAt(2 * i + 1))));
  }
  return <usize>n;
}

/** Copies an ASCII literal into dst; returns the byte count. */
function fromAscii(s: string, dst: usize): usize {
  const n = s.length;
  for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>s.charCodeAt(i));
  return <usize>n;
}

/** True when the n bytes at OUT equal the hex answer (and the answer is n bytes long). */
function matches(want: string, n: usize): bool {
  if (fromHex(want, WANT) != n) return false;
  for (let i: usize = 0; i < n; i++) if (load<u8>(OUT + i) != load<u8>(WANT + i)) return false;
  return true;
}

/** Streams `msg` through shaInit/shaUpdate (in two pieces) /shaFinal and compares. */
function shaKat(alg: i32, msg: string, want: string, digestLen: usize): bool {
  const n = fromAscii(msg, IN1);
  shaInit(CTX, alg);
  shaUpdate(CTX, IN1, 1);
  shaUpdate(CTX, IN1 + 1, n - 1);
  shaFinal(CTX, OUT);
  return matches(want, digestLen);
}

export function hashSelfTest(): i32 {
  let r: i32 = 0;
  // 201..204: FIPS 180-4 example "abc" (FIPS 180-2 Appendices A.1, B.1, D.1, C.1; tests/vectors/sha_fips180.json).
  if (!shaKat(ALG_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d", 20)) r = 201;
  else if (!shaKat(ALG_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 32)) r = 202;
  else if (!shaKat(ALG_SHA384, "abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7", 48)) r = 203;
  else if (!shaKat(ALG_SHA512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", 64)) r = 204;
  else {
    // 205: RFC 2202 §3 HMAC-SHA-1 test case 2 (key "Jefe"), through the one-shot fast path.
    const kl = fromAscii("Jefe", IN1);
    const ml = fromAscii("what do ya want for nothing?", IN2);
    hmacKeyInit(KCTX, ALG_SHA1, IN1, kl);
    hmacCompute(KCTX, IN2, ml, OUT, 20);
    if (!matches("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", 20)) r = 205;
    else {
      // 206: RFC 4231 §4.3 HMAC-SHA-256 test case 2, through the streaming path.
      hmacKeyInit(KCTX, ALG_SHA256, IN1, kl);
      hmacInit(MCTX, KCTX);
      hmacUpdate(MCTX, IN2, 5);
      hmacUpdate(MCTX, IN2 + 5, ml - 5);
      hmacFinal(MCTX, OUT, 32);
      if (!matches("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32)) r = 206;
    }
  }
  if (r == 0) {
    // 207: RFC 5869 A.1 (HKDF-SHA256 test case 1): Extract, then Expand to 42 bytes.
    const il = fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", IN1);
    const sl = fromHex("000102030405060708090a0b0c", IN2);
    const fl = fromHex("f0f1f2f3f4f5f6f7f8f9", IN3);
    hkdfExtract(ALG_SHA256, IN2, sl, IN1, il, OUT);
    if (!matches("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", 32)) r = 207;
    else {
      memory.copy(IN1, OUT, 32);
      hkdfExpand(ALG_SHA256, IN1, 32, IN3, fl, OUT, 42);
      if (!matches("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", 42)) r = 207;
    }
  }
  if (r == 0) {
    // 208: TLS 1.2 PRF P_SHA256(secret = 00..2f, "gwsdk selftest", seed = a0..bf), 40 bytes. There is
    // no public known answer; this one was computed independently from RFC 5246 §5 with Node's
    // crypto.createHmac('sha256') (A(1) = HMAC(secret, label||seed), out = HMAC(secret, A(i)||label||seed)).
    for (let i: usize = 0; i < 48; i++) store<u8>(IN1 + i, <u8>i);
    const ll = fromAscii("gwsdk selftest", IN2);
    for (let i: usize = 0; i < 32; i++) store<u8>(IN3 + i, <u8>(0xa0 + i));
    tls12Prf(ALG_SHA256, IN1, 48, IN2, ll, IN3, 32, OUT, 40);
    if (!matches("60da501700f990bf03b007fcd9f2b5535c09c5ff1c78b4962140a56fb7ef5fb1548213c7f0ff520f", 40)) r = 208;
  }
  memory.fill(SCRATCH, 0, 3584);
  return r;
}

