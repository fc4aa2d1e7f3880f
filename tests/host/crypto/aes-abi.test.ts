// The aes exports under bad and hostile input: statuses, never traps, nothing written on failure;
// the AES-CM 2^16-block limit; the host wrapper's error codes and clean-up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { loadCore, CoreError, type Core } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";

const ERR_BOUNDS = -1, ERR_ARG = -2, ERR_KEY_LENGTH = -3, ERR_STATE = -7, ERR_LIMIT = -8;

/** Raw export access plus a fixed layout of blocks in a fresh core (hostile calls may scribble). */
async function rawCore(variant: "simd" | "scalar") {
  const core = await loadCore({ variant });
  const f = (name: string) => core.fn(name);
  const ctxSize = f("aes_ctx_size")();
  const stSize = f("aes_ctr_state_size")();
  const ctx = core.arena.alloc(ctxSize);
  const st = core.arena.alloc(stSize);
  const key = core.arena.alloc(32);
  const buf = core.arena.alloc(2 * 1024 * 1024 + 64);
  return { core, f, ctxSize, stSize, ctx, st, key, buf, u8: () => core.u8 };
}

function ecbRef(key: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

for (const variant of VARIANTS) {
  test(`${variant}: context and state sizes are what docs/abi.md says`, async () => {
    const { f } = await rawCore(variant);
    assert.equal(f("aes_ctx_size")(), variant === "simd" ? 1936 : 976);
    assert.equal(f("aes_ctr_state_size")(), 48);
    assert.equal(f("aes_ctx_size")() % 16, 0);
  });

  test(`${variant}: aes_key_init refuses bad key lengths and bad pointers`, async () => {
    const { f, core, ctx, ctxSize, key, u8 } = await rawCore(variant);
    u8().fill(0xaa, ctx, ctx + ctxSize);
    for (const n of [0, 1, 15, 17, 20, 23, 25, 31, 33, 48, 64, -1, -16]) {
      assert.equal(f("aes_key_init")(ctx, key, n), ERR_KEY_LENGTH, `key length ${n}`);
    }
    assert.ok(u8().subarray(ctx, ctx + ctxSize).every((b) => b === 0xaa), "ctx untouched on failure");
    const end = core.arena.end;
    assert.equal(f("aes_key_init")(0, key, 16), ERR_BOUNDS, "ctx in static data");
    assert.equal(f("aes_key_init")(end - 16, key, 16), ERR_BOUNDS, "ctx past the end");
    assert.equal(f("aes_key_init")(ctx, end - 8, 16), ERR_BOUNDS, "key past the end");
    assert.equal(f("aes_key_init")(ctx, 0xfffffff0, 32), ERR_BOUNDS, "key wraps");
    assert.equal(f("aes_key_init")(ctx, ctx + 100, 16), ERR_ARG, "key inside ctx");
    assert.equal(f("aes_key_init")(ctx, key, 16), 0);
  });

  test(`${variant}: aes_ecb_encrypt statuses: length, bounds, overlap, state, zero length`, async () => {
    const { f, core, ctx, key, buf, u8 } = await rawCore(variant);
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf, 16), ERR_STATE, "uninitialised context");
    u8().set(randomBytes(16), key);
    assert.equal(f("aes_key_init")(ctx, key, 16), 0);
    for (const n of [1, 15, 17, 33]) assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf, n), ERR_ARG, `len ${n}`);
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf, 0), 0, "zero length");
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf + 16, 64), ERR_ARG, "partial overlap");
    assert.equal(f("aes_ecb_encrypt")(ctx, buf + 16, buf, 64), ERR_ARG, "partial overlap, other way");
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, ctx + 32, 32), ERR_ARG, "dst over the context");
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, core.arena.end - 16, 32), ERR_BOUNDS);
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf, 0xfffffff0), ERR_BOUNDS);
    assert.equal(f("aes_ecb_encrypt")(ctx, 8, buf, 16), ERR_BOUNDS, "src in static data");
    // the output region is untouched by every failure above
    u8().fill(0x5a, buf, buf + 256);
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf + 16, 64), ERR_ARG);
    assert.ok(u8().subarray(buf, buf + 256).every((b) => b === 0x5a));
    // a corrupted round count is refused, not followed
    const save = u8().slice(ctx, ctx + 4);
    new DataView(core.memory.buffer).setUint32(ctx, 200, true);
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf, 16), ERR_STATE);
    u8().set(save, ctx);
    assert.equal(f("aes_ecb_encrypt")(ctx, buf, buf, 16), 16);
  });

  test(`${variant}: aes_ctr_init / aes_ctr_run statuses`, async () => {
    const { f, core, ctx, st, key, buf, u8 } = await rawCore(variant);
    u8().set(randomBytes(32), key);
    assert.equal(f("aes_ctr_init")(st, key, 3), ERR_ARG, "mode 3");
    assert.equal(f("aes_ctr_init")(st, key, -1), ERR_ARG, "mode -1");
    assert.equal(f("aes_ctr_init")(st, core.arena.end - 8, 0), ERR_BOUNDS);
    assert.equal(f("aes_ctr_init")(core.arena.end - 40, key, 0), ERR_BOUNDS);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 16), ERR_STATE, "uninitialised context and state");
    assert.equal(f("aes_key_init")(ctx, key, 32), 0);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 16), ERR_STATE, "uninitialised state");
    assert.equal(f("aes_ctr_init")(st, key, 0), 0);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 0), 0, "zero length");
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf + 1, 32), ERR_ARG, "partial overlap");
    assert.equal(f("aes_ctr_run")(ctx, st, buf, st + 8, 8), ERR_ARG, "dst over the state");
    assert.equal(f("aes_ctr_run")(ctx, st, ctx + 8, buf, 8), ERR_ARG, "src over the context");
    assert.equal(f("aes_ctr_run")(ctx, ctx + 16, buf, buf, 8), ERR_ARG, "state inside the context");
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 0x7ffffff0), ERR_BOUNDS);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, core.arena.end - 4, 5), ERR_BOUNDS);
    assert.equal(f("aes_ctr_run")(ctx, st, 0xffffffff, buf, 2), ERR_BOUNDS);
    // corrupted state fields are refused
    const dv = new DataView(core.memory.buffer);
    const pos = dv.getUint32(st + 32, true);
    dv.setUint32(st + 32, 17, true);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 1), ERR_STATE, "position past the buffer");
    dv.setUint32(st + 32, pos, true);
    dv.setUint32(st + 36, 9, true);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 1), ERR_STATE, "bad mode tag");
    dv.setUint32(st + 36, 1, true);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 1), 1);
    // iv may be read from inside the state itself
    assert.equal(f("aes_ctr_init")(st, st, 1), 0);
  });

  test(`${variant}: AES-CM refuses to pass 2^16 blocks with ERR_LIMIT, writing nothing`, async () => {
    const { f, ctx, st, key, buf, u8 } = await rawCore(variant);
    const k = randomBytes(16);
    u8().set(k, key);
    assert.equal(f("aes_key_init")(ctx, key, 16), 0);
    const iv = randomBytes(16);
    iv.writeUInt16BE(0, 14);
    u8().set(iv, key);
    assert.equal(f("aes_ctr_init")(st, key, 2), 0);
    const total = 65536 * 16;
    u8().fill(0, buf, buf + total + 64);
    // all 2^16 blocks in uneven pieces
    let off = 0;
    for (const n of [5, 1000, 16, 17, 65535, 300001]) {
      assert.equal(f("aes_ctr_run")(ctx, st, buf + off, buf + off, n), n);
      off += n;
    }
    assert.equal(f("aes_ctr_run")(ctx, st, buf + off, buf + off, total - off), total - off);
    // spot-check the last block against block 0xffff computed independently
    const ctr = Buffer.from(iv);
    ctr.writeUInt16BE(0xffff, 14);
    assert.equal(toHex(u8().slice(buf + total - 16, buf + total)), toHex(ecbRef(k, ctr)));
    // one more byte is refused and nothing is written; the state stays exhausted
    const snapshot = u8().slice(st, st + 48);
    u8().fill(0x77, buf, buf + 64);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 1), ERR_LIMIT);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 64), ERR_LIMIT);
    assert.ok(u8().subarray(buf, buf + 64).every((b) => b === 0x77));
    assert.deepEqual(u8().slice(st, st + 48), snapshot);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 0), 0, "zero bytes are still fine");

    // starting near the end: low 16 bits 0xfff0 leave 16 blocks; buffered bytes do not count twice
    iv.writeUInt16BE(0xfff0, 14);
    u8().set(iv, key);
    assert.equal(f("aes_ctr_init")(st, key, 2), 0);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 16 * 16 + 1), ERR_LIMIT, "17 blocks asked");
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 255), 255);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 1), 1, "the buffered last byte");
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, 1), ERR_LIMIT);
    // CTR32 and CTR128 have no such limit (they wrap): 2^16 + 1 blocks pass
    u8().set(iv, key);
    assert.equal(f("aes_ctr_init")(st, key, 1), 0);
    assert.equal(f("aes_ctr_run")(ctx, st, buf, buf, total + 16), total + 16);
  });

  test(`${variant}: host wrapper: error codes, closed streams, arena blocks freed and wiped`, async () => {
    const core: Core = await shippedCore(variant);
    const aes = core.crypto.aes;
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
    assert.equal(codeOf(() => aes.ecbEncrypt(new Uint8Array(15), new Uint8Array(16))), "ERR_CORE_KEY_LENGTH");
    assert.equal(codeOf(() => aes.ecbEncrypt(new Uint8Array(16), new Uint8Array(15))), "ERR_CORE_ARG");
    assert.equal(codeOf(() => aes.ctr(new Uint8Array(16), new Uint8Array(12), "ctr32")), "ERR_CORE_ARG");
    assert.equal(codeOf(() => aes.ctr(new Uint8Array(16), new Uint8Array(16), "ofb" as never)), "ERR_CORE_ARG");
    assert.equal(codeOf(() => aes.ctr(new Uint8Array(33), new Uint8Array(16), "ctr128")), "ERR_CORE_KEY_LENGTH");
    const iv = Buffer.alloc(16, 0xab);
    iv.writeUInt16BE(0xffff, 14);
    const s = aes.ctr(randomBytes(16), iv, "aesCm");
    assert.equal(s.update(new Uint8Array(10)).length, 10);
    assert.equal(codeOf(() => s.update(new Uint8Array(7))), "ERR_CORE_LIMIT");
    assert.equal(s.update(new Uint8Array(6)).length, 6);
    assert.equal(s.closed, false);
    s.close();
    s.close();
    assert.equal(codeOf(() => s.update(new Uint8Array(1))), "ERR_CORE_STATE");
    // a stream that grows its I/O buffer still frees everything
    const t = aes.ctr(randomBytes(32), randomBytes(16), "ctr128");
    t.update(new Uint8Array(5000));
    t.close();
    assert.equal(core.arena.inUse, before, "every arena block was released");
  });

  test(`${variant}: random hostile calls return statuses and never trap`, async () => {
    const { f, core, ctx, st, key, u8 } = await rawCore(variant);
    u8().set(randomBytes(32), key);
    assert.equal(f("aes_key_init")(ctx, key, 16), 0);
    assert.equal(f("aes_ctr_init")(st, key, 0), 0);
    const base = core.arena.base, end = core.arena.end;
    let s = 0x12345678;
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
      if (which === 0) v = f("aes_key_init")(ptr(), ptr(), [16, 24, 32, r() % 40][r() % 4]!);
      else if (which === 1) v = f("aes_ecb_encrypt")(r() % 2 ? ctx : ptr(), ptr(), ptr(), len());
      else if (which === 2) v = f("aes_ctr_init")(r() % 2 ? st : ptr(), ptr(), r() % 5 - 1);
      else v = f("aes_ctr_run")(r() % 2 ? ctx : ptr(), r() % 2 ? st : ptr(), ptr(), ptr(), len());
      assert.ok(Number.isInteger(v) && v >= -8, `status ${v}`);
    }
  });
}
