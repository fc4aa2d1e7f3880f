// The hash module's raw ABI under bad input: unknown algorithms, bad lengths, ranges past the arena,
// uninitialised/garbage/finalised contexts, overlapping buffers. Every call returns a status (never
// traps) and a failed call writes nothing to its outputs. Then a random-argument fuzz of every export
// on a private core instance. On BOTH builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { loadCore } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { ALGS, ALG_ID, DIGEST_LEN, BLOCK_LEN, Prng, raw, testSeed } from "./hash-helpers.js";

const OK = 0;
const ERR_BOUNDS = -1;
const ERR_ARG = -2;
const ERR_KEY_LENGTH = -3;
const ERR_CAPACITY = -4;
const ERR_STATE = -7;

for (const variant of VARIANTS) {
  test(`${variant}: context sizes and digest lengths`, async () => {
    const r = raw(await shippedCore(variant));
    assert.equal(r.f("sha_ctx_size")(), 224);
    assert.equal(r.f("hmac_key_size")(), 144);
    assert.equal(r.f("hmac_ctx_size")(), 304);
    for (const alg of ALGS) assert.equal(r.f("sha_digest_len")(ALG_ID[alg]), DIGEST_LEN[alg]);
    for (const bad of [0, 5, -1, 0x7fffffff, 0x80000001]) assert.equal(r.f("sha_digest_len")(bad), ERR_ARG);
  });

  test(`${variant}: SHA statuses: bounds, unknown algorithm, capacity, uninitialised/garbage/finalised contexts`, async () => {
    const core = await shippedCore(variant);
    const r = raw(core);
    const ctx = r.alloc(224);
    const buf = r.alloc(256);
    const out = r.alloc(64);
    const f = r.f;
    try {
      // bounds
      assert.equal(f("sha_init")(0, 1), ERR_BOUNDS, "context in static data");
      assert.equal(f("sha_init")(r.end - 100, 1), ERR_BOUNDS, "context past the end");
      assert.equal(f("sha_digest")(1, r.end - 4, 8, out, 64), ERR_BOUNDS, "data past the end");
      assert.equal(f("sha_digest")(1, buf, 0xffffffff, out, 64), ERR_BOUNDS, "length wraps");
      assert.equal(f("sha_digest")(1, buf, 4, r.end - 10, 64), ERR_BOUNDS, "output past the end");
      // algorithms
      for (const bad of [0, 5, -1, 255]) {
        assert.equal(f("sha_init")(ctx, bad), ERR_ARG);
        assert.equal(f("sha_digest")(bad, buf, 3, out, 64), ERR_ARG);
      }
      // uninitialised (zeroed) context
      assert.equal(f("sha_update")(ctx, buf, 3), ERR_STATE);
      assert.equal(f("sha_final")(ctx, out, 64), ERR_STATE);
      assert.equal(f("sha_snapshot")(ctx, out, 64), ERR_STATE);
      // garbage contexts
      const rng = new Prng(99);
      for (let i = 0; i < 50; i++) {
        core.u8.set(rng.bytes(224), ctx);
        assert.equal(f("sha_update")(ctx, buf, 3), ERR_STATE, "random bytes");
      }
      // right magic, bad algorithm / bad buffered count
      assert.equal(f("sha_init")(ctx, 2), OK);
      const dv = new DataView(core.memory.buffer);
      dv.setUint32(ctx + 4, 9, true);
      assert.equal(f("sha_update")(ctx, buf, 3), ERR_STATE, "algorithm 9 in a context");
      assert.equal(f("sha_init")(ctx, 2), OK);
      dv.setUint32(ctx + 8, 64, true);
      assert.equal(f("sha_update")(ctx, buf, 3), ERR_STATE, "buffered == block length");
      dv.setUint32(ctx + 8, 0xffffffff, true);
      assert.equal(f("sha_final")(ctx, out, 64), ERR_STATE, "buffered huge");
      // capacity: nothing written
      for (const alg of ALGS) {
        const id = ALG_ID[alg];
        const dl = DIGEST_LEN[alg];
        core.u8.fill(0xaa, out, out + 64);
        assert.equal(f("sha_digest")(id, buf, 3, out, dl - 1), ERR_CAPACITY);
        assert.equal(f("sha_init")(ctx, id), OK);
        assert.equal(f("sha_final")(ctx, out, dl - 1), ERR_CAPACITY);
        assert.equal(f("sha_snapshot")(ctx, out, dl - 1), ERR_CAPACITY);
        assert.ok(core.u8.subarray(out, out + 64).every((b) => b === 0xaa), `${alg}: nothing written on failure`);
        // the context survived the refused final: finish it properly
        core.u8.set(new TextEncoder().encode("abc"), buf);
        assert.equal(f("sha_update")(ctx, buf, 3), OK);
        assert.equal(f("sha_final")(ctx, out, 64), dl);
        assert.equal(toHex(core.u8.slice(out, out + dl)), createHash(alg).update("abc").digest("hex"));
        // finalised: wiped and refused
        assert.ok(core.u8.subarray(ctx, ctx + 224).every((b) => b === 0), "sha_final wipes the context");
        assert.equal(f("sha_update")(ctx, buf, 3), ERR_STATE, "update after final");
        assert.equal(f("sha_final")(ctx, out, 64), ERR_STATE, "final twice");
      }
      // overlaps between a context and its buffers
      assert.equal(f("sha_init")(ctx, 1), OK);
      assert.equal(f("sha_update")(ctx, ctx + 100, 10), ERR_ARG, "data inside the context");
      assert.equal(f("sha_final")(ctx, ctx + 200, 64), ERR_ARG, "output overlapping the context");
      assert.equal(f("sha_snapshot")(ctx, ctx + 216, 20), ERR_ARG);
      assert.equal(f("sha_update")(ctx, buf, 0), OK, "an empty update is fine");
      // a one-shot digest may write over its own input
      core.u8.set(new TextEncoder().encode("abc"), buf);
      assert.equal(f("sha_digest")(2, buf, 3, buf, 256), 32);
      assert.equal(toHex(core.u8.slice(buf, buf + 32)), createHash("sha256").update("abc").digest("hex"));
    } finally {
      r.free(ctx);
      r.free(buf);
      r.free(out);
    }
  });

  test(`${variant}: HMAC statuses: bad key contexts, tag lengths, finalised message contexts, overlaps`, async () => {
    const core = await shippedCore(variant);
    const r = raw(core);
    const f = r.f;
    const kctx = r.alloc(144);
    const mctx = r.alloc(304);
    const buf = r.alloc(512);
    const out = r.alloc(64);
    try {
      assert.equal(f("hmac_key_init")(kctx, 0, buf, 3), ERR_ARG);
      assert.equal(f("hmac_key_init")(kctx, 5, buf, 3), ERR_ARG);
      assert.equal(f("hmac_key_init")(kctx, 1, r.end - 2, 3), ERR_BOUNDS);
      assert.equal(f("hmac_key_init")(r.end - 10, 1, buf, 3), ERR_BOUNDS);
      // uninitialised key context
      assert.equal(f("hmac_compute")(kctx, buf, 3, out, 20), ERR_STATE);
      assert.equal(f("hmac_verify")(kctx, buf, 3, out, 20), ERR_STATE);
      assert.equal(f("hmac_init")(mctx, kctx), ERR_STATE);
      // uninitialised message context
      assert.equal(f("hmac_update")(mctx, buf, 3), ERR_STATE);
      assert.equal(f("hmac_final")(mctx, out, 20), ERR_STATE);
      for (const alg of ALGS) {
        const dl = DIGEST_LEN[alg];
        assert.equal(f("hmac_key_init")(kctx, ALG_ID[alg], buf, 300), OK, "a key longer than a block");
        core.u8.fill(0xaa, out, out + 64);
        assert.equal(f("hmac_compute")(kctx, buf, 3, out, 0), ERR_ARG, "zero-length tag");
        assert.equal(f("hmac_compute")(kctx, buf, 3, out, dl + 1), ERR_ARG, "tag longer than the digest");
        assert.equal(f("hmac_verify")(kctx, buf, 3, out, 0), ERR_ARG);
        assert.equal(f("hmac_verify")(kctx, buf, 3, out, dl + 1), ERR_ARG);
        assert.equal(f("hmac_compute")(kctx, buf, 3, kctx + 8, 8), ERR_ARG, "tag over the key context");
        assert.equal(f("hmac_init")(mctx, kctx), OK);
        assert.equal(f("hmac_final")(mctx, out, 0), ERR_ARG);
        assert.equal(f("hmac_final")(mctx, out, dl + 1), ERR_ARG);
        assert.equal(f("hmac_final")(mctx, mctx + 4, 8), ERR_ARG, "tag over the message context");
        assert.equal(f("hmac_update")(mctx, mctx + 300, 8), ERR_ARG, "data overlapping the message context");
        assert.equal(f("hmac_init")(kctx + 16, kctx), ERR_ARG, "message context over the key context");
        assert.ok(core.u8.subarray(out, out + 64).every((b) => b === 0xaa), "nothing written on failure");
        assert.equal(f("hmac_update")(mctx, buf, 3), OK);
        assert.equal(f("hmac_final")(mctx, out, dl), dl);
        assert.ok(core.u8.subarray(mctx, mctx + 304).every((b) => b === 0), "hmac_final wipes the message context");
        assert.equal(f("hmac_update")(mctx, buf, 3), ERR_STATE, "update after final");
        assert.equal(f("hmac_final")(mctx, out, dl), ERR_STATE, "final twice");
        // a message context with a mismatched inner algorithm is refused
        assert.equal(f("hmac_init")(mctx, kctx), OK);
        new DataView(core.memory.buffer).setUint32(mctx + 80 + 4, ALG_ID[alg] === 1 ? 2 : 1, true);
        assert.equal(f("hmac_update")(mctx, buf, 3), ERR_STATE);
        // the key context tolerates data anywhere in the arena, including over itself
        assert.equal(f("hmac_compute")(kctx, kctx, 144, out, dl), dl);
        // an in-place tag over the message
        assert.equal(f("hmac_compute")(kctx, buf, 64, buf, dl), dl);
      }
    } finally {
      for (const p of [kctx, mctx, buf, out]) r.free(p);
    }
  });

  test(`${variant}: HKDF and PRF statuses: limits, overlaps, algorithms; nothing written on failure`, async () => {
    const core = await shippedCore(variant);
    const r = raw(core);
    const f = r.f;
    const a = r.alloc(256);
    const b = r.alloc(256);
    const out = r.alloc(20000);
    try {
      core.u8.fill(0x55, out, out + 20000);
      assert.equal(f("hkdf_extract")(0, a, 4, b, 4, out, 64), ERR_ARG);
      assert.equal(f("hkdf_extract")(2, a, 4, b, 4, out, 31), ERR_CAPACITY);
      assert.equal(f("hkdf_extract")(2, a, 4, r.end, 4, out, 64), ERR_BOUNDS);
      assert.equal(f("hkdf_expand")(5, a, 32, b, 4, out, 32), ERR_ARG);
      assert.equal(f("hkdf_expand")(2, a, 32, b, 4, out, 255 * 32 + 1), ERR_ARG);
      assert.equal(f("hkdf_expand")(2, a, 31, b, 4, out, 32), ERR_KEY_LENGTH);
      assert.equal(f("hkdf_expand")(2, a, 32, out + 10, 4, out, 32), ERR_ARG, "output overlapping info");
      assert.equal(f("hkdf_expand_label")(2, a, 32, b, 250, a, 0, out, 16), ERR_ARG, "label 250");
      assert.equal(f("hkdf_expand_label")(2, a, 32, b, 3, out + 19000, 256, out, 16), ERR_ARG, "context 256");
      assert.equal(f("hkdf_expand_label")(2, a, 16, b, 3, a, 0, out, 16), ERR_KEY_LENGTH);
      assert.equal(f("hkdf_expand_label")(1, a, 20, b, 3, a, 0, out, 255 * 20 + 1), ERR_ARG);
      for (const bad of [0, 1, 4, 5, -1]) assert.equal(f("tls12_prf")(bad, a, 48, b, 13, a, 64, out, 48), ERR_ARG, `PRF alg ${bad}`);
      assert.equal(f("tls12_prf")(2, a, 48, out + 40, 13, b, 64, out, 48), ERR_ARG, "output overlapping the label");
      assert.equal(f("tls12_prf")(3, a, 48, b, 13, out + 47, 64, out, 48), ERR_ARG, "output overlapping the seed");
      assert.equal(f("tls12_prf")(2, a, 48, b, 13, a, 64, r.end - 47, 48), ERR_BOUNDS);
      assert.ok(core.u8.subarray(out, out + 20000).every((v) => v === 0x55), "nothing written on failure");
      // HKDF-Expand-Label may write over its own inputs, HKDF-Expand over its PRK
      core.u8.set(new Uint8Array(32).fill(7), a);
      const want = core.crypto.hash.hkdfExpandLabel("sha256", new Uint8Array(32).fill(7), "key", new Uint8Array(0), 32);
      core.u8.set(new TextEncoder().encode("key"), b);
      assert.equal(f("hkdf_expand_label")(2, a, 32, b, 3, b, 0, a, 32), 32);
      assert.equal(toHex(core.u8.slice(a, a + 32)), toHex(want), "in place over the secret");
      core.u8.set(new Uint8Array(32).fill(7), a);
      assert.equal(f("hkdf_expand")(2, a, 32, b, 0, a, 64), 64);
      assert.equal(toHex(core.u8.slice(a, a + 64)), toHex(core.crypto.hash.hkdfExpand("sha256", new Uint8Array(32).fill(7), "", 64)), "expand over the PRK");
    } finally {
      for (const p of [a, b, out]) r.free(p);
    }
  });

  test(`${variant}: random-argument fuzz of every hash export: statuses only, no traps, self-test still passes`, async () => {
    // A private instance: the fuzz writes to random arena addresses.
    const core = await loadCore({ variant });
    const r = raw(core);
    const seed = testSeed();
    const rng = new Prng(seed);
    const span = r.end - r.base;
    // Pointers cluster near the arena's edges and inside static data; lengths near the sizes that matter.
    const ptr = () => {
      switch (rng.int(0, 5)) {
        case 0: return rng.int(0, r.base + 64);
        case 1: return r.end - rng.int(0, 400);
        case 2: return rng.u32();
        default: return r.base + rng.int(0, Math.min(span - 1, 1 << 16));
      }
    };
    const len = () => {
      switch (rng.int(0, 4)) {
        case 0: return rng.u32();
        case 1: return 0;
        default: return rng.int(0, 700);
      }
    };
    const alg = () => rng.int(-1, 6);
    const calls: [string, () => number[]][] = [
      ["sha_init", () => [ptr(), alg()]],
      ["sha_update", () => [ptr(), ptr(), len()]],
      ["sha_final", () => [ptr(), ptr(), len()]],
      ["sha_snapshot", () => [ptr(), ptr(), len()]],
      ["sha_digest", () => [alg(), ptr(), len(), ptr(), len()]],
      ["sha_digest_len", () => [alg()]],
      ["hmac_key_init", () => [ptr(), alg(), ptr(), len()]],
      ["hmac_init", () => [ptr(), ptr()]],
      ["hmac_update", () => [ptr(), ptr(), len()]],
      ["hmac_final", () => [ptr(), ptr(), len()]],
      ["hmac_compute", () => [ptr(), ptr(), len(), ptr(), len()]],
      ["hmac_verify", () => [ptr(), ptr(), len(), ptr(), len()]],
      ["hkdf_extract", () => [alg(), ptr(), len(), ptr(), len(), ptr(), len()]],
      ["hkdf_expand", () => [alg(), ptr(), len(), ptr(), len(), ptr(), len()]],
      ["hkdf_expand_label", () => [alg(), ptr(), len(), ptr(), len(), ptr(), len(), ptr(), len()]],
      ["tls12_prf", () => [alg(), ptr(), len(), ptr(), len(), ptr(), len(), ptr(), len()]],
    ];
    // Seed some live contexts at the start of the arena so state checks pass sometimes.
    for (let i = 0; i < 8; i++) {
      core.fn("sha_init")(r.base + i * 224, (i % 4) + 1);
      core.fn("hmac_key_init")(r.base + 4096 + i * 144, (i % 4) + 1, r.base, 16);
    }
    let ok = 0;
    for (let i = 0; i < 6000; i++) {
      const [name, args] = calls[i % calls.length]!;
      const a = args();
      let v: number;
      try {
        v = core.fn(name)(...a);
      } catch (e) {
        assert.fail(`${name}(${a.join(", ")}) trapped: ${(e as Error).message} (seed=${seed})`);
      }
      assert.ok(Number.isInteger(v) && v >= -8, `${name} returned ${v}`);
      if (v >= 0) ok++;
    }
    assert.ok(ok > 100, `some fuzz calls succeed (${ok})`);
    assert.equal(core.fn("selftest")(), 0, "the core still passes its self-test");
  });
}

test("block lengths used by the suites match the algorithms", () => {
  assert.deepEqual(ALGS.map((a) => BLOCK_LEN[a]), [64, 64, 128, 128]);
});
