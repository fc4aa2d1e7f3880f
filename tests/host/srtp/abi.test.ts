// The raw srtp_* / srtcp_* exports under bad arguments: out-of-arena pointers, wrapping lengths,
// garbage or unaligned contexts, partial overlap, wrong direction, bad batch descriptors. Each
// returns its status; none traps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadCore } from "../../../host/core/load-core.js";
import { hex, loadVectors } from "../../helpers/vectors.js";

const ERR_BOUNDS = -1;
const ERR_ARG = -2;
const ERR_CAPACITY = -4;
const ERR_SRTP_MKI = -35;
const ERR_SRTP_PROFILE = -39;
const ERR_SRTP_KEY = -40;
const ERR_SRTP_FULL = -42;
const ERR_SRTP_STATE = -44;

for (const variant of VARIANTS) {
  test(`${variant}: srtp exports refuse bad arguments without trapping`, async () => {
    const core = await shippedCore(variant);
    const f = (name: string, ...a: number[]) => core.fn(name)(...a);
    const end = core.arena.end;
    const size = f("srtp_session_size", 4, 2, 128, 0);
    assert.ok(size > 0);
    assert.equal(f("srtp_session_size", 0, 1, 128, 1), ERR_ARG);
    assert.equal(f("srtp_session_size", 1, 0, 128, 1), ERR_ARG);
    assert.equal(f("srtp_session_size", 1, 16, 128, 1), ERR_ARG);
    assert.equal(f("srtp_session_size", 1, 1, 63, 1), ERR_ARG);
    assert.equal(f("srtp_session_size", 1, 1, 32768, 1), ERR_ARG);
    assert.equal(f("srtp_session_size", (1 << 20) + 1, 1, 128, 1), ERR_ARG);
    assert.equal(f("srtp_session_size", 1, 1, 128, 11), ERR_SRTP_PROFILE);
    assert.equal(f("srtp_stream_slot_size", 128), 80);
    assert.ok(f("srtp_key_slot_size", 1) < f("srtp_key_slot_size", 7), "AES-CM key slots carry no GCM room");
    const slots = Array.from({ length: 10 }, (_, i) => f("srtp_key_slot_size", i + 1));
    assert.equal(f("srtp_key_slot_size", 0), Math.max(...slots), "profile 0: the largest key slot of any profile");
    assert.ok(f("srtp_key_slot_size", 1) < f("srtp_key_slot_size", 5), "key slots are sized by key length (AES-128 < AES-256)");
    const blk = core.arena.alloc(size + 4096, 16);
    try {
      const s = blk;
      const io = blk + size;
      // init: bounds, alignment, profile, direction, MKI length, capacity, flags
      assert.equal(f("srtp_session_init", end - 8, size, 1, 1, 4, 2, 128, 0, 0, 0), ERR_BOUNDS);
      assert.equal(f("srtp_session_init", s + 4, size, 1, 1, 4, 2, 128, 0, 0, 0), ERR_ARG);
      assert.equal(f("srtp_session_init", s, size, 1, 0, 4, 2, 128, 0, 0, 0), ERR_SRTP_PROFILE);
      assert.equal(f("srtp_session_init", s, size, 1, 11, 4, 2, 128, 0, 0, 0), ERR_SRTP_PROFILE);
      assert.equal(f("srtp_session_init", s, size, 3, 1, 4, 2, 128, 0, 0, 0), ERR_ARG);
      assert.equal(f("srtp_session_init", s, size, 1, 1, 4, 2, 128, 0, 5, 0), ERR_SRTP_MKI);
      assert.equal(f("srtp_session_init", s, f("srtp_session_size", 4, 2, 128, 1) - 16, 1, 1, 4, 2, 128, 0, 0, 0), ERR_CAPACITY);
      assert.equal(f("srtp_session_init", s, size, 1, 1, 4, 2, 128, 0x0300, 0, 0), ERR_ARG, "SRTCP tag override 3");
      assert.equal(f("srtp_session_init", s, size, 1, 7, 4, 2, 128, 0x0400, 0, 0), ERR_ARG, "no tag override for GCM");
      assert.equal(f("srtp_session_init", s, size, 1, 1, 4, 2, 128, 2, 0, 0), ERR_ARG, "unknown flag");
      // calls on an uninitialised (zeroed) context
      core.u8.fill(0, s, s + size);
      assert.equal(f("srtp_protect", s, io, 20, io, 100), ERR_SRTP_STATE);
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 0, 0), ERR_SRTP_STATE);
      assert.equal(f("srtp_stats", s, 0, 1, io), ERR_SRTP_STATE);
      // a real sender
      assert.equal(f("srtp_session_init", s, size, 1, 1, 4, 2, 128, 0, 1, 0x1234), 0);
      assert.equal(f("srtp_key_add", s, io, 16, io, 13, io, 1, 0), ERR_SRTP_KEY);
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 0, 0), ERR_SRTP_MKI, "MKI length differs from the session's");
      assert.equal(f("srtp_key_add", s, end - 4, 16, io, 14, io, 1, 0), ERR_BOUNDS);
      assert.equal(f("srtp_key_add", s, io, 0xffffffff, io, 14, io, 1, 0), ERR_BOUNDS);
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 1, -1), ERR_ARG, "negative lifetime");
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 1, 0), 0);
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 1, 0), ERR_SRTP_MKI, "duplicate MKI");
      core.u8[io] = 9;
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 1, 0), 1);
      core.u8[io] = 10;
      assert.equal(f("srtp_key_add", s, io, 16, io, 14, io, 1, 0), ERR_SRTP_FULL, "max keys");
      // packet calls: bounds, overlap, direction
      const pkt = io + 256;
      core.u8.set([0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5], pkt);
      assert.equal(f("srtp_protect", s, end - 10, 20, pkt, 100), ERR_BOUNDS);
      assert.equal(f("srtp_protect", s, pkt, 20, end - 50, 100), ERR_BOUNDS);
      assert.equal(f("srtp_protect", s, pkt, 20, pkt + 4, 100), ERR_ARG, "partial overlap");
      assert.equal(f("srtp_unprotect", s, pkt, 20, pkt, 100), ERR_SRTP_STATE, "a sender cannot unprotect");
      assert.equal(f("srtcp_unprotect", s, pkt, 20, pkt, 100), ERR_SRTP_STATE);
      assert.equal(f("srtp_protect", s, pkt, 20, pkt + 512, 100), 31, "separate buffers");
      core.u8[pkt + 3] = 2; // next sequence number
      assert.equal(f("srtp_protect", s, pkt, 20, pkt, 30), -38, "capacity one short: ERR_SRTP_BUFFER");
      assert.equal(f("srtp_protect", s, pkt, 20, pkt, 31), 31);
      // batch: descriptor table outside the arena, huge count, wrong op, bad descriptor
      assert.equal(f("srtp_batch", s, 0, end - 8, 1), ERR_BOUNDS);
      assert.equal(f("srtp_batch", s, 0, io, 0x7fffffff), ERR_BOUNDS);
      assert.equal(f("srtp_batch", s, 4, io, 1), ERR_ARG);
      assert.equal(f("srtp_batch", s, 1, io, 1), ERR_SRTP_STATE, "unprotect batch on a sender");
      const dv = new DataView(core.memory.buffer);
      dv.setUint32(io, end - 4, true);
      dv.setUint32(io + 4, 20, true);
      dv.setUint32(io + 8, 100, true);
      dv.setUint32(io + 16, pkt, true);
      dv.setUint32(io + 20, 200, true); // len > cap
      dv.setUint32(io + 24, 100, true);
      assert.equal(f("srtp_batch", s, 0, io, 2), 0);
      assert.equal(dv.getInt32(io + 12, true), ERR_BOUNDS);
      assert.equal(dv.getInt32(io + 28, true), ERR_BOUNDS);
      // out pointers
      assert.equal(f("srtp_get_roc", s, 5, end), ERR_BOUNDS);
      assert.equal(f("srtp_key_info", s, 0, end - 8), ERR_BOUNDS);
      assert.equal(f("srtp_key_info", s, 7, io), ERR_SRTP_STATE);
      assert.equal(f("srtp_key_info", s, 1, io), 40);
      assert.equal(f("srtcp_set_index", s, 5, 0x80000001), ERR_ARG);
      // A context whose geometry was corrupted after it was last checked is refused, field by field
      // (the check memoises the last session it passed: every field it reads must still be seen),
      // and accepted again once the field is restored.
      const corrupt: [string, number, 1 | 4, (v: number) => number][] = [
        ["magic", 0, 4, (v) => v ^ 1], ["MKI length", 11, 1, () => 9], ["cipher", 12, 1, () => 0], ["key length", 13, 1, () => 17],
        ["max keys", 17, 1, () => 0], ["active key", 18, 1, () => 200], ["last key", 19, 1, () => 200],
        ["max streams", 20, 4, () => 0], ["table mask", 24, 4, () => 0xffff], ["window", 28, 4, () => 0x7fffffff],
        ["window bits", 32, 4, () => 65], ["stream size", 36, 4, () => 1], ["keys offset", 56, 4, (v) => v + 16],
        ["table offset", 60, 4, (v) => v + 16], ["streams offset", 64, 4, (v) => v + 16], ["key slot size", 68, 4, (v) => v + 16],
        ["total size", 72, 4, () => 0x7fffffff], ["SRTP cipher room", 140, 4, (v) => v + 16], ["SRTCP cipher offset", 128, 4, (v) => v + 16],
        ["SRTP auth offset", 132, 4, (v) => v + 16], ["SRTCP auth offset", 136, 4, (v) => v + 16],
      ];
      for (const [field, off, width, bad] of corrupt) {
        assert.ok(f("srtp_events", s) >= 0, `${field}: sound before`);
        const old = width === 1 ? dv.getUint8(s + off) : dv.getUint32(s + off, true);
        if (width === 1) dv.setUint8(s + off, bad(old));
        else dv.setUint32(s + off, bad(old), true);
        assert.equal(f("srtp_events", s), ERR_SRTP_STATE, `${field} corrupted`);
        assert.equal(f("srtp_protect", s, pkt, 20, pkt, 100), ERR_SRTP_STATE, `${field} corrupted: protect`);
        if (width === 1) dv.setUint8(s + off, old);
        else dv.setUint32(s + off, old, true);
        assert.ok(f("srtp_events", s) >= 0, `${field} restored`);
      }
    } finally {
      core.arena.release(blk);
    }
  });
}

