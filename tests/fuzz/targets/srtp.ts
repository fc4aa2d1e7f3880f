// SRTP/SRTCP in the core (mutation-based). The receivers have already taken every genuine packet the
// sender made, so any hostile input they accept is a forgery or a replay: a finding. After each
// refused input the stream must be as it was: same ROC / SRTCP index, no new SSRC state, the next
// genuine packet accepted and the last one still refused as a replay. Protect: whatever RTP the
// sender accepts comes back identical through a receiver with the same key.
import { loadCore, type Core } from "../../../host/core/load-core.js";
import { SrtpError } from "../../../host/srtp/errors.js";
import type { SrtpReceiver, SrtpSender } from "../../../host/srtp/session.js";
import type { SrtpProfileName } from "../../../host/srtp/profiles.js";
import { bump, check, coreUnchanged, expectTyped, instanceOf, sameBytes, type FuzzTarget } from "./types.js";

const isSrtpError = instanceOf(SrtpError);
const SSRC = 0x5eed1234;

interface Pair {
  profile: SrtpProfileName;
  tx: SrtpSender;
  rx: SrtpReceiver;
  seq: number;
  rtcpCount: number;
  last: Uint8Array;
  lastRtcp: Uint8Array;
  made: Uint8Array[];
  madeRtcp: Uint8Array[];
}

let core: Core | undefined;
let pairs: Pair[] = [];

function key(profile: SrtpProfileName, mki: boolean): { profile: SrtpProfileName; masterKey: Uint8Array; masterSalt: Uint8Array; mki?: Uint8Array } {
  const gcm = profile.startsWith("AEAD");
  return {
    profile,
    masterKey: Uint8Array.from({ length: profile.includes("256") ? 32 : 16 }, (_, i) => 0x11 * (i + 1)),
    masterSalt: Uint8Array.from({ length: gcm ? 12 : 14 }, (_, i) => 0xa5 ^ i),
    ...(mki ? { mki: Uint8Array.of(1) } : {}),
  };
}

function rtpPacket(seq: number, ssrc = SSRC, payload = 160): Uint8Array {
  const p = new Uint8Array(12 + payload);
  p[0] = 0x80;
  p[1] = 0;
  p[2] = (seq >> 8) & 0xff;
  p[3] = seq & 0xff;
  new DataView(p.buffer).setUint32(4, (seq * 160) >>> 0);
  new DataView(p.buffer).setUint32(8, ssrc >>> 0);
  for (let i = 12; i < p.length; i++) p[i] = (seq + i) & 0xff;
  return p;
}

function rtcpPacket(n: number): Uint8Array {
  // RR with one report block, then SDES CNAME
  const p = new Uint8Array(32 + 20);
  const dv = new DataView(p.buffer);
  p[0] = 0x81;
  p[1] = 201;
  dv.setUint16(2, 7);
  dv.setUint32(4, SSRC);
  dv.setUint32(8, 0x99);
  dv.setUint32(16, n);
  p[32] = 0x81;
  p[33] = 202;
  dv.setUint16(34, 4);
  dv.setUint32(36, SSRC);
  p[40] = 1;
  p[41] = 8;
  p.set(Buffer.from("gw@fuzz!"), 42);
  return p;
}

async function ensurePairs(variant: "simd" | "scalar"): Promise<void> {
  if (core) return;
  core = await loadCore({ variant });
  const c = core;
  pairs = (
    [
      ["AES_CM_128_HMAC_SHA1_80", true],
      ["AEAD_AES_128_GCM", false],
    ] as [SrtpProfileName, boolean][]
  ).map(([profile, mki]) => {
    const k = key(profile, mki);
    const pair: Pair = { profile, tx: c.srtp.sender(k), rx: c.srtp.receiver(k), seq: 100, rtcpCount: 0, last: new Uint8Array(0), lastRtcp: new Uint8Array(0), made: [], madeRtcp: [] };
    for (let i = 0; i < 6; i++) {
      advance(pair);
      advanceRtcp(pair);
    }
    // Make the shared packet and scratch buffers now, at their largest size, so that their lazy
    // allocation is not taken for a leak later.
    try {
      pair.rx.unprotect(new Uint8Array(2000).fill(0x80));
    } catch {
      /* refused */
    }
    pair.rx.getRoc(SSRC);
    pair.rx.getSrtcpIndex(SSRC);
    void pair.rx.streamCount;
    pair.rx.stats();
    return pair;
  });
}

/** The sender makes the next packet; the receiver must take it. */
function advance(p: Pair): void {
  p.seq = (p.seq + 1) & 0xffff;
  const rtp = rtpPacket(p.seq);
  const s = p.tx.protect(rtp);
  const back = expectTyped(`${p.profile}: the next genuine packet`, () => false, () => p.rx.unprotect(s));
  if (back.ok) check(sameBytes(back.value, rtp), `${p.profile}: genuine packet did not round-trip`);
  p.last = s;
  if (p.made.length < 8) p.made.push(s);
}

