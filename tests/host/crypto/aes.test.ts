// AES block and counter modes against published known answers and against Node's crypto (OpenSSL),
// on both shipped builds (SIMD: bitsliced v128; scalar: bitsliced ct64).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import type { AesCtrMode } from "../../../host/core/crypto/aes.js";

interface BlockCase { name: string; key: string; plaintext: string; ciphertext: string }
interface CtrCase {
  name: string; key: string; initial_counter: string; plaintext: string; ciphertext: string;
  blocks: { counter: string; keystream: string; plaintext: string; ciphertext: string }[];
}
interface CmCase {
  name: string; session_key: string; iv_initial_counter: string;
  blocks: { counter: string; keystream: string }[];
}

/** A small deterministic PRNG (xorshift32) so failures reproduce; crypto randomness for keys. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

function nodeEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

function nodeCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ctr`, key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** Keystream by ECB over counter blocks stepped here: an implementation independent of ours. */
function refKeystream(key: Uint8Array, iv: Uint8Array, mode: AesCtrMode, blocks: number): Uint8Array {
  const ctrs = new Uint8Array(blocks * 16);
  const c = Uint8Array.from(iv);
  const width = mode === "ctr128" ? 16 : mode === "ctr32" ? 4 : 2;
  for (let i = 0; i < blocks; i++) {
    ctrs.set(c, i * 16);
    for (let j = 15; j >= 16 - width; j--) {
      c[j] = (c[j]! + 1) & 0xff;
      if (c[j] !== 0) break;
    }
  }
  return nodeEcb(key, ctrs);
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) o[i] = a[i]! ^ b[i]!;
  return o;
}

const KEY_LENGTHS = [16, 24, 32];

