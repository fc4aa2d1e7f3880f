// Internal checks of the TLS record layer that the ABI does not expose: header rules, sequence
// number arithmetic at the 2^64 edge, padding and fragment arithmetic, reassembly bookkeeping,
// the HelloRetryRequest transcript rewrite, and the key schedule's stage secrets (RFC 8448 §3).
import {
  HALF_CTX_SIZE, H_SEQ, H_FLAGS, F_EXHAUSTED, DIR_READ, DIR_WRITE, halfInit, halfSetKey, halfSetProtocol,
  halfSetRecordSizeLimit, seqCanTake, seqAdvance, maxInner, maxFragment,
} from "../../assembly/tls/half";
import { checkHeader, sealedSize } from "../../assembly/tls/record";
import { REASM_CTX_SIZE, reasmInit, reasmFeed, reasmReady, reasmWant, reasmPending } from "../../assembly/tls/reasm";
import { TRANSCRIPT_CTX_SIZE, transcriptInit, transcriptUpdate, transcriptHash, transcriptHelloRetry, transcriptSelect } from "../../assembly/tls/transcript";
import { KS13_CTX_SIZE, KS13_SECRET, ks13Init, ks13Handshake, ks13Master, ks13Derive } from "../../assembly/tls/keyschedule13";
import { shaDigest } from "../../assembly/crypto/hash/index";
import { ERR_STATE, ERR_ARG } from "../../assembly/abi/status";
import {
  ERR_TLS_RECORD_OVERFLOW, ERR_TLS_UNEXPECTED_MESSAGE, ERR_TLS_PROTOCOL_VERSION,
} from "../../assembly/abi/status";

function hdr(p: usize, type: u32, version: u32, len: u32): usize {
  store<u8>(p, <u8>type);
  store<u8>(p + 1, <u8>(version >> 8));
  store<u8>(p + 2, <u8>version);
  store<u8>(p + 3, <u8>(len >> 8));
  store<u8>(p + 4, <u8>len);
  return p;
}