function advanceRtcp(p: Pair): void {
  p.rtcpCount++;
  const rtcp = rtcpPacket(p.rtcpCount);
  const s = p.tx.protectRtcp(rtcp);
  const back = expectTyped(`${p.profile}: the next genuine SRTCP packet`, () => false, () => p.rx.unprotectRtcp(s));
  if (back.ok) check(sameBytes(back.value, rtcp), `${p.profile}: genuine SRTCP did not round-trip`);
  p.lastRtcp = s;
  if (p.madeRtcp.length < 8) p.madeRtcp.push(s);
}

function expectReplay(what: string, f: () => unknown): void {
  const r = expectTyped(what, isSrtpError, f);
  check(!r.ok && ["ERR_SRTP_REPLAY", "ERR_SRTP_REPLAY_OLD"].includes((r.error as SrtpError).code), `${what}: the last genuine packet was not refused as a replay`);
}

const unprotectCounters: Record<string, number> = {};

export const srtpUnprotect: FuzzTarget = {
  name: "srtp-unprotect",
  description: "SRTP unprotect in the core (AES_CM_128_HMAC_SHA1_80 with 1-byte MKI, AEAD_AES_128_GCM): no forgery, no replay, no state change on refusal",
  kind: "core",
  maxLength: 1500,
  counters: unprotectCounters,
  setup: (o) => ensurePairs(o.variant),
  seeds: () => pairs.flatMap((p) => p.made),
  run(input) {
    for (const p of pairs) {
      coreUnchanged(core!, `${p.profile} unprotect`, () => {
        const roc = p.rx.getRoc(SSRC);
        const streams = p.rx.streamCount;
        const r = expectTyped(`${p.profile} unprotect`, isSrtpError, () => p.rx.unprotect(input));
        check(!r.ok, `${p.profile}: a hostile SRTP packet was accepted (forgery or replay)`);
        bump(unprotectCounters, (r as { error: SrtpError }).error.code);
        check(p.rx.getRoc(SSRC) === roc, `${p.profile}: a refused packet moved the ROC`);
        check(p.rx.streamCount === streams, `${p.profile}: a refused packet created stream state`);
        expectReplay(`${p.profile} replay of the last genuine packet`, () => p.rx.unprotect(p.last));
        advance(p);
      });
    }
  },
};

const rtcpCounters: Record<string, number> = {};

export const srtcpUnprotect: FuzzTarget = {
  name: "srtcp-unprotect",
  description: "SRTCP unprotect in the core (E flag, 31-bit index, MKI, tag): no forgery, no replay, no state change on refusal",
  kind: "core",
  maxLength: 1500,
  counters: rtcpCounters,
  setup: (o) => ensurePairs(o.variant),
  seeds: () => pairs.flatMap((p) => p.madeRtcp),
  run(input) {
    for (const p of pairs) {
      coreUnchanged(core!, `${p.profile} unprotectRtcp`, () => {
        const index = p.rx.getSrtcpIndex(SSRC);
        const streams = p.rx.streamCount;
        const r = expectTyped(`${p.profile} unprotectRtcp`, isSrtpError, () => p.rx.unprotectRtcp(input));
        check(!r.ok, `${p.profile}: a hostile SRTCP packet was accepted (forgery or replay)`);
        bump(rtcpCounters, (r as { error: SrtpError }).error.code);
        check(p.rx.getSrtcpIndex(SSRC) === index, `${p.profile}: a refused SRTCP packet moved the index`);
        check(p.rx.streamCount === streams, `${p.profile}: a refused SRTCP packet created stream state`);
        expectReplay(`${p.profile} replay of the last genuine SRTCP packet`, () => p.rx.unprotectRtcp(p.lastRtcp));
        advanceRtcp(p);
      });
    }
  },
};

const protectCounters: Record<string, number> = {};

/** Hostile plaintext into a fresh sender; what it protects, a fresh receiver must give back unchanged. */
export const srtpProtect: FuzzTarget = {
  name: "srtp-protect",
  description: "SRTP/SRTCP protect on hostile RTP/RTCP (header parsing in the core); protect → unprotect round trip",
  kind: "core",
  maxLength: 1500,
  counters: protectCounters,
  setup: (o) => ensurePairs(o.variant),
  seeds: () => [rtpPacket(7), rtpPacket(65535, 1, 0), rtcpPacket(3), Uint8Array.of(0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 5, 6)],
  run(input) {
    const c = core!;
    for (const profile of ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"] as const) {
      coreUnchanged(c, `${profile} protect`, () => {
        const k = key(profile, profile.startsWith("AES_CM"));
        const tx = c.srtp.sender(k);
        const rx = c.srtp.receiver(k);
        try {
          const rtcp = input.length > 1 && input[1]! >= 192 && input[1]! <= 223;
          const s = expectTyped(`${profile} protect`, isSrtpError, () => (rtcp ? tx.protectRtcp(input) : tx.protect(input)));
          if (!s.ok) {
            bump(protectCounters, `refused-${(s.error as SrtpError).code}`);
            return;
          }
          bump(protectCounters, rtcp ? "rtcp" : "rtp");
          const back = expectTyped(`${profile} unprotect of our own packet`, () => false, () => (rtcp ? rx.unprotectRtcp(s.value) : rx.unprotect(s.value)));
          if (back.ok) check(sameBytes(back.value, input), `${profile}: protect → unprotect changed the packet`);
        } finally {
          tx.close();
          rx.close();
        }
      });
    }
  },
};
