// GHASH (ghash_run, BearSSL br_ghash semantics) on both shipped builds: the SIMD build's ctmul32x4
// and the scalar build's ctmul64. Known answers: BearSSL KAT_GHASH (16 cases), the GHASH
// intermediates of the McGrew-Viega GCM test cases and of RFC 7714 §16/§17; then a differential test
// against a bit-by-bit SP 800-38D reference (ghash-ref.ts), including operands that stress the
// "multiplication with holes" (all-ones words maximise the per-column term counts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import { ghashRef, ghashAC, lengthBlock } from "./ghash-ref.js";

interface GhashCase { name: string; H: string; aad: string; ciphertext: string; ghash: string }
interface GcmCase { name: string; key: string; iv: string; aad: string; plaintext: string; ciphertext: string; tag: string; H: string; J0: string; ghash: string }
interface Rfc7714Case { name: string; aad: string; ciphertext_and_tag: string; tag: string; H: string; ghash: string }

const ERR_BOUNDS = -1;

function concat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function padded(b: Uint8Array): Uint8Array {
  const out = new Uint8Array((b.length + 15) & ~15);
  out.set(b);
  return out;
}

test("the reference agrees with the published vectors (so it can be trusted as an oracle)", () => {
  for (const c of loadVectors<GhashCase>("ghash").cases) {
    assert.equal(toHex(ghashAC(hex(c.H), hex(c.aad), hex(c.ciphertext))), c.ghash, c.name);
  }
});