function hexOf(p: usize, n: usize): string {
  let s = "";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

function fromHex(p: usize, h: string): usize {
  for (let i = 0; i < h.length; i += 2) store<u8>(p + <usize>(i >> 1), <u8>I32.parseInt(h.substr(i, 2), 16));
  return p;
}

const KEY = heap.alloc(32);
const IV = heap.alloc(16);

function freshRead(): usize {
  const h = heap.alloc(HALF_CTX_SIZE);
  halfInit(h, DIR_READ);
  return h;
}

describe("checkHeader", () => {
  it("accepts the four content types and refuses the rest", () => {
    const p = heap.alloc(8);
    for (let t: u32 = 0; t < 256; t++) {
      const h = freshRead();
      const r = checkHeader(h, hdr(p, t, 0x0303, 10));
      expect(r).toBe(t >= 20 && t <= 23 ? 0 : ERR_TLS_UNEXPECTED_MESSAGE);
    }
  });
  it("applies 2^14 unprotected, 2^14 + 256 for TLS 1.3 and 2^14 + 2048 for TLS 1.2", () => {
    const p = heap.alloc(8);
    let h = freshRead();
    expect(checkHeader(h, hdr(p, 22, 0x0303, 16384))).toBe(0);
    expect(checkHeader(h, hdr(p, 22, 0x0303, 16385))).toBe(ERR_TLS_RECORD_OVERFLOW);
    h = freshRead();
    expect(halfSetKey(h, 0x0304, 1, KEY, 16, IV, 12)).toBe(0);
    expect(checkHeader(h, hdr(p, 23, 0x0303, 16640))).toBe(0);
    expect(checkHeader(h, hdr(p, 23, 0x0303, 16641))).toBe(ERR_TLS_RECORD_OVERFLOW);
    h = freshRead();
    expect(halfSetKey(h, 0x0303, 2, KEY, 32, IV, 4)).toBe(0);
    expect(checkHeader(h, hdr(p, 23, 0x0303, 18432))).toBe(0);
    expect(checkHeader(h, hdr(p, 23, 0x0303, 18433))).toBe(ERR_TLS_RECORD_OVERFLOW);
  });
  it("checks record versions: major 3 always, exactly 0x0303 in TLS 1.2", () => {
    const p = heap.alloc(8);
    let h = freshRead();
    expect(checkHeader(h, hdr(p, 22, 0x0301, 5))).toBe(0);
    expect(checkHeader(h, hdr(p, 22, 0x0403, 5))).toBe(ERR_TLS_PROTOCOL_VERSION);
    h = freshRead();
    expect(halfSetProtocol(h, 0x0303)).toBe(0);
    expect(checkHeader(h, hdr(p, 22, 0x0301, 5))).toBe(ERR_TLS_PROTOCOL_VERSION);
  });
  it("a failure is sticky: the first error stays", () => {
    const p = heap.alloc(8);
    const h = freshRead();
    expect(checkHeader(h, hdr(p, 99, 0x0303, 5))).toBe(ERR_TLS_UNEXPECTED_MESSAGE);
    expect(checkHeader(h, hdr(p, 22, 0x0303, 60000))).toBe(ERR_TLS_UNEXPECTED_MESSAGE);
  });
});

describe("sequence numbers", () => {
  it("use every number up to 2^64 - 1 and then refuse", () => {
    const h = heap.alloc(HALF_CTX_SIZE);
    halfInit(h, DIR_WRITE);
    store<u64>(h + H_SEQ, 0xfffffffffffffffd);
    expect(seqCanTake(h, 3)).toBe(true);
    expect(seqCanTake(h, 4)).toBe(false);
    seqAdvance(h, 2);
    expect(load<u64>(h + H_SEQ)).toBe(0xffffffffffffffff);
    expect(seqCanTake(h, 1)).toBe(true);
    expect(seqCanTake(h, 2)).toBe(false);
    seqAdvance(h, 1);
    expect(load<u64>(h + H_SEQ)).toBe(0);
    expect(load<u32>(h + H_FLAGS) & F_EXHAUSTED).toBe(F_EXHAUSTED);
    expect(seqCanTake(h, 1)).toBe(false);
  });
  it("new keys restart at 0 and clear exhaustion (TLS 1.3)", () => {
    const h = heap.alloc(HALF_CTX_SIZE);
    halfInit(h, DIR_WRITE);
    expect(halfSetKey(h, 0x0304, 1, KEY, 16, IV, 12)).toBe(0);
    store<u64>(h + H_SEQ, 0);
    store<u32>(h + H_FLAGS, F_EXHAUSTED);
    expect(halfSetKey(h, 0x0304, 1, KEY, 16, IV, 12)).toBe(0);
    expect(load<u32>(h + H_FLAGS) & F_EXHAUSTED).toBe(0);
  });
  it("TLS 1.2 keys are installed once, and the version never changes under keys", () => {
    const h = heap.alloc(HALF_CTX_SIZE);
    halfInit(h, DIR_WRITE);
    expect(halfSetKey(h, 0x0303, 1, KEY, 16, IV, 4)).toBe(0);
    expect(halfSetKey(h, 0x0303, 1, KEY, 16, IV, 4)).toBe(ERR_STATE);
    expect(halfSetKey(h, 0x0304, 1, KEY, 16, IV, 12)).toBe(ERR_STATE);
    expect(halfSetProtocol(h, 0x0304)).toBe(ERR_STATE);
    expect(halfSetKey(freshRead(), 0x0304, 1, KEY, 16, IV, 4)).toBe(ERR_ARG);
  });
});

describe("fragment and padding arithmetic", () => {
  it("record_size_limit counts the content type in TLS 1.3 and is clamped to the protocol maximum", () => {
    const h = heap.alloc(HALF_CTX_SIZE);
    halfInit(h, DIR_WRITE);
    expect(halfSetKey(h, 0x0304, 1, KEY, 16, IV, 12)).toBe(0);
    expect(maxFragment(h)).toBe(16384);
    expect(halfSetRecordSizeLimit(h, 64)).toBe(0);
    expect(maxInner(h)).toBe(64);
    expect(maxFragment(h)).toBe(63);
    expect(halfSetRecordSizeLimit(h, 65535)).toBe(0);
    expect(maxInner(h)).toBe(16385);
    expect(halfSetRecordSizeLimit(h, 63)).toBe(ERR_ARG);
    const h2 = heap.alloc(HALF_CTX_SIZE);
    halfInit(h2, DIR_WRITE);
    expect(halfSetKey(h2, 0x0303, 1, KEY, 16, IV, 4)).toBe(0);
    expect(halfSetRecordSizeLimit(h2, 65535)).toBe(0);
    expect(maxFragment(h2)).toBe(16384);
  });
  it("sealedSize adds up header, type, padding and tag per record", () => {
    const h = heap.alloc(HALF_CTX_SIZE);
    halfInit(h, DIR_WRITE);
    expect(sealedSize(h, 22, 40000)).toBe(40015);
    expect(halfSetKey(h, 0x0304, 1, KEY, 16, IV, 12)).toBe(0);
    expect(sealedSize(h, 23, 0)).toBe(22);
    expect(sealedSize(h, 23, 16384)).toBe(16384 + 22);
    expect(sealedSize(h, 23, 16385)).toBe(16385 + 44);
    store<u32>(h + 56, 100); // H_PAD: pad inner plaintext to multiples of 100
    expect(sealedSize(h, 23, 10)).toBe(5 + 100 + 16);
    expect(sealedSize(h, 23, 16384)).toBe(5 + 16385 + 16);
    expect(sealedSize(h, 20, 1)).toBe(6); // compatibility CCS: unprotected
  });
});

describe("reassembly", () => {
  it("takes a header, then exactly its body, then waits", () => {
    const r = heap.alloc(REASM_CTX_SIZE);
    reasmInit(r);
    const h = freshRead();
    const src = heap.alloc(64);
    hdr(src, 22, 0x0303, 3);
    hdr(src + 8, 22, 0x0303, 1);
    memory.copy(src + 5, src + 8, 3); // body of the first record: the next header's first 3 bytes
    expect(reasmWant(r)).toBe(5);
    expect(reasmFeed(r, h, src, 2)).toBe(2);
    expect(reasmPending(r)).toBe(2);
    expect(reasmWant(r)).toBe(3);
    expect(reasmFeed(r, h, src + 2, 20)).toBe(6);
    expect(reasmReady(r)).toBe(8);
    expect(reasmFeed(r, h, src + 8, 6)).toBe(0);
  });
});

describe("transcript", () => {
  it("HelloRetryRequest replaces ClientHello1 by message_hash (RFC 8446 §4.4.1)", () => {
    const t = heap.alloc(TRANSCRIPT_CTX_SIZE);
    const ch1 = heap.alloc(100);
    const hrr = heap.alloc(40);
    for (let i: usize = 0; i < 100; i++) store<u8>(ch1 + i, <u8>(i * 3));
    for (let i: usize = 0; i < 40; i++) store<u8>(hrr + i, <u8>(i * 5 + 1));
    const work = heap.alloc(64);
    const out = heap.alloc(48);
    transcriptInit(t, 0);
    transcriptUpdate(t, ch1, 100);
    transcriptHelloRetry(t, work);
    transcriptUpdate(t, hrr, 40);
    expect(transcriptSelect(t, 3)).toBe(0);
    expect(transcriptHash(t, 2, out)).toBe(ERR_STATE);
    transcriptHash(t, 3, out);
    // reference: SHA-384(FE 00 00 30 || SHA-384(CH1) || HRR)
    const msg = heap.alloc(4 + 48 + 40);
    store<u32>(msg, 0x300000fe);
    shaDigest(3, ch1, 100, msg + 4);
    memory.copy(msg + 52, hrr, 40);
    const ref = heap.alloc(48);
    shaDigest(3, msg, 92, ref);
    expect(hexOf(out, 48)).toBe(hexOf(ref, 48));
  });
});

describe("TLS 1.3 key schedule stage secrets (RFC 8448 §3)", () => {
  it("early, handshake and master secrets, and labels refused outside their stage", () => {
    const ks = heap.alloc(KS13_CTX_SIZE);
    ks13Init(ks, 2, 0, 0);
    expect(hexOf(ks + KS13_SECRET, 32)).toBe("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
    const out = heap.alloc(48);
    expect(ks13Derive(ks, 5, 0, out)).toBe(ERR_STATE);
    expect(ks13Master(ks)).toBe(ERR_STATE);
    const shared = fromHex(heap.alloc(32), "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
    expect(ks13Handshake(ks, shared, 32)).toBe(0);
    expect(hexOf(ks + KS13_SECRET, 32)).toBe("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");
    expect(ks13Handshake(ks, shared, 32)).toBe(ERR_STATE);
    expect(ks13Master(ks)).toBe(0);
    expect(hexOf(ks + KS13_SECRET, 32)).toBe("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919");
    expect(ks13Derive(ks, 1, 0, out)).toBe(ERR_STATE);
    expect(ks13Derive(ks, 11, 0, out)).toBe(ERR_ARG);
  });
});
