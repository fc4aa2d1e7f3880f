// The TLS core contexts (half-connection, reassembly buffer, TLS 1.3 key schedule) are caller-owned
// arena memory: the host can overwrite any field between calls. A field that steers a length, a
// copy or a loop (a stored secret's length, a round count, a buffered count, Hash.length) must be
// checked before it is followed: a corrupt context gets ERR_STATE, nothing is written outside it,
// static memory (the core's scratch and tables) is unchanged, and the core never traps. Written
// after the core-abi fuzzer found the transcript context trusted this way (transcript-hostile.test.ts);
// each corruption below passed the old magic-only checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { expectRefusedWhenCorrupt } from "./hostile-helpers.js";

const PROTO_TLS13 = 0x0304;
const AEAD_AES_128_GCM = 1;
const ALG_SHA256 = 2;
// half.ts
const H_DIR = 4, H_PROTO = 16, H_AEAD = 24, H_HASH = 28, H_PAD = 56, H_RSL = 52, H_SECRETLEN = 68, H_AEADCTX = 192;
// reasm.ts
const R_FILL = 4, R_TOTAL = 8;
// keyschedule13.ts
const K_ALG = 4, K_STAGE = 8, K_HLEN = 12;

for (const variant of VARIANTS) {
  test(`${variant}: corrupt half-connection, reassembly and key-schedule contexts are refused, never followed`, { timeout: 60_000 }, async () => {
    const c = await shippedCore(variant);
    const f = (n: string) => c.fn(n);
    const view = new DataView(c.memory.buffer);
    const halfSize = f("tls_half_ctx_size")();
    const h = c.arena.alloc(halfSize, 16);
    const hr = c.arena.alloc(halfSize, 16);
    const r = c.arena.alloc(f("tls_reasm_ctx_size")(), 16);
    const ks = c.arena.alloc(f("tls13_ks_ctx_size")(), 16);
    const buf = c.arena.alloc(4096, 16);
    const out = c.arena.alloc(4096, 16);
    for (let i = 0; i < 64; i++) c.u8[buf + i] = (i * 13 + 5) & 0xff;
    const staticBefore = c.u8.slice(0, f("arena_base")());

    // Fresh, working contexts; each call below succeeds on them.
    const freshHalf = (): void => {
      assert.equal(f("tls_half_init")(h, 1), 0);
      assert.equal(f("tls13_half_install")(h, AEAD_AES_128_GCM, ALG_SHA256, buf, 32), 0);
    };
    const freshReasm = (): void => {
      assert.equal(f("tls_half_init")(hr, 0), 0);
      assert.equal(f("tls_reasm_init")(r), 0);
      // a plaintext handshake record header: 5 bytes in, the total known, 3 of 10 body bytes in
      c.u8.set([22, 3, 3, 0, 10, 1, 2, 3], buf + 100);
      assert.equal(f("tls_reasm_feed")(r, hr, buf + 100, 8), 8);
    };
    const freshKs = (): void => {
      assert.equal(f("tls13_ks_init")(ks, ALG_SHA256, 0, 0), 0);
    };

    // The AES round count inside the half's AEAD key context: the one u32 equal to 10 (AES-128) at
    // a 16-byte boundary past the GCM header (round keys are 0x00/0xff planes, never 10).
    freshHalf();
    const aeadSize = halfSize - H_AEADCTX;
    const roundsAt: number[] = [];
    for (let o = 16; o < aeadSize; o += 16) if (view.getUint32(h + H_AEADCTX + o, true) === 10) roundsAt.push(o);
    assert.equal(roundsAt.length, 1, "found the AES round count in the AEAD context");

    type Case = [what: string, fresh: () => void, at: number, value: number, calls: [string, () => number][]];
    const halfCalls: [string, () => number][] = [
      ["tls_record_seal", () => f("tls_record_seal")(h, 23, buf, 40, out, 4096)],
      ["tls13_half_key_update", () => f("tls13_half_key_update")(h)],
      ["tls_half_set_padding", () => f("tls_half_set_padding")(h, 0)],
    ];
    const reasmCalls: [string, () => number][] = [
      ["tls_reasm_feed", () => f("tls_reasm_feed")(r, hr, buf + 108, 7)],
      ["tls_reasm_want", () => f("tls_reasm_want")(r)],
      ["tls_reasm_commit", () => f("tls_reasm_commit")(r, hr, 1)],
    ];
    const ksCalls: [string, () => number][] = [
      ["tls13_ks_derive", () => f("tls13_ks_derive")(ks, 3, 0, out)],
      ["tls13_ks_handshake", () => f("tls13_ks_handshake")(ks, buf, 32)],
    ];
    const cases: Case[] = [
      ["half: direction 7", freshHalf, h + H_DIR, 7, halfCalls],
      ["half: protocol 0x0305", freshHalf, h + H_PROTO, 0x0305, halfCalls],
      ["half: AEAD id 3", freshHalf, h + H_AEAD, 3, halfCalls],
      ["half: stored secret length 1000", freshHalf, h + H_SECRETLEN, 1000, halfCalls],
      ["half: stored secret's hash 9", freshHalf, h + H_HASH, 9, halfCalls],
      ["half: padding block 20000", freshHalf, h + H_PAD, 20000, halfCalls],
      ["half: record_size_limit 0x10000", freshHalf, h + H_RSL, 0x10000, halfCalls],
      ["half: AEAD key context not set up", freshHalf, h + H_AEADCTX, 0, halfCalls],
      ["half: AES round count 1000000", freshHalf, h + H_AEADCTX + roundsAt[0]!, 1000000, halfCalls],
      ["reassembly: 100 bytes buffered of a 15-byte record", freshReasm, r + R_FILL, 100, reasmCalls],
      ["reassembly: total past the capacity", freshReasm, r + R_TOTAL, 0x100000, reasmCalls],
      ["reassembly: no total with a whole header buffered", freshReasm, r + R_TOTAL, 0, reasmCalls],
      ["reassembly: a total shorter than a header", freshReasm, r + R_TOTAL, 3, reasmCalls],
      ["key schedule: hash 9", freshKs, ks + K_ALG, 9, ksCalls],
      ["key schedule: Hash.length 1000", freshKs, ks + K_HLEN, 1000, ksCalls],
      ["key schedule: stage 9", freshKs, ks + K_STAGE, 9, ksCalls],
    ];
    for (const [what, fresh, at, value, calls] of cases) expectRefusedWhenCorrupt(c, staticBefore, { what, fresh, at, value, calls });
    // the sticky state a real half reaches is still accepted: a TLS 1.3 write half after KeyUpdate
    freshHalf();
    assert.equal(f("tls13_half_key_update")(h), 0);
    assert.equal(view.getUint32(h + H_PROTO, true), PROTO_TLS13);
    assert.ok(f("tls_record_seal")(h, 23, buf, 40, out, 4096) > 40);
    assert.equal(f("selftest")(), 0, "the power-on self-test still passes");
    for (const p of [h, hr, r, ks, buf, out]) c.arena.release(p);
  });
}
