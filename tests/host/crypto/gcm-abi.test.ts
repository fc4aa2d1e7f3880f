// The gcm exports under bad and hostile input: every status the ABI promises, never a trap, and
// nothing written to any output on failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { loadCore } from "../../../host/index.js";
import { VARIANTS } from "../../helpers/cores.js";

const ERR_BOUNDS = -1, ERR_ARG = -2, ERR_KEY_LENGTH = -3, ERR_AUTH = -5, ERR_STATE = -7;

/** A fresh core (hostile calls may scribble on the arena) with a fixed block layout. */
async function rawCore(variant: "simd" | "scalar") {
  const core = await loadCore({ variant });
  const f = (name: string) => core.fn(name);
  const ctxSize = f("gcm_ctx_size")();
  const ctx = core.arena.alloc(ctxSize);
  const key = core.arena.alloc(32);
  const buf = core.arena.alloc(64 * 1024);
  return { core, f, ctxSize, ctx, key, buf, u8: () => core.u8 };
}

for (const variant of VARIANTS) {
  test(`${variant}: gcm_ctx_size is a 16-byte multiple and what docs/abi.md says`, async () => {
    const { f } = await rawCore(variant);
    assert.equal(f("gcm_ctx_size")(), variant === "simd" ? 3248 : 1776);
    assert.equal(f("gcm_ctx_size")() % 16, 0);
  });

  test(`${variant}: gcm_key_init refuses bad key lengths, bad pointers and a key inside ctx`, async () => {
    const { f, core, ctx, ctxSize, key, u8 } = await rawCore(variant);
    u8().set(randomBytes(32), key);
    u8().fill(0xaa, ctx, ctx + ctxSize);
    for (const n of [0, 1, 8, 15, 17, 20, 23, 25, 31, 33, 64, -1, -16, 0x7fffffff]) {
      assert.equal(f("gcm_key_init")(ctx, key, n), ERR_KEY_LENGTH, `key length ${n}`);
    }
    const end = core.arena.end;
    assert.equal(f("gcm_key_init")(0, key, 16), ERR_BOUNDS, "ctx in static data");
    assert.equal(f("gcm_key_init")(end - ctxSize + 16, key, 16), ERR_BOUNDS, "ctx past the end");
    assert.equal(f("gcm_key_init")(ctx, end - 8, 16), ERR_BOUNDS, "key past the end");
    assert.equal(f("gcm_key_init")(ctx, 0xfffffff8, 32), ERR_BOUNDS, "key wraps");
    assert.equal(f("gcm_key_init")(ctx, ctx + 40, 16), ERR_ARG, "key inside ctx");
    assert.ok(u8().subarray(ctx, ctx + ctxSize).every((b) => b === 0xaa), "ctx untouched by every failure");
    assert.equal(f("gcm_key_init")(ctx, key, 16), 0);
    assert.equal(f("gcm_key_init")(ctx, key, 24), 0);
    assert.equal(f("gcm_key_init")(ctx, key, 32), 0);
  });

  test(`${variant}: gcm_seal / gcm_open statuses: iv_len, tag_len, bounds, overlap, state; outputs untouched`, async () => {
    const { f, core, ctx, ctxSize, key, buf, u8 } = await rawCore(variant);
    const end = core.arena.end;
    // layout inside buf
    const iv = buf, aad = buf + 64, src = buf + 1024, dst = buf + 8192, tag = buf + 16384;
    const n = 300;
    u8().set(randomBytes(12), iv);
    u8().set(randomBytes(20), aad);
    u8().set(randomBytes(n), src);
    const seal = (...a: number[]) => f("gcm_seal")(...a);
    const open = (...a: number[]) => f("gcm_open")(...a);
    // state first: an uninitialised (zeroed) context
    assert.equal(seal(ctx, iv, 12, aad, 20, src, dst, n, tag, 16), ERR_STATE, "uninitialised ctx (seal)");
    assert.equal(open(ctx, iv, 12, aad, 20, src, dst, n, tag, 16), ERR_STATE, "uninitialised ctx (open)");
    u8().set(randomBytes(16), key);
    assert.equal(f("gcm_key_init")(ctx, key, 16), 0);
    // a corrupted context marker is refused
    const dv = new DataView(core.memory.buffer);
    const mark = dv.getUint32(ctx, true);
    dv.setUint32(ctx, mark ^ 1, true);
    assert.equal(seal(ctx, iv, 12, aad, 20, src, dst, n, tag, 16), ERR_STATE, "corrupted marker");
    dv.setUint32(ctx, mark, true);

    u8().fill(0x5a, dst, dst + 2048);
    u8().fill(0x5a, tag, tag + 32);
    const intact = () => u8().subarray(dst, dst + 2048).every((b) => b === 0x5a) && u8().subarray(tag, tag + 32).every((b) => b === 0x5a);
    const bad: [string, number[], number][] = [
      ["iv_len 0", [ctx, iv, 0, aad, 20, src, dst, n, tag, 16], ERR_ARG],
      ["tag_len 0", [ctx, iv, 12, aad, 20, src, dst, n, tag, 0], ERR_ARG],
      ["tag_len 3", [ctx, iv, 12, aad, 20, src, dst, n, tag, 3], ERR_ARG],
      ["tag_len 17", [ctx, iv, 12, aad, 20, src, dst, n, tag, 17], ERR_ARG],
      ["tag_len -1", [ctx, iv, 12, aad, 20, src, dst, n, tag, 0xffffffff], ERR_ARG],
      ["ctx in static data", [16, iv, 12, aad, 20, src, dst, n, tag, 16], ERR_BOUNDS],
      ["ctx past the end", [end - ctxSize + 16, iv, 12, aad, 20, src, dst, n, tag, 16], ERR_BOUNDS],
      ["iv past the end", [ctx, end - 4, 12, aad, 20, src, dst, n, tag, 16], ERR_BOUNDS],
      ["iv length wraps", [ctx, iv, 0xfffffff0, aad, 20, src, dst, n, tag, 16], ERR_BOUNDS],
      ["aad past the end", [ctx, iv, 12, end - 10, 20, src, dst, n, tag, 16], ERR_BOUNDS],
      ["aad in static data", [ctx, iv, 12, 100, 20, src, dst, n, tag, 16], ERR_BOUNDS],
      ["src past the end", [ctx, iv, 12, aad, 20, end - 100, dst, n, tag, 16], ERR_BOUNDS],
      ["dst past the end", [ctx, iv, 12, aad, 20, src, end - 100, n, tag, 16], ERR_BOUNDS],
      ["len wraps", [ctx, iv, 12, aad, 20, src, dst, 0xffffff00, tag, 16], ERR_BOUNDS],
      ["pointer + len overflows", [ctx, iv, 12, aad, 20, 0xfffffff0, dst, 0x20, tag, 16], ERR_BOUNDS],
      ["tag past the end", [ctx, iv, 12, aad, 20, src, dst, n, end - 8, 16], ERR_BOUNDS],
      ["src/dst partial overlap", [ctx, iv, 12, aad, 20, dst + 1, dst, n, tag, 16], ERR_ARG],
      ["src/dst partial overlap (other way)", [ctx, iv, 12, aad, 20, dst, dst + 299, n, tag, 16], ERR_ARG],
      ["dst over iv", [ctx, iv, 12, aad, 20, src, iv, n, tag, 16], ERR_ARG],
      ["dst over aad", [ctx, iv, 12, dst + 100, 20, src, dst, n, tag, 16], ERR_ARG],
      ["dst over tag", [ctx, iv, 12, aad, 20, src, dst, n, dst + n - 8, 16], ERR_ARG],
      ["dst over ctx", [ctx, iv, 12, aad, 20, src, ctx + 16, 32, tag, 16], ERR_ARG],
      ["tag over ctx", [ctx, iv, 12, aad, 20, src, dst, n, ctx + 32, 16], ERR_ARG],
    ];
    for (const [what, args, status] of bad) {
      assert.equal(seal(...args), status, `seal: ${what}`);
      assert.equal(open(...args), status, `open: ${what}`);
      // dst/tag pattern survives (cases where dst overlaps something else were refused before writing)
      if (!what.startsWith("dst over") && !what.startsWith("tag over") && !what.includes("overlap")) assert.ok(intact(), `outputs untouched: ${what}`);
    }
    assert.ok(intact(), "outputs untouched by every refused call");
    // the context was not damaged by any of it
    assert.equal(dv.getUint32(ctx, true), mark);

    // allowed edge cases: empty message, empty AAD, 1-byte IV, 4-byte tag, src == dst, aad == iv,
    // zero-length ranges anywhere (even on top of dst), tag adjacent to dst
    assert.equal(seal(ctx, iv, 12, aad, 0, src, dst, 0, tag, 16), 0, "empty message and AAD");
    assert.equal(open(ctx, iv, 12, aad, 0, src, dst, 0, tag, 16), 0, "open of the empty message");
    assert.equal(seal(ctx, iv, 1, aad, 20, src, dst, n, tag, 4), n, "1-byte IV, 4-byte tag");
    assert.equal(open(ctx, iv, 1, aad, 20, dst, dst, n, tag, 4), n, "open in place");
    assert.equal(toHexRange(u8(), dst, n), toHexRange(u8(), src, n), "round trip in place");
    assert.equal(seal(ctx, iv, 12, iv, 12, src, dst, n, dst + n, 16), n, "AAD = IV bytes; tag right after dst");
    assert.equal(seal(ctx, iv, 12, dst + 10, 0, src, dst, n, tag, 16), n, "an empty AAD range inside dst is no overlap");
    assert.equal(seal(ctx, iv, 12, aad, 20, src, end, 0, end, 4), ERR_BOUNDS, "tag at the very end is outside");
    assert.equal(seal(ctx, iv, 12, aad, 20, src, end, 0, tag, 16), 0, "an empty dst at the very end is fine");
    // open with a wrong tag: ERR_AUTH, dst untouched
    u8().fill(0x5a, dst, dst + 2048);
    u8()[tag]! ^= 0xff;
    assert.equal(open(ctx, iv, 12, aad, 20, src, dst, n, tag, 16), ERR_AUTH);
    assert.ok(u8().subarray(dst, dst + 2048).every((b) => b === 0x5a));
  });

  test(`${variant}: a damaged context (round count, GHASH powers) is refused with ERR_STATE, even at the arena's end`, async () => {
    const { f, core, ctxSize, key, buf, u8 } = await rawCore(variant);
    // place the context at the very end of the arena: a followed bad field would read past memory
    const end = core.arena.end;
    const ctx = end - ctxSize;
    u8().set(randomBytes(32), key);
    assert.equal(f("gcm_key_init")(ctx, key, 32), 0);
    const dv = new DataView(core.memory.buffer);
    const args = [ctx, buf, 12, buf + 64, 16, buf + 1024, buf + 4096, 500, buf + 8192, 16];
    assert.equal(f("gcm_seal")(...args), 500);
    // docs/abi.md: the GHASH key block at 16, the AES key context last (its round count at its offset 0)
    const aesAt = ctx + ctxSize - f("aes_ctx_size")();
    const roundsAt = aesAt; // the AES context's round count
    const powersAt = aesAt - 16; // the GHASH key block's power count (its last 16 bytes)
    assert.equal(dv.getUint32(roundsAt, true), 14);
    assert.equal(dv.getInt32(powersAt, true), 4);
    for (const [at, bad] of [[roundsAt, 0], [roundsAt, 15], [roundsAt, 200], [roundsAt, 0xffffffff], [powersAt, 1], [powersAt, 5], [powersAt, 0x7fffffff]] as const) {
      const save = dv.getUint32(at, true);
      dv.setUint32(at, bad, true);
      u8().fill(0x5a, buf + 4096, buf + 4096 + 600);
      assert.equal(f("gcm_seal")(...args), ERR_STATE, `field at ${at - ctx} = ${bad} (seal)`);
      assert.equal(f("gcm_open")(...args), ERR_STATE, `field at ${at - ctx} = ${bad} (open)`);
      assert.ok(u8().subarray(buf + 4096, buf + 4096 + 600).every((b) => b === 0x5a));
      dv.setUint32(at, save, true);
    }
    assert.equal(f("gcm_seal")(...args), 500, "restored context works again");
  });

  test(`${variant}: random hostile calls return statuses and never trap`, async () => {
    const { f, core, ctx, key, u8 } = await rawCore(variant);
    u8().set(randomBytes(32), key);
    assert.equal(f("gcm_key_init")(ctx, key, 32), 0);
    const base = core.arena.base, end = core.arena.end;
    let s = 0x9e3779b9;
    const r = () => {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s;
    };
    const ptr = () => {
      const k = r() % 6;
      if (k === 0) return r(); // anywhere, wraps included
      if (k === 1) return end - (r() % 64);
      if (k === 2) return r() % base;
      return base + (r() % (end - base));
    };
    const len = () => (r() % 4 === 0 ? r() : r() % 300);
    for (let i = 0; i < 3000; i++) {
      const which = r() % 4;
      let v: number;
      if (which === 0) v = f("gcm_key_init")(r() % 3 ? ctx : ptr(), ptr(), [16, 24, 32, r() % 40][r() % 4]!);
      else if (which === 1) v = f("ghash_run")(ptr(), ptr(), ptr(), len());
      else {
        const name = which === 2 ? "gcm_seal" : "gcm_open";
        v = f(name)(r() % 2 ? ctx : ptr(), ptr(), len(), ptr(), len(), ptr(), ptr(), len(), ptr(), r() % 20);
      }
      assert.ok(Number.isInteger(v) && v >= -8, `status ${v}`);
    }
  });
}

function toHexRange(u8: Uint8Array, p: number, n: number): string {
  return Buffer.from(u8.subarray(p, p + n)).toString("hex");
}
