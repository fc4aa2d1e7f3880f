// The handshake transcript context is caller-owned arena memory: the host can overwrite any of its
// fields between calls. Every export that takes one must refuse a corrupt context with ERR_STATE,
// never trap, never write outside it, and leave static memory as it was. Regression for a core-abi
// fuzzer finding (2026-11-29): a buffer count of a block or more in the embedded SHA context made
// the padding of tls_transcript_hello_retry / tls_transcript_hash write past the context (a trap,
// and key-schedule scratch left unwiped).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { expectRefusedWhenCorrupt } from "./hostile-helpers.js";

const ALG_SHA256 = 2;
const ALG_SHA384 = 3;
// transcript.ts layout: magic 0, running-hash bits 4, SHA-256 context at 16, SHA-384 context one
// stride (the SHA context size rounded up to 16) after it. SHA context: magic 0, algorithm 4,
// bytes buffered 8.
const T_ALGS = 4;
const T_CTX = 16;

for (const variant of VARIANTS) {
  test(`${variant}: a corrupt transcript context is refused by every transcript export, with nothing written outside it`, { timeout: 60_000 }, async () => {
    const c = await shippedCore(variant);
    const f = (n: string) => c.fn(n);
    const stride = (f("sha_ctx_size")() + 15) & ~15;
    const t = c.arena.alloc(f("tls_transcript_ctx_size")(), 16);
    const data = c.arena.alloc(200, 16);
    const out = c.arena.alloc(64, 16);
    for (let i = 0; i < 200; i++) c.u8[data + i] = (i * 7 + 3) & 0xff;
    const staticBefore = c.u8.slice(0, f("arena_base")());

    const fresh = (): void => {
      assert.equal(f("tls_transcript_init")(t, 0), 0);
      assert.equal(f("tls_transcript_update")(t, data, 100), 0);
    };
    // A sane context gives the right hashes (the check below is not refusing everything).
    fresh();
    assert.equal(f("tls_transcript_hash")(t, ALG_SHA256, out), 32);
    assert.equal(Buffer.from(c.u8.subarray(out, out + 32)).toString("hex"), createHash("sha256").update(c.u8.subarray(data, data + 100)).digest("hex"));
    assert.equal(f("tls_transcript_hash")(t, ALG_SHA384, out), 48);
    assert.equal(Buffer.from(c.u8.subarray(out, out + 48)).toString("hex"), createHash("sha384").update(c.u8.subarray(data, data + 100)).digest("hex"));

    const s256 = t + T_CTX;
    const s384 = t + T_CTX + stride;
    const corruptions: [string, number, number][] = [
      ["running-hash bits 0", t + T_ALGS, 0],
      ["an unknown running-hash bit", t + T_ALGS, (1 << ALG_SHA256) | (1 << 5)],
      ["SHA-256 context finalised (magic 0)", s256, 0],
      ["SHA-256 context running SHA-1", s256 + 4, 1],
      ["SHA-256 context running SHA-384", s256 + 4, ALG_SHA384],
      ["SHA-256 context with an invalid algorithm", s256 + 4, 9],
      ["SHA-256 context buffering a whole block", s256 + 8, 64],
      ["SHA-256 context buffering 2^32 - 1 bytes", s256 + 8, 0xffffffff],
      ["SHA-384 context buffering a whole block", s384 + 8, 128],
      ["SHA-384 context running SHA-256", s384 + 4, ALG_SHA256],
    ];
    const calls: [string, () => number][] = [
      ["tls_transcript_update", () => f("tls_transcript_update")(t, data, 40)],
      ["tls_transcript_hash SHA-256", () => f("tls_transcript_hash")(t, ALG_SHA256, out)],
      ["tls_transcript_hash SHA-384", () => f("tls_transcript_hash")(t, ALG_SHA384, out)],
      ["tls_transcript_hello_retry", () => f("tls_transcript_hello_retry")(t)],
      ["tls_transcript_select", () => f("tls_transcript_select")(t, ALG_SHA256)],
    ];
    const ctx: [number, number] = [t, f("tls_transcript_ctx_size")()];
    for (const [what, at, value] of corruptions) expectRefusedWhenCorrupt(c, staticBefore, { what, fresh, at, value, calls, ctx });
    assert.equal(f("selftest")(), 0, "the power-on self-test still passes");
    for (const p of [t, data, out]) c.arena.release(p);
  });
}