// The session check's memo starts empty (session 0): address 0 (static memory, below the arena) is
// never taken for the memoised session, even when the bytes there look like a sound header with
// the memo's all-zero geometry (active and last key "none").
for (const variant of VARIANTS) {
  test(`${variant}: a fresh core refuses session 0 whatever lies at address 0`, async () => {
    const core = await loadCore({ variant, skipSelfTest: true });
    const u8 = core.u8;
    u8[18] = 0xff; // active key: none
    u8[19] = 0xff; // last key: none
    try {
      assert.equal(core.fn("srtp_events")(0), ERR_SRTP_STATE);
      assert.equal(core.fn("srtp_key_remove")(0, core.arena.base, 0), ERR_SRTP_STATE);
    } finally {
      u8[18] = 0;
      u8[19] = 0;
    }
  });
}

// Separate input and output buffers, every profile, SRTP and SRTCP: the result equals the in-place
// one, nothing is written past the output capacity, and the input is left exactly as it was
// (the engine borrows input octets for the ROC / SRTCP tag-only AAD and puts them back).
for (const variant of VARIANTS) {
  test(`${variant}: separate buffers: same bytes as in place, capacity respected, input intact`, async () => {
    const core = await shippedCore(variant);
    const f = (name: string, ...a: number[]) => core.fn(name)(...a);
    const u8 = core.u8;
    for (let profile = 1; profile <= 10; profile++) {
      const keyLen = f("srtp_profile_param", profile, 1);
      const saltLen = f("srtp_profile_param", profile, 2);
      const size = f("srtp_session_size", 2, 1, 128, profile);
      const blk = core.arena.alloc(4 * size + 8192, 16);
      try {
        const [tx, txIn, rx, rxIn] = [blk, blk + size, blk + 2 * size, blk + 3 * size];
        const key = blk + 4 * size;
        const A = key + 64; // input
        const B = key + 2048; // output
        const C = key + 4096; // in-place copy
        u8.fill(0x42, key, key + 64);
        u8[key + 63] = 1; // MKI
        for (const [s, dir] of [[tx, 1], [txIn, 1], [rx, 2], [rxIn, 2]] as const) {
          assert.equal(f("srtp_session_init", s, size, dir, profile, 2, 1, 128, 0, 1, 7), 0);
          assert.equal(f("srtp_key_add", s, key, keyLen, key + 32, saltLen, key + 63, 1, 0), 0);
        }
        for (const rtcp of [false, true]) {
          const len = rtcp ? 28 : 12 + 4 + 8 + 37; // RTP: one CSRC, an extension, 37 octets of payload
          for (let i = 0; i < len; i++) u8[A + i] = (i * 29 + profile) & 0xff;
          if (rtcp) u8.set([0x80, 200, 0, 6, 0xca, 0xfe, 0xba, 0xbe], A);
          else u8.set([0x91, 0, 0x12, 0x34, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe, 1, 2, 3, 4, 0xbe, 0xde, 0, 2], A);
          const input = u8.slice(A, A + len);
          const prot = rtcp ? "srtcp_protect" : "srtp_protect";
          const unprot = rtcp ? "srtcp_unprotect" : "srtp_unprotect";
          // in place, for reference
          u8.set(input, C);
          const n = f(prot, txIn, C, len, C, 256);
          assert.ok(n > len, `${profile} ${prot} in place`);
          const want = u8.slice(C, C + n);
          // separate, with exact capacity and a sentinel right after it
          u8.fill(0xa5, B, B + 512);
          assert.equal(f(prot, tx, A, len, B, n - 1), -38, "one octet short");
          assert.ok(u8.subarray(B, B + 512).every((x) => x === 0xa5), "nothing written on ERR_SRTP_BUFFER");
          assert.equal(f(prot, tx, A, len, B, n), n);
          assert.deepEqual(u8.slice(B, B + n), want);
          assert.ok(u8.subarray(B + n, B + 512).every((x) => x === 0xa5), "nothing past the capacity");
          assert.deepEqual(u8.slice(A, A + len), input, "protect input intact");
          // unprotect separately: input (B) intact, output equals the plaintext
          const sealed = u8.slice(B, B + n);
          u8.fill(0x5a, A, A + 512);
          assert.equal(f(unprot, rx, B, n, A, len - 1), -38);
          assert.ok(u8.subarray(A, A + 512).every((x) => x === 0x5a));
          const bad = B + n - 1 - (profile === 7 || profile === 8 ? 1 + (rtcp ? 4 : 0) : 0); // a tag octet
          u8[bad]! ^= 1;
          assert.equal(f(unprot, rx, B, n, A, len), -32, "forged");
          u8[bad]! ^= 1;
          assert.ok(u8.subarray(A, A + 512).every((x) => x === 0x5a), "nothing written on ERR_SRTP_AUTH_FAIL");
          assert.deepEqual(u8.slice(B, B + n), sealed, "unprotect input intact after a failure");
          assert.equal(f(unprot, rx, B, n, A, len), len);
          assert.deepEqual(u8.slice(A, A + len), input);
          assert.ok(u8.subarray(A + len, A + 512).every((x) => x === 0x5a), "nothing past the output");
          assert.deepEqual(u8.slice(B, B + n), sealed, "unprotect input intact");
        }
      } finally {
        core.arena.release(blk);
      }
    }
  });
}

