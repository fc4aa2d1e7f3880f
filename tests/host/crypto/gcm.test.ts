// AES-GCM (gcm_seal / gcm_open) on both shipped builds: McGrew-Viega test cases 1-18, RFC 7714's
// AES-GCM cases as plain GCM, a differential test against Node's crypto (OpenSSL) over thousands of
// random keys, IVs, AADs and lengths 0..4096, truncated tags, tampering (ERR_AUTH with the output
// untouched), in-place operation, counter wrap-around with a crafted IV, and the host wrapper.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { CoreError, type Core } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import { toBig, fromBig, gfMul, gfInv, lengthBlock } from "./ghash-ref.js";

interface GcmCase { name: string; key: string; iv: string; aad: string; plaintext: string; ciphertext: string; tag: string; H: string; J0: string }
interface Rfc7714Case { name: string; key: string; iv: string; aad: string; plaintext: string; ciphertext_and_tag: string; tag: string }

const ERR_AUTH = -5;

/** xorshift32, so a failing case can be reproduced from the seed printed in the message. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

function nodeSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array): { ct: Uint8Array; tag: Uint8Array } {
  const c = createCipheriv(`aes-${key.length * 8}-gcm` as "aes-128-gcm", key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return { ct: new Uint8Array(ct), tag: new Uint8Array(c.getAuthTag()) };
}

function nodeEcb(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

/** Raw-export harness: fixed, separate blocks for every argument in a core's arena. */
class Raw {
  readonly ctx: number;
  readonly iv: number;
  readonly aad: number;
  readonly src: number;
  readonly dst: number;
  readonly tag: number;
  constructor(readonly core: Core) {
    const a = core.arena;
    this.ctx = a.alloc(core.fn("gcm_ctx_size")());
    this.iv = a.alloc(512);
    this.aad = a.alloc(4096);
    this.src = a.alloc(8192);
    this.dst = a.alloc(8192);
    this.tag = a.alloc(16);
  }
  get u8(): Uint8Array {
    return this.core.u8;
  }
  keyInit(key: Uint8Array): void {
    this.u8.set(key, this.src);
    assert.equal(this.core.fn("gcm_key_init")(this.ctx, this.src, key.length), 0);
    this.u8.fill(0, this.src, this.src + key.length);
  }
  /** open() from src to a dst pre-filled with 0xa5; returns the status and whether dst is intact. */
  openPattern(iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): { status: number; intact: boolean; out: Uint8Array } {
    const u8 = this.u8;
    u8.set(iv, this.iv);
    u8.set(aad, this.aad);
    u8.set(ct, this.src);
    u8.set(tag, this.tag);
    u8.fill(0xa5, this.dst, this.dst + ct.length + 64);
    const status = this.core.fn("gcm_open")(this.ctx, this.iv, iv.length, this.aad, aad.length, this.src, this.dst, ct.length, this.tag, tag.length);
    const intact = u8.subarray(this.dst, this.dst + ct.length + 64).every((b) => b === 0xa5);
    return { status, intact, out: this.core.take(this.dst, ct.length) };
  }
  release(): void {
    for (const p of [this.ctx, this.iv, this.aad, this.src, this.dst, this.tag]) this.core.arena.release(p);
  }
}