for (const variant of VARIANTS) {
  test(`${variant}: FIPS-197 Appendix C known answers (ECB, single block)`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    const v = loadVectors<BlockCase>("aes_fips197_appendix_c");
    assert.equal(v.cases.length, 3);
    for (const c of v.cases) {
      assert.equal(toHex(aes.ecbEncrypt(hex(c.key), hex(c.plaintext))), c.ciphertext, c.name);
    }
  });

  test(`${variant}: SP 800-38A F.5 CTR known answers, whole and block by block`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    const v = loadVectors<CtrCase>("aes_ctr_sp800_38a_f5");
    assert.equal(v.cases.length, 3);
    for (const c of v.cases) {
      const key = hex(c.key);
      assert.equal(toHex(aes.ctrXor(key, hex(c.initial_counter), "ctr128", hex(c.plaintext))), c.ciphertext, c.name);
      for (const b of c.blocks) {
        assert.equal(toHex(aes.ctrXor(key, hex(b.counter), "ctr128", new Uint8Array(16))), b.keystream, `${c.name} ${b.counter}`);
        assert.equal(toHex(aes.ecbEncrypt(key, hex(b.counter))), b.keystream);
      }
      // one byte at a time continues the keystream across calls
      const s = aes.ctr(key, hex(c.initial_counter), "ctr128");
      const pt = hex(c.plaintext);
      const out: number[] = [];
      for (const byte of pt) out.push(...s.update(Uint8Array.of(byte)));
      s.close();
      assert.equal(toHex(Uint8Array.from(out)), c.ciphertext);
    }
  });

  test(`${variant}: RFC 3711 B.2 / RFC 6188 AES-CM keystream known answers`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    const v = loadVectors<CmCase>("srtp_aes_cm_keystream");
    assert.equal(v.cases.length, 3);
    for (const c of v.cases) {
      const key = hex(c.session_key);
      assert.ok([16, 24, 32].includes(key.length));
      for (const b of c.blocks) {
        assert.equal(toHex(aes.ctrXor(key, hex(b.counter), "aesCm", new Uint8Array(16))), b.keystream, `${c.name} ${b.counter}`);
      }
      // the blocks that follow the initial counter, as one continuous keystream
      const run = c.blocks.filter((_, i) => c.blocks[i]!.counter.slice(0, 28) === c.iv_initial_counter.slice(0, 28) && parseInt(c.blocks[i]!.counter.slice(28), 16) === i);
      assert.ok(run.length >= 3);
      const ks = aes.ctrXor(key, hex(c.iv_initial_counter), "aesCm", new Uint8Array(16 * run.length));
      assert.equal(toHex(ks), run.map((b) => b.keystream).join(""));
    }
  });

  test(`${variant}: ECB matches node:crypto on 1500 random keys and lengths 0..4096`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    const rnd = prng(0xae5 + variant.length);
    for (let i = 0; i < 1500; i++) {
      const key = randomBytes(KEY_LENGTHS[i % 3]!);
      const len = i < 300 ? (i % 30) * 16 : (rnd() % 257) * 16;
      const data = randomBytes(len);
      const ours = aes.ecbEncrypt(key, data);
      if (toHex(ours) !== toHex(nodeEcb(key, data))) assert.fail(`ECB mismatch: key ${toHex(key)} len ${len}`);
    }
  });

  test(`${variant}: CTR128 matches node:crypto on 1500 random keys/IVs, lengths 0..4096, odd chunks`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    const rnd = prng(0xc7a + variant.length);
    const CHUNKS = [1, 3, 15, 16, 17, 31, 63, 160];
    for (let i = 0; i < 1500; i++) {
      const key = randomBytes(KEY_LENGTHS[i % 3]!);
      const iv = randomBytes(16);
      if (i % 10 === 1) iv.fill(0xff, 8); // carry out of the low 64 bits (and wrap at i % 50 == 1)
      if (i % 50 === 1) iv.fill(0xff);
      const len = rnd() % 4097;
      const data = randomBytes(len);
      const want = toHex(nodeCtr(key, iv, data));
      // one shot
      const one = aes.ctrXor(key, iv, "ctr128", data);
      if (toHex(one) !== want) assert.fail(`CTR one-shot mismatch: key ${toHex(key)} iv ${toHex(iv)} len ${len}`);
      // in chunks: a fixed odd size, or random sizes
      const fixed = CHUNKS[i % CHUNKS.length]!;
      const s = aes.ctr(key, iv, "ctr128");
      const parts: Uint8Array[] = [];
      for (let off = 0; off < len; ) {
        const n = i % 2 === 0 ? fixed : 1 + (rnd() % 300);
        const part = data.subarray(off, Math.min(len, off + n));
        parts.push(s.update(part));
        off += part.length;
      }
      s.close();
      const got = toHex(Buffer.concat(parts));
      if (got !== want) assert.fail(`CTR chunked mismatch: key ${toHex(key)} iv ${toHex(iv)} len ${len} chunk ${i % 2 === 0 ? fixed : "random"}`);
    }
  });

  test(`${variant}: CTR32 wraps its low 32 bits only (vs an independent ECB computation)`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    for (const key of [randomBytes(16), randomBytes(24), randomBytes(32)]) {
      for (const low of [0xfffffff0, 0xfffffffe, 0xffffffff, 0x00000001]) {
        const iv = randomBytes(16);
        iv.writeUInt32BE(low, 12);
        if (low === 0xffffffff) iv.fill(0xff, 0, 12); // the other 96 bits must not change either
        const len = 40 * 16 + 5;
        const data = randomBytes(len);
        const want = xor(data, refKeystream(key, iv, "ctr32", 41).subarray(0, len));
        assert.equal(toHex(aes.ctrXor(key, iv, "ctr32", data)), toHex(want), `low word ${low.toString(16)}`);
        const s = aes.ctr(key, iv, "ctr32");
        const parts = [s.update(data.subarray(0, 17)), s.update(data.subarray(17, 200)), s.update(data.subarray(200))];
        s.close();
        assert.equal(toHex(Buffer.concat(parts)), toHex(want));
      }
    }
    // and it differs from CTR128 exactly when the carry would leave the low word
    const key = randomBytes(16);
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(0xffffffff, 12);
    const a = aes.ctrXor(key, iv, "ctr32", new Uint8Array(32));
    const b = aes.ctrXor(key, iv, "ctr128", new Uint8Array(32));
    assert.equal(toHex(a.subarray(0, 16)), toHex(b.subarray(0, 16)));
    assert.notEqual(toHex(a.subarray(16)), toHex(b.subarray(16)));
  });

  test(`${variant}: AES-CM increments the low 16 bits (vs an independent ECB computation)`, async () => {
    const aes = (await shippedCore(variant)).crypto.aes;
    for (const key of [randomBytes(16), randomBytes(24), randomBytes(32)]) {
      const iv = randomBytes(16);
      iv.writeUInt16BE(0, 14);
      const len = 10 * 16; // one SRTP G.711 payload
      const data = randomBytes(len + 37);
      const want = xor(data, refKeystream(key, iv, "aesCm", 13).subarray(0, data.length));
      assert.equal(toHex(aes.ctrXor(key, iv, "aesCm", data)), toHex(want));
      const s = aes.ctr(key, iv, "aesCm");
      const parts = [1, 3, 15, 16, 17, 31, 63].map((n, i, a) => {
        const off = a.slice(0, i).reduce((x, y) => x + y, 0);
        return s.update(data.subarray(off, off + n));
      });
      parts.push(s.update(data.subarray(146)));
      s.close();
      assert.equal(toHex(Buffer.concat(parts)), toHex(want));
    }
  });
}