for (const variant of VARIANTS) {
  test(`${variant}: RFC 7714 §17.3 tag-only SRTCP, separate buffers: opens, input intact, forgery refused`, async () => {
    const core = await shippedCore(variant);
    const f = (name: string, ...a: number[]) => core.fn(name)(...a);
    const u8 = core.u8;
    const v = loadVectors<Record<string, string | number>>("srtp_aes_gcm_rfc7714").cases.find((c) => String(c.name).includes("17.3"))!;
    const key = hex(String(v.key));
    const salt = hex(String(v.salt));
    const sealed = hex(String(v.protected_packet));
    const plain = hex(String(v.unprotected_packet));
    const size = f("srtp_session_size", 1, 1, 128, 7);
    const blk = core.arena.alloc(size + 4096, 16);
    try {
      const s = blk;
      const K = blk + size;
      const A = K + 256;
      const B = K + 1024;
      assert.equal(f("srtp_session_init", s, size, 2, 7, 1, 1, 128, 0, 0, 1), 0);
      u8.set([...key, ...salt, ...key, ...salt], K);
      assert.equal(f("srtp_key_add_session_keys", s, K, 56, K, 0, 0), 0);
      u8.set(sealed, A);
      u8[A + 20]! ^= 1;
      u8.fill(0x77, B, B + 256);
      assert.equal(f("srtcp_unprotect", s, A, sealed.length, B, 256), -32);
      assert.ok(u8.subarray(B, B + 256).every((x) => x === 0x77));
      u8[A + 20]! ^= 1;
      assert.deepEqual(u8.slice(A, A + sealed.length), sealed, "input restored after the failure");
      assert.equal(f("srtcp_unprotect", s, A, sealed.length, B, 256), plain.length);
      assert.deepEqual(u8.slice(B, B + plain.length), plain);
      assert.deepEqual(u8.slice(A, A + sealed.length), sealed, "input intact");
    } finally {
      core.arena.release(blk);
    }
  });
}