for (const variant of VARIANTS) {
  test(`${variant}: McGrew-Viega GCM test cases 1-18 (AES-128/192/256; 96-, 64- and 480-bit IVs)`, async () => {
    const core = await shippedCore(variant);
    const gcm = core.crypto.gcm;
    const file = loadVectors<GcmCase>("aes_gcm_mcgrew_viega");
    assert.equal(file.cases.length, 18);
    for (const c of file.cases) {
      const { ciphertext, tag } = gcm.seal(hex(c.key), hex(c.iv), hex(c.aad), hex(c.plaintext));
      assert.equal(toHex(ciphertext), c.ciphertext, c.name);
      assert.equal(toHex(tag), c.tag, c.name);
      const pt = gcm.open(hex(c.key), hex(c.iv), hex(c.aad), hex(c.ciphertext), hex(c.tag));
      assert.equal(toHex(pt), c.plaintext, c.name);
      // the intermediates: H = E(K, 0^128) through this build's AES (the GHASH/J0 intermediates are
      // checked in ghash.test.ts)
      assert.equal(toHex(core.crypto.aes.ecbEncrypt(hex(c.key), new Uint8Array(16))), c.H, `${c.name} H`);
    }
  });

  test(`${variant}: RFC 7714 §16-17 AES-GCM cases as plain GCM (key, IV, AAD, PT -> CT || tag)`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const file = loadVectors<Rfc7714Case>("srtp_aes_gcm_rfc7714");
    assert.equal(file.cases.length, 8);
    for (const c of file.cases) {
      const { ciphertext, tag } = gcm.seal(hex(c.key), hex(c.iv), hex(c.aad), hex(c.plaintext));
      assert.equal(toHex(ciphertext) + toHex(tag), c.ciphertext_and_tag, c.name);
      const ctt = hex(c.ciphertext_and_tag);
      const pt = gcm.open(hex(c.key), hex(c.iv), hex(c.aad), ctt.subarray(0, ctt.length - 16), ctt.subarray(ctt.length - 16));
      assert.equal(toHex(pt), c.plaintext, c.name);
    }
  });

  test(`${variant}: differential against Node's crypto: 2000 random keys, IVs, AADs, lengths 0..4096`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const seed = (Date.now() ^ (variant === "simd" ? 0x5eed : 0xbeef)) >>> 0;
    const r = prng(seed);
    // edge lengths: empty, partial blocks, whole batches (8 blocks SIMD, 4 scalar), the short-path limit
    const edges = [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 160, 172, 255, 256, 480, 495, 496, 497, 511, 512, 513, 1024, 1500, 4095, 4096];
    for (let i = 0; i < 2000; i++) {
      const key = randomBytes([16, 24, 32][r() % 3]!);
      const ivLen = r() % 4 === 0 ? 1 + (r() % 100) : 12;
      const iv = randomBytes(ivLen);
      const aad = randomBytes(r() % 8 === 0 ? r() % 2000 : r() % 90);
      const n = i < edges.length ? edges[i]! : r() % 4 === 0 ? r() % 4097 : r() % 600;
      const pt = randomBytes(n);
      const ref = nodeSeal(key, iv, aad, pt);
      const k = gcm.key(key);
      try {
        const got = k.seal(iv, aad, pt);
        const what = `seed ${seed} case ${i}: key ${key.length}, iv ${ivLen}, aad ${aad.length}, len ${n}`;
        assert.equal(toHex(got.ciphertext), toHex(ref.ct), what);
        assert.equal(toHex(got.tag), toHex(ref.tag), what);
        assert.equal(toHex(k.open(iv, aad, ref.ct, ref.tag)), toHex(pt), what);
      } finally {
        k.close();
      }
    }
  });

  test(`${variant}: truncated tags 4..16 are prefixes of the full tag; others are refused`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    const key = randomBytes(16), iv = randomBytes(12), aad = randomBytes(20), pt = randomBytes(77);
    const ref = nodeSeal(key, iv, aad, pt);
    const k = gcm.key(key);
    try {
      for (let t = 4; t <= 16; t++) {
        const { ciphertext, tag } = k.seal(iv, aad, pt, t);
        assert.equal(toHex(ciphertext), toHex(ref.ct));
        assert.equal(toHex(tag), toHex(ref.tag.subarray(0, t)), `tag length ${t}`);
        assert.equal(toHex(k.open(iv, aad, ciphertext, tag)), toHex(pt));
        const bad = Uint8Array.from(tag);
        bad[t - 1]! ^= 0x80;
        assert.throws(() => k.open(iv, aad, ciphertext, bad), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_AUTH");
      }
      for (const t of [0, 1, 3, 17, 32, 4.5]) {
        assert.throws(() => k.seal(iv, aad, pt, t), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG", `tag length ${t}`);
      }
      assert.throws(() => k.open(iv, aad, ref.ct, new Uint8Array(3)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG");
      assert.throws(() => k.open(iv, aad, ref.ct, new Uint8Array(17)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG");
    } finally {
      k.close();
    }
  });

  test(`${variant}: tampered tag, ciphertext, AAD or IV -> ERR_AUTH with the output buffer untouched`, async () => {
    const core = await shippedCore(variant);
    const raw = new Raw(core);
    try {
      // short path (staged), long path (batch-aligned or over the staging limit), empty payload
      for (const n of [0, 1, 60, 128, 160, 496, 512, 1000, 4096]) {
        const key = randomBytes(n % 3 === 0 ? 32 : 16), iv = randomBytes(n === 1000 ? 8 : 12), aad = randomBytes(n % 50);
        const pt = randomBytes(n);
        const ref = nodeSeal(key, iv, aad, pt);
        raw.keyInit(key);
        const ok = raw.openPattern(iv, aad, ref.ct, ref.tag);
        assert.equal(ok.status, n);
        assert.equal(toHex(ok.out), toHex(pt));
        const flip = (b: Uint8Array, i: number) => {
          const c = Uint8Array.from(b);
          c[i]! ^= 1 << (i % 8);
          return c;
        };
        const cases: [string, Uint8Array, Uint8Array, Uint8Array, Uint8Array][] = [
          ["tag first byte", iv, aad, ref.ct, flip(ref.tag, 0)],
          ["tag last byte", iv, aad, ref.ct, flip(ref.tag, 15)],
          ["IV", flip(iv, iv.length - 1), aad, ref.ct, ref.tag],
          ["IV length", iv.subarray(0, iv.length - 1), aad, ref.ct, ref.tag],
        ];
        if (n > 0) {
          cases.push(["ciphertext first byte", iv, aad, flip(ref.ct, 0), ref.tag]);
          cases.push(["ciphertext last byte", iv, aad, flip(ref.ct, n - 1), ref.tag]);
          cases.push(["ciphertext truncated", iv, aad, ref.ct.subarray(0, n - 1), ref.tag]);
        }
        if (aad.length > 0) cases.push(["AAD", iv, flip(aad, aad.length >> 1), ref.ct, ref.tag]);
        cases.push(["AAD extended", iv, Uint8Array.from([...aad, 0]), ref.ct, ref.tag]);
        for (const [what, i2, a2, c2, t2] of cases) {
          const res = raw.openPattern(i2, a2, c2, t2);
          assert.equal(res.status, ERR_AUTH, `${what}, len ${n}`);
          assert.ok(res.intact, `output untouched: ${what}, len ${n}`);
        }
      }
    } finally {
      raw.release();
    }
  });

  test(`${variant}: in place (src == dst) equals separate buffers, for seal and open`, async () => {
    const core = await shippedCore(variant);
    const raw = new Raw(core);
    const f = (n: string) => core.fn(n);
    try {
      for (const n of [0, 5, 160, 300, 512, 4000]) {
        const key = randomBytes(24), iv = randomBytes(12), aad = randomBytes(12), pt = randomBytes(n);
        const ref = nodeSeal(key, iv, aad, pt);
        raw.keyInit(key);
        const u8 = raw.u8;
        u8.set(iv, raw.iv);
        u8.set(aad, raw.aad);
        u8.set(pt, raw.src);
        assert.equal(f("gcm_seal")(raw.ctx, raw.iv, 12, raw.aad, 12, raw.src, raw.src, n, raw.tag, 16), n);
        assert.equal(toHex(core.take(raw.src, n)), toHex(ref.ct), `seal in place, ${n}`);
        assert.equal(toHex(core.take(raw.tag, 16)), toHex(ref.tag));
        assert.equal(f("gcm_open")(raw.ctx, raw.iv, 12, raw.aad, 12, raw.src, raw.src, n, raw.tag, 16), n);
        assert.equal(toHex(core.take(raw.src, n)), toHex(pt), `open in place, ${n}`);
        // a failing in-place open leaves the ciphertext where it was
        u8.set(ref.ct, raw.src);
        u8[raw.tag]! ^= 1;
        assert.equal(f("gcm_open")(raw.ctx, raw.iv, 12, raw.aad, 12, raw.src, raw.src, n, raw.tag, 16), ERR_AUTH);
        assert.equal(toHex(core.take(raw.src, n)), toHex(ref.ct));
      }
    } finally {
      raw.release();
    }
  });

  test(`${variant}: the 32-bit counter wraps mod 2^32 (IV crafted so that J0 ends in ff ff ff fe / ff)`, async () => {
    const gcm = (await shippedCore(variant)).crypto.gcm;
    for (const last of [0xfffffffe, 0xffffffff, 0xfffffff9]) {
      for (const keyLen of [16, 32]) {
        const key = randomBytes(keyLen);
        const h = toBig(nodeEcb(key, new Uint8Array(16)));
        const hInv = gfInv(h);
        // J0 = GHASH_H(IV || [0]64 || [128]64) for a one-block IV: J0 = ((IV·H) ^ L)·H
        const j0 = Buffer.concat([randomBytes(12), Buffer.alloc(4)]);
        j0.writeUInt32BE(last, 12);
        const L = toBig(lengthBlock(0, 16));
        const iv = fromBig(gfMul(gfMul(toBig(j0), hInv) ^ L, hInv));
        assert.equal(toHex(gcm.ghash(fromBig(h), undefined, Buffer.concat([iv, lengthBlock(0, 16)]))), toHex(j0), "crafted IV gives J0");
        for (const n of [16, 33, 160, 700]) {
          const aad = randomBytes(7), pt = randomBytes(n);
          const ref = nodeSeal(key, iv, aad, pt);
          const got = gcm.seal(key, iv, aad, pt);
          assert.equal(toHex(got.ciphertext), toHex(ref.ct), `J0 ...${last.toString(16)}, key ${keyLen}, len ${n}`);
          assert.equal(toHex(got.tag), toHex(ref.tag));
          assert.equal(toHex(gcm.open(key, iv, aad, ref.ct, ref.tag)), toHex(pt));
        }
      }
    }
  });

  test(`${variant}: host wrapper: error codes, key reuse, closed keys, arena blocks freed`, async () => {
    const core = await shippedCore(variant);
    const gcm = core.crypto.gcm;
    const before = core.arena.inUse;
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof CoreError);
        return e.code;
      }
      return "no error";
    };
    assert.equal(codeOf(() => gcm.key(new Uint8Array(20))), "ERR_CORE_KEY_LENGTH");
    assert.equal(codeOf(() => gcm.seal(new Uint8Array(16), new Uint8Array(0), new Uint8Array(0), new Uint8Array(1))), "ERR_CORE_ARG");
    assert.equal(codeOf(() => gcm.ghash(new Uint8Array(15), undefined, new Uint8Array(1))), "ERR_CORE_ARG");
    assert.equal(codeOf(() => gcm.ghash(new Uint8Array(16), new Uint8Array(17), new Uint8Array(1))), "ERR_CORE_ARG");
    const key = randomBytes(16);
    const k = gcm.key(key);
    // many messages under one key, growing the I/O block on the way
    for (const n of [10, 100, 1000, 10000, 50]) {
      const iv = randomBytes(12), aad = randomBytes(n % 30), pt = randomBytes(n);
      const s = k.seal(iv, aad, pt);
      const ref = nodeSeal(key, iv, aad, pt);
      assert.equal(toHex(s.ciphertext) + toHex(s.tag), toHex(ref.ct) + toHex(ref.tag));
      assert.equal(toHex(k.open(iv, aad, s.ciphertext, s.tag)), toHex(pt));
      const bad = Uint8Array.from(s.tag);
      bad[3]! ^= 4;
      const e = (() => {
        try {
          k.open(iv, aad, s.ciphertext, bad);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      assert.ok(e instanceof CoreError && e.code === "ERR_CORE_AUTH" && e.status === ERR_AUTH);
    }
    assert.equal(k.closed, false);
    k.close();
    k.close();
    assert.equal(k.closed, true);
    assert.equal(codeOf(() => k.seal(randomBytes(12), new Uint8Array(0), new Uint8Array(1))), "ERR_CORE_STATE");
    assert.equal(core.arena.inUse, before, "every arena block was released");
  });
}
