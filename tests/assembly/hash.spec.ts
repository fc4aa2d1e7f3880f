// Internal AssemblyScript API of the hash module (what the SRTP and TLS modules call directly):
// streaming equals one-shot at every split, HMAC streaming equals hmacCompute, truncation, verify,
// HKDF-Expand-Label's encoding, snapshots, and the power-on self-test.
import {
  ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512, SHA_CTX_SIZE, HMAC_KEY_SIZE, HMAC_CTX_SIZE,
  shaDigest, shaDigestLen, shaInit, shaUpdate, shaFinal, shaSnapshot,
  hmacKeyInit, hmacInit, hmacUpdate, hmacFinal, hmacCompute, hmacVerify,
  hkdfExpand, hkdfExpandLabel, tls12Prf,
} from "../../assembly/crypto/hash/index";
import { hashSelfTest } from "../../assembly/crypto/hash/selftest";
import { toHex } from "./hex";

function fill(p: usize, n: usize, seed: u32): void {
  let x = seed | 1;
  for (let i: usize = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    store<u8>(p + i, <u8>x);
  }
}

const ALGS: i32[] = [ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512];

describe("SHA internal API", () => {
  it("knows SHA-256('abc') (FIPS 180-2 B.1)", () => {
    const m = heap.alloc(3);
    store<u8>(m, 0x61); store<u8>(m, 0x62, 1); store<u8>(m, 0x63, 2);
    const out = heap.alloc(64);
    shaDigest(ALG_SHA256, m, 3, out);
    expect(toHex(out, 32)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("streams to the same digest at every split point, around the padding edges", () => {
    const msg = heap.alloc(300);
    fill(msg, 300, 7);
    const ctx = heap.alloc(SHA_CTX_SIZE);
    const a = heap.alloc(64);
    const b = heap.alloc(64);
    for (let k = 0; k < ALGS.length; k++) {
      const alg = ALGS[k];
      const dl = shaDigestLen(alg);
      for (let n: usize = 100; n <= 260; n += 53) {
        shaDigest(alg, msg, n, a);
        for (let cut: usize = 0; cut <= n; cut += 7) {
          shaInit(ctx, alg);
          shaUpdate(ctx, msg, cut);
          shaUpdate(ctx, msg + cut, 0);
          shaUpdate(ctx, msg + cut, n - cut);
          shaFinal(ctx, b);
          expect(toHex(b, dl)).toBe(toHex(a, dl));
        }
      }
    }
  });

  it("snapshots without disturbing the stream", () => {
    const msg = heap.alloc(200);
    fill(msg, 200, 3);
    const ctx = heap.alloc(SHA_CTX_SIZE);
    const a = heap.alloc(64);
    const b = heap.alloc(64);
    shaInit(ctx, ALG_SHA384);
    shaUpdate(ctx, msg, 130);
    shaSnapshot(ctx, a);
    shaDigest(ALG_SHA384, msg, 130, b);
    expect(toHex(a, 48)).toBe(toHex(b, 48));
    shaUpdate(ctx, msg + 130, 70);
    shaFinal(ctx, a);
    shaDigest(ALG_SHA384, msg, 200, b);
    expect(toHex(a, 48)).toBe(toHex(b, 48));
  });
});

describe("HMAC internal API", () => {
  it("streams (SRTP: header||payload, then ROC) to the same tag as hmacCompute, truncated or not", () => {
    const key = heap.alloc(200);
    fill(key, 200, 11);
    const msg = heap.alloc(180);
    fill(msg, 180, 5);
    const k = heap.alloc(HMAC_KEY_SIZE);
    const m = heap.alloc(HMAC_CTX_SIZE);
    const a = heap.alloc(64);
    const b = heap.alloc(64);
    for (let i = 0; i < ALGS.length; i++) {
      const alg = ALGS[i];
      const dl = shaDigestLen(alg);
      for (let kl: usize = 0; kl <= 200; kl += 40) {
        hmacKeyInit(k, alg, key, kl);
        hmacCompute(k, msg, 176, a, dl);
        hmacInit(m, k);
        hmacUpdate(m, msg, 172);
        hmacUpdate(m, msg + 172, 4);
        hmacFinal(m, b, dl);
        expect(toHex(b, dl)).toBe(toHex(a, dl));
        hmacCompute(k, msg, 176, b, 10);
        expect(toHex(b, 10)).toBe(toHex(a, 10));
        expect(hmacVerify(k, msg, 176, a, dl)).toBe(1);
        expect(hmacVerify(k, msg, 176, a, 10)).toBe(1);
        store<u8>(a + 9, load<u8>(a + 9) ^ 1);
        expect(hmacVerify(k, msg, 176, a, 10)).toBe(0);
      }
    }
  });

  it("knows RFC 2202 case 2 (key 'Jefe')", () => {
    const key = heap.alloc(4);
    store<u32>(key, 0x6566654a); // "Jefe"
    const text = "what do ya want for nothing?";
    const msg = heap.alloc(28);
    for (let i = 0; i < 28; i++) store<u8>(msg + <usize>i, <u8>text.charCodeAt(i));
    const k = heap.alloc(HMAC_KEY_SIZE);
    const out = heap.alloc(20);
    hmacKeyInit(k, ALG_SHA1, key, 4);
    hmacCompute(k, msg, 28, out, 20);
    expect(toHex(out, 20)).toBe("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  });
});

describe("KDF internal API", () => {
  it("HKDF-Expand-Label = HKDF-Expand over the HkdfLabel structure", () => {
    const secret = heap.alloc(48);
    fill(secret, 48, 9);
    const label = heap.alloc(8);
    for (let i = 0; i < 3; i++) store<u8>(label + <usize>i, <u8>"key".charCodeAt(i));
    const info = heap.alloc(16);
    // 00 10 | 09 "tls13 key" | 00
    store<u8>(info, 0); store<u8>(info, 16, 1); store<u8>(info, 9, 2);
    const t = "tls13 key";
    for (let i = 0; i < 9; i++) store<u8>(info + 3 + <usize>i, <u8>t.charCodeAt(i));
    store<u8>(info, 0, 12);
    const a = heap.alloc(16);
    const b = heap.alloc(16);
    hkdfExpandLabel(ALG_SHA384, secret, 48, label, 3, label, 0, a, 16);
    hkdfExpand(ALG_SHA384, secret, 48, info, 13, b, 16);
    expect(toHex(a, 16)).toBe(toHex(b, 16));
  });

  it("TLS 1.2 PRF output is a prefix-consistent stream", () => {
    const s = heap.alloc(48);
    fill(s, 48, 1);
    const a = heap.alloc(200);
    const b = heap.alloc(200);
    tls12Prf(ALG_SHA256, s, 48, s, 5, s + 5, 30, a, 200);
    tls12Prf(ALG_SHA256, s, 48, s, 5, s + 5, 30, b, 77);
    expect(toHex(b, 77)).toBe(toHex(a, 77));
  });

  it("passes the power-on self-test", () => {
    expect(hashSelfTest()).toBe(0);
  });
});