for (const variant of VARIANTS) {
  test(`${variant}: BearSSL KAT_GHASH, in one call and in three calls`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const file = loadVectors<GhashCase>("ghash");
    assert.equal(file.cases.length, 16);
    for (const c of file.cases) {
      const h = hex(c.H), a = hex(c.aad), ct = hex(c.ciphertext);
      const len = lengthBlock(a.length, ct.length);
      const one = gcm.ghash(h, undefined, concat(padded(a), padded(ct), len));
      assert.equal(toHex(one), c.ghash, `${c.name}, one call`);
      let y = gcm.ghash(h, undefined, a);
      y = gcm.ghash(h, y, ct);
      y = gcm.ghash(h, y, len);
      assert.equal(toHex(y), c.ghash, `${c.name}, three calls`);
    }
  });

  test(`${variant}: GHASH intermediates of the McGrew-Viega GCM test cases and RFC 7714`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const mv = loadVectors<GcmCase>("aes_gcm_mcgrew_viega");
    assert.equal(mv.cases.length, 18);
    for (const c of mv.cases) {
      const a = hex(c.aad), ct = hex(c.ciphertext);
      const y = gcm.ghash(hex(c.H), undefined, concat(padded(a), padded(ct), lengthBlock(a.length, ct.length)));
      assert.equal(toHex(y), c.ghash, c.name);
      // J0 for IVs other than 96 bits: GHASH(IV || 0-pad || [0]64 || [len(IV)]64)
      const iv = hex(c.iv);
      if (iv.length !== 12) {
        const j0 = gcm.ghash(hex(c.H), undefined, concat(padded(iv), lengthBlock(0, iv.length)));
        assert.equal(toHex(j0), c.J0, `${c.name} J0`);
      }
    }
    const rfc = loadVectors<Rfc7714Case>("srtp_aes_gcm_rfc7714");
    assert.equal(rfc.cases.length, 8);
    for (const c of rfc.cases) {
      const a = hex(c.aad);
      const ctt = hex(c.ciphertext_and_tag);
      const ct = ctt.subarray(0, ctt.length - 16);
      const y = gcm.ghash(hex(c.H), undefined, concat(padded(a), padded(ct), lengthBlock(a.length, ct.length)));
      assert.equal(toHex(y), c.ghash, c.name);
    }
  });

  test(`${variant}: differential against the SP 800-38D reference, lengths 0..700 and chunked calls`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const lengths = [0, 1, 15, 16, 17, 31, 32, 48, 63, 64, 65, 80, 112, 127, 128, 129, 143, 144, 160, 176, 255, 256, 257, 700];
    for (let i = 0; i < 60; i++) lengths.push(Math.floor(Math.random() * 701));
    for (const n of lengths) {
      const h = randomBytes(16), y = randomBytes(16), d = randomBytes(n);
      assert.equal(toHex(gcm.ghash(h, y, d)), toHex(ghashRef(h, y, d)), `length ${n}`);
    }
    // block-aligned splits give the same result as one call; unaligned splits pad each piece
    const h = randomBytes(16), d = randomBytes(600);
    const whole = gcm.ghash(h, undefined, d);
    for (const cut of [16, 64, 128, 144, 512]) {
      const y = gcm.ghash(h, gcm.ghash(h, undefined, d.subarray(0, cut)), d.subarray(cut));
      assert.equal(toHex(y), toHex(whole), `split at ${cut}`);
    }
    const y2 = gcm.ghash(h, gcm.ghash(h, undefined, d.subarray(0, 100)), d.subarray(100));
    assert.equal(toHex(y2), toHex(ghashRef(h, ghashRef(h, new Uint8Array(16), d.subarray(0, 100)), d.subarray(100))));
  });

  test(`${variant}: operands that maximise carries in the integer multiplies`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const ones = new Uint8Array(16).fill(0xff);
    const one = new Uint8Array(16);
    one[0] = 0x80; // the field's 1
    const patterns = [ones, one, new Uint8Array(16), new Uint8Array(16).fill(0x11), new Uint8Array(16).fill(0x88),
      new Uint8Array(16).fill(0xee), new Uint8Array(16).fill(0x77), Uint8Array.from({ length: 16 }, (_, i) => (i & 1 ? 0xff : 0))];
    for (const h of patterns) {
      for (const fill of [0xff, 0x11, 0x88, 0x00, 0x5a]) {
        for (const n of [16, 48, 160, 256]) {
          const d = new Uint8Array(n).fill(fill);
          for (const y of [new Uint8Array(16), ones]) {
            assert.equal(toHex(gcm.ghash(h, y, d)), toHex(ghashRef(h, y, d)), `h ${toHex(h)} fill ${fill} n ${n}`);
          }
        }
      }
    }
    // H = 1: one block gives Y ^ X; H = 0: anything gives 0
    const x = randomBytes(16);
    assert.equal(toHex(gcm.ghash(one, undefined, x)), toHex(x));
    assert.equal(toHex(gcm.ghash(new Uint8Array(16), randomBytes(16), randomBytes(300))), "00".repeat(16));
  });

  test(`${variant}: ghash_run refuses ranges outside the arena and leaves y untouched`, async () => {
    const core = await shippedCore(variant);
    const f = core.fn("ghash_run");
    const p = core.arena.alloc(64);
    try {
      const end = core.arena.end;
      core.u8.fill(0x3c, p + 16, p + 32);
      assert.equal(f(0, p + 16, p + 32, 16), ERR_BOUNDS, "h in static data");
      assert.equal(f(p, end - 8, p + 32, 16), ERR_BOUNDS, "y past the end");
      assert.equal(f(p, p + 16, end - 15, 16), ERR_BOUNDS, "data past the end");
      assert.equal(f(p, p + 16, p + 32, 0xffffffff), ERR_BOUNDS, "length wraps");
      assert.equal(f(p, p + 16, 0xfffffff0, 0x20), ERR_BOUNDS, "pointer + length overflows");
      assert.ok(core.u8.subarray(p + 16, p + 32).every((b) => b === 0x3c), "y untouched");
      assert.equal(f(p, p + 16, end, 0), 0, "an empty range at the end is fine");
      assert.ok(core.u8.subarray(p + 16, p + 32).every((b) => b === 0x3c), "no data: y unchanged");
      // y may overlap the data (it is read before and written after)
      core.u8.set(randomBytes(48), p);
      const before = core.take(p, 48);
      assert.equal(f(p, p + 16, p + 16, 32), 0);
      assert.equal(toHex(core.take(p + 16, 16)), toHex(ghashRef(before.subarray(0, 16), before.subarray(16, 32), before.subarray(16, 48))));
    } finally {
      core.arena.release(p);
    }
  });
}
