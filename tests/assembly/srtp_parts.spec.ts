// Internal parts of the SRTP engine that need no cryptography: header validation, packet index
// estimation (RFC 3711 Appendix A), the replay window and the SSRC table. Each is checked against a
// naive model on pseudo-random inputs as well as on hand-picked edge cases.
import { rtpHeaderLen, rtpPaddingOk, rtcpHeaderOk } from "../../assembly/srtp/rtp_header";
import { estimateIndex, INDEX_INVALID } from "../../assembly/srtp/index_estimate";
import { replayCheck, replayCommit, windowBitmapBits } from "../../assembly/srtp/replay";
import { tableCapacity, tableFind, tableInsert, tableRemove } from "../../assembly/srtp/stream_table";
import { ERR_SRTP_MALFORMED, ERR_SRTP_REPLAY, ERR_SRTP_REPLAY_OLD, OK } from "../../assembly/abi/status";

let rng: u32 = 0x12345678;
function rand(): u32 {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

function bytes(p: usize, a: u8[]): void {
  for (let i = 0; i < a.length; i++) store<u8>(p + <usize>i, a[i]);
}

describe("rtpHeaderLen", () => {
  it("accepts the fixed header, CSRCs and extensions, and refuses what runs past the end", () => {
    const p = heap.alloc(256);
    memory.fill(p, 0, 256);
    bytes(p, [0x80, 0x00, 0x12, 0x34]);
    expect(rtpHeaderLen(p, 12)).toBe(12);
    expect(rtpHeaderLen(p, 11)).toBe(ERR_SRTP_MALFORMED);
    expect(rtpHeaderLen(p, 0)).toBe(ERR_SRTP_MALFORMED);
    // versions 0, 1, 3
    store<u8>(p, 0x00);
    expect(rtpHeaderLen(p, 20)).toBe(ERR_SRTP_MALFORMED);
    store<u8>(p, 0x40);
    expect(rtpHeaderLen(p, 20)).toBe(ERR_SRTP_MALFORMED);
    store<u8>(p, 0xc0);
    expect(rtpHeaderLen(p, 20)).toBe(ERR_SRTP_MALFORMED);
    // CSRC count 15: 12 + 60
    store<u8>(p, 0x8f);
    expect(rtpHeaderLen(p, 72)).toBe(72);
    expect(rtpHeaderLen(p, 71)).toBe(ERR_SRTP_MALFORMED);
    // extension with 2 words after 1 CSRC: 12 + 4 + 4 + 8 = 28
    store<u8>(p, 0x91);
    bytes(p + 16, [0xbe, 0xde, 0x00, 0x02]);
    expect(rtpHeaderLen(p, 28)).toBe(28);
    expect(rtpHeaderLen(p, 27)).toBe(ERR_SRTP_MALFORMED);
    expect(rtpHeaderLen(p, 19)).toBe(ERR_SRTP_MALFORMED); // extension header itself cut
    // extension length 0xffff far past the end
    bytes(p + 16, [0xbe, 0xde, 0xff, 0xff]);
    expect(rtpHeaderLen(p, 200)).toBe(ERR_SRTP_MALFORMED);
  });
  it("checks padding on plaintext payloads", () => {
    const p = heap.alloc(64);
    memory.fill(p, 0, 64);
    store<u8>(p, 0xa0); // V=2, P=1
    store<u8>(p + 19, 8); // 8-octet payload, pad count 8
    expect(rtpPaddingOk(p, 12, 20)).toBe(true);
    store<u8>(p + 19, 9);
    expect(rtpPaddingOk(p, 12, 20)).toBe(false);
    store<u8>(p + 19, 0);
    expect(rtpPaddingOk(p, 12, 20)).toBe(false);
    expect(rtpPaddingOk(p, 12, 12)).toBe(false); // P set, empty payload
    store<u8>(p, 0x80);
    expect(rtpPaddingOk(p, 12, 12)).toBe(true);
  });
  it("checks RTCP version and minimum length", () => {
    const p = heap.alloc(16);
    memory.fill(p, 0, 16);
    store<u8>(p, 0x81);
    expect(rtcpHeaderOk(p, 8)).toBe(true);
    expect(rtcpHeaderOk(p, 7)).toBe(false);
    store<u8>(p, 0x41);
    expect(rtcpHeaderOk(p, 8)).toBe(false);
  });
});

function idx(roc: u64, seq: u64): u64 {
  return (roc << 16) | seq;
}

describe("estimateIndex (RFC 3711 Appendix A)", () => {
  it("follows the sequence number across a wrap in both directions", () => {
    expect(estimateIndex(idx(0, 65530), 65531)).toBe(idx(0, 65531));
    expect(estimateIndex(idx(0, 65530), 2)).toBe(idx(1, 2)); // wrap forward
    expect(estimateIndex(idx(1, 2), 65534)).toBe(idx(0, 65534)); // late packet from before the wrap
    expect(estimateIndex(idx(1, 2), 3)).toBe(idx(1, 3));
    expect(estimateIndex(idx(5, 40000), 7233)).toBe(idx(5, 7233)); // s_l - 2^15 == SEQ: same ROC
    expect(estimateIndex(idx(5, 40000), 7231)).toBe(idx(6, 7231));
    expect(estimateIndex(idx(5, 100), 32868)).toBe(idx(5, 32868)); // SEQ - s_l == 2^15: same ROC
    expect(estimateIndex(idx(5, 100), 32869)).toBe(idx(4, 32869));
  });
  it("never goes below ROC 0 and refuses to wrap the ROC", () => {
    expect(estimateIndex(idx(0, 10), 50000)).toBe(idx(0, 50000));
    expect(estimateIndex(0, 65535)).toBe(idx(0, 65535));
    expect(estimateIndex(idx(0xffffffff, 65535), 0)).toBe(INDEX_INVALID);
    expect(estimateIndex(idx(0xffffffff, 65500), 65535)).toBe(idx(0xffffffff, 65535));
  });
  it("stays within 2^15 of the highest index on random inputs", () => {
    let bad = 0;
    for (let n = 0; n < 4000; n++) {
      const roc = <u64>(rand() & 0xff) + 1;
      const h = idx(roc, <u64>(rand() & 0xffff));
      const seq = rand() & 0xffff;
      const e = estimateIndex(h, seq);
      const d = <i64>e - <i64>h;
      if (<u32>(e & 0xffff) != seq || d < -32768 || d > 32768) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe("replay window", () => {
  it("rounds the bitmap to a power of two of at least 64 bits", () => {
    expect(windowBitmapBits(64)).toBe(64);
    expect(windowBitmapBits(65)).toBe(128);
    expect(windowBitmapBits(128)).toBe(128);
    expect(windowBitmapBits(1000)).toBe(1024);
    expect(windowBitmapBits(32767)).toBe(32768);
  });
  it("accepts new, refuses repeated and too-old indices", () => {
    const bits: u32 = 128;
    const bm = heap.alloc(16);
    let h: u64 = 0;
    let seen = false;
    expect(replayCheck(bm, bits, 128, seen, h, 1000)).toBe(OK);
    h = replayCommit(bm, bits, seen, h, 1000);
    seen = true;
    expect(replayCheck(bm, bits, 128, seen, h, 1000)).toBe(ERR_SRTP_REPLAY);
    expect(replayCheck(bm, bits, 128, seen, h, 999)).toBe(OK);
    expect(replayCheck(bm, bits, 128, seen, h, 873)).toBe(OK); // h - 127
    expect(replayCheck(bm, bits, 128, seen, h, 872)).toBe(ERR_SRTP_REPLAY_OLD); // h - 128
    h = replayCommit(bm, bits, seen, h, 873);
    expect(h).toBe(1000);
    expect(replayCheck(bm, bits, 128, seen, h, 873)).toBe(ERR_SRTP_REPLAY);
    h = replayCommit(bm, bits, seen, h, 1001);
    expect(replayCheck(bm, bits, 128, seen, h, 873)).toBe(ERR_SRTP_REPLAY_OLD);
    expect(replayCheck(bm, bits, 128, seen, h, 1000)).toBe(ERR_SRTP_REPLAY);
    h = replayCommit(bm, bits, seen, h, 1000 + 100000); // a jump far past the window
    expect(replayCheck(bm, bits, 128, seen, h, 1000 + 99999)).toBe(OK);
    expect(replayCheck(bm, bits, 128, seen, h, 1000 + 100000)).toBe(ERR_SRTP_REPLAY);
  });
  it("matches a naive model of the window on random traffic, for several window sizes", () => {
    const windows: u32[] = [64, 100, 128, 1000, 4096, 32767];
    for (let w = 0; w < windows.length; w++) {
      const window = windows[w];
      const bits = windowBitmapBits(window);
      const bm = heap.alloc(<usize>(bits >> 3));
      const seenSet = new Set<u64>();
      let bad = 0;
      let h: u64 = 0;
      let seen = false;
      let base: u64 = 1 << 20;
      for (let n = 0; n < 2000; n++) {
        // mostly forward steps, some repeats, some reordering, some large jumps
        const r = rand() % 100;
        let j: u64;
        if (r < 50) j = base + <u64>(rand() % 4);
        else if (r < 75) j = seen ? h - <u64>(rand() % (window + 20)) : base;
        else if (r < 95) j = seen ? h - <u64>(rand() % 8) : base;
        else j = base + <u64>(rand() % (bits * 3));
        base = j > base ? j : base;
        // the model: accepted iff not seen before and (first, or newer, or within the window)
        let want: i32 = OK;
        if (seen && j <= h) {
          if (h - j >= <u64>window) want = ERR_SRTP_REPLAY_OLD;
          else if (seenSet.has(j)) want = ERR_SRTP_REPLAY;
        }
        const got = replayCheck(bm, bits, window, seen, h, j);
        if (got != want) bad++;
        if (got == OK) {
          h = replayCommit(bm, bits, seen, h, j);
          seen = true;
          seenSet.add(j);
        }
      }
      expect(bad).toBe(0);
    }
  });
});

describe("SSRC table", () => {
  it("sizes the table to at least twice the streams", () => {
    expect(tableCapacity(1)).toBe(4);
    expect(tableCapacity(2)).toBe(4);
    expect(tableCapacity(3)).toBe(8);
    expect(tableCapacity(10000)).toBe(32768);
  });
  it("finds, inserts and removes like a map under heavy churn", () => {
    const maxStreams: u32 = 300;
    const cap = tableCapacity(maxStreams);
    const mask = cap - 1;
    const table = heap.alloc(<usize>cap * 8);
    memory.fill(table, 0, <usize>cap * 8);
    const seed: u32 = 0xa5a5f00d;
    const model = new Map<u32, u32>();
    const keys = new Array<u32>();
    let nextSlot: u32 = 0;
    let bad = 0;
    for (let n = 0; n < 8000; n++) {
      const op = rand() % 3;
      if (op < 2 && <u32>model.size < maxStreams) {
        // insert a fresh SSRC; a few share low bits to force clusters
        const ssrc = (rand() % 4 == 0) ? (rand() & 0xff) : rand();
        if (model.has(ssrc)) continue;
        if (tableFind(table, mask, seed, ssrc) != -1) bad++;
        tableInsert(table, mask, seed, ssrc, nextSlot);
        model.set(ssrc, nextSlot);
        keys.push(ssrc);
        nextSlot++;
      } else if (keys.length > 0) {
        const k = <i32>(rand() % <u32>keys.length);
        const ssrc = keys[k];
        keys[k] = keys[keys.length - 1];
        keys.pop();
        if (tableRemove(table, mask, seed, ssrc) != <i32>model.get(ssrc)) bad++;
        model.delete(ssrc);
        if (tableFind(table, mask, seed, ssrc) != -1) bad++;
      }
      if (n % 1000 == 0) {
        for (let i = 0; i < keys.length; i++) if (tableFind(table, mask, seed, keys[i]) != <i32>model.get(keys[i])) bad++;
      }
    }
    expect(bad).toBe(0);
    expect(tableRemove(table, mask, seed, 0xdeadbeef)).toBe(model.has(0xdeadbeef) ? <i32>model.get(0xdeadbeef) : -1);
  });
});
