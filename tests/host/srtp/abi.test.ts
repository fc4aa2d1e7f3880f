// The raw srtp_* / srtcp_* exports under bad arguments: out-of-arena pointers, wrapping lengths,
// garbage or unaligned contexts, partial overlap, wrong direction, bad batch descriptors. Each
// returns its status; none traps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";

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
    assert.equal(f("srtp_key_slot_size", 0), Math.max(f("srtp_key_slot_size", 1), f("srtp_key_slot_size", 7)));
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
      // a context whose geometry was corrupted is refused
      dv.setUint32(s + 24, 0xffff, true); // table mask
      assert.equal(f("srtp_protect", s, pkt, 20, pkt, 100), ERR_SRTP_STATE);
      dv.setUint32(s + 24, 7, true);
      dv.setUint32(s + 72, 0x7fffffff, true); // total size past the arena
      assert.equal(f("srtp_protect", s, pkt, 20, pkt, 100), ERR_SRTP_STATE);
    } finally {
      core.arena.release(blk);
    }
  });
}
