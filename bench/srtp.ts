// SRTP benchmark: packets per second, protect and unprotect, 172-byte (G.711, 20 ms) and 1212-byte
// RTP packets, AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM. Ours three ways:
//   - "per packet": the public per-packet API (protectInto / unprotectInto: copy in, call, copy out);
//   - "in place (arena)": protectInPlace / unprotectInPlace on a buffer in the core's arena (the
//     host writes the packet there: zero copies; unprotect copies each received packet in first,
//     as a socket handler must);
//   - "batch of 64 sessions": SrtpBatch, one packet for each of 64 sessions per core call (a
//     gateway's 20 ms tick), in arena slots;
// both core builds (SIMD, scalar). Peers in the same run: libsrtp (Debian's libsrtp2 through our C
// harness, timed inside C on its thread's CPU time (CLOCK_THREAD_CPUTIME_ID) over 256-packet chunks) and a plain node:crypto SRTP
// (a new cipher and HMAC per packet). Ours and node:crypto are rated on process CPU time
// (process.cpuUsage), libsrtp on CPU time inside C, so load from other jobs slows neither side's
// figure. Nine paired rounds (21 for the AES-CM 172-byte rows the per-packet target is read from): each round takes a libsrtp sample and then ours right after it; the
// ratio to libsrtp is the median of the per-round ratios (this host's speed drifts by +-30% within
// seconds, which a ratio of separately taken medians mixes in). Rates are medians. Ratios are ours / peer.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual, type CipherGCM, type DecipherGCM } from "node:crypto";
import { tmpdir } from "node:os";
import { loadCore, type Core, type CoreVariant, type SrtpProfileName, type SrtpSender, type SrtpReceiver } from "../host/index.js";
import { LibsrtpHarness, libsrtpAvailable } from "../host/interop/libsrtp/index.js";
import { cpuRate, median, type BenchContext } from "./harness.js";

const SIZES = [172, 1212];
const PROFILES: SrtpProfileName[] = ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"];
const ROUNDS = 9;
// The rows the per-packet target is read from (AES-CM, 172 B) take more rounds: on this
// shared machine one round's ratio scatters with an inter-quartile range of about +-10% (40-round
// runs, docs/performance.md), so the median of 9 moved by +-0.2x between runs of the same code.
const TARGET_ROUNDS = 21;
const roundsFor = (profile: SrtpProfileName, size: number): number => (profile === "AES_CM_128_HMAC_SHA1_80" && size === 172 ? TARGET_ROUNDS : ROUNDS);
const SAMPLE_MS = 60;
// Pre-protected packets cycled through by the unprotect loops: as many as the libsrtp harness's
// chunk (it protects 256 packets, then times their unprotection), so both sides read the same
// amount of packet memory.
const RING = 256;
const SESSIONS = 64; // batch rows: one packet per session per call

export function rtp(size: number, seq: number, ssrc = 0x11223344): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = 0x80;
  p[2] = (seq >> 8) & 0xff;
  p[3] = seq & 0xff;
  p[8] = ssrc >>> 24;
  p[9] = (ssrc >>> 16) & 0xff;
  p[10] = (ssrc >>> 8) & 0xff;
  p[11] = ssrc & 0xff;
  for (let i = 12; i < size; i++) p[i] = i & 0xff;
  return p;
}

type Probe = () => void;

interface OursProbes {
  protect: Probe;
  unprotect: Probe;
  protectInPlace: Probe;
  unprotectInPlace: Probe;
  protectBatch: Probe;
  unprotectBatch: Probe;
  close: () => void;
}

/** Our probes for one profile and size; each call of a probe does 64 packets. */
export function oursProbes(core: Core, profile: SrtpProfileName, size: number): OursProbes {
  const info = core.srtp.profile(profile);
  const key = { profile, masterKey: new Uint8Array(info.masterKeyLength).fill(7), masterSalt: new Uint8Array(info.masterSaltLength).fill(9) };
  const closers: (() => void)[] = [];
  const sender = (): SrtpSender => {
    const s = core.srtp.sender(key);
    closers.push(() => s.close());
    return s;
  };
  const receiver = (): SrtpReceiver => {
    const r = core.srtp.receiver(key);
    closers.push(() => r.close());
    return r;
  };
  // ---- per packet (public API with copies) ----
  const tx = sender();
  const pkt = rtp(size, 0);
  const out = new Uint8Array(size + 64);
  let seq = 0;
  const protect = () => {
    for (let i = 0; i < 64; i++) {
      pkt[2] = (seq >> 8) & 0xff;
      pkt[3] = seq & 0xff;
      seq = (seq + 1) & 0xffff;
      if (seq === 0) tx.removeStream(0x11223344);
      tx.protectInto(pkt, out);
    }
  };
  const gen = sender();
  const ring = Array.from({ length: RING }, (_, i) => gen.protect(rtp(size, i)));
  const rx = receiver();
  let at = 0;
  const unprotect = () => {
    for (let i = 0; i < 64; i++) {
      if (at === RING) {
        rx.removeStream(0x11223344);
        at = 0;
      }
      rx.unprotectInto(ring[at++]!, out);
    }
  };
  // ---- in place, on an arena buffer ----
  const txp = sender();
  const abuf = core.srtp.allocPacket(size + 64);
  closers.push(() => core.srtp.freePacket(abuf));
  abuf.set(pkt);
  let seqp = 0;
  const protectInPlace = () => {
    for (let i = 0; i < 64; i++) {
      abuf[2] = (seqp >> 8) & 0xff;
      abuf[3] = seqp & 0xff;
      seqp = (seqp + 1) & 0xffff;
      if (seqp === 0) txp.removeStream(0x11223344);
      // the application writes each frame into the buffer (its encoder's output): not counted here;
      // the core's cost does not depend on the bytes
      txp.protectInPlace(abuf, size);
    }
  };
  const rxp = receiver();
  const rbuf = core.srtp.allocPacket(size + 64);
  closers.push(() => core.srtp.freePacket(rbuf));
  let atp = 0;
  const unprotectInPlace = () => {
    for (let i = 0; i < 64; i++) {
      if (atp === RING) {
        rxp.removeStream(0x11223344);
        atp = 0;
      }
      const s = ring[atp++]!;
      rbuf.set(s); // the packet arrives in a socket buffer: one copy into the arena
      rxp.unprotectInPlace(rbuf, s.length);
    }
  };
  // ---- batch: one packet for each of 64 sessions per call ----
  const txs = Array.from({ length: SESSIONS }, () => sender());
  const batch = core.srtp.batch({ slots: SESSIONS, slotSize: size + 64 });
  closers.push(() => batch.release());
  const slots = Array.from({ length: SESSIONS }, (_, c) => batch.slot(c));
  for (let c = 0; c < SESSIONS; c++) {
    slots[c]!.set(pkt);
    batch.bind(c, txs[c]!); // once, at "call setup"
  }
  let seqb = 0;
  const protectBatch = () => {
    for (let c = 0; c < SESSIONS; c++) {
      const p = slots[c]!;
      p[2] = (seqb >> 8) & 0xff;
      p[3] = seqb & 0xff;
      batch.setLength(c, size);
    }
    seqb = (seqb + 1) & 0xffff;
    if (seqb === 0) for (const t of txs) t.removeStream(0x11223344);
    if (batch.protect(SESSIONS) !== SESSIONS) throw new Error("bench: batch protect failed");
  };
  const rxs = Array.from({ length: SESSIONS }, () => receiver());
  const rbatch = core.srtp.batch({ slots: SESSIONS, slotSize: size + 64 });
  closers.push(() => rbatch.release());
  const rslots = Array.from({ length: SESSIONS }, (_, c) => rbatch.slot(c));
  for (let c = 0; c < SESSIONS; c++) rbatch.bind(c, rxs[c]!);
  let atb = 0;
  const unprotectBatch = () => {
    if (atb === RING) {
      for (const r of rxs) r.removeStream(0x11223344);
      atb = 0;
    }
    const s = ring[atb++]!;
    for (let c = 0; c < SESSIONS; c++) {
      rslots[c]!.set(s); // each session receives its own copy of packet atb (as from its socket)
      rbatch.setLength(c, s.length);
    }
    if (rbatch.unprotect(SESSIONS) !== SESSIONS) throw new Error("bench: batch unprotect failed");
  };
  return { protect, unprotect, protectInPlace, unprotectInPlace, protectBatch, unprotectBatch, close: () => closers.reverse().forEach((f) => f()) };
}

/** A plain node:crypto SRTP, per packet: new cipher + new HMAC each time. Probes do 16 packets. */
function nodeProbes(profile: SrtpProfileName, size: number): { protect: Probe; unprotect: Probe } {
  const gcm = profile.startsWith("AEAD");
  const encKey = Buffer.alloc(16, 3);
  const authKey = Buffer.alloc(20, 4);
  const salt = Buffer.alloc(14, 5);
  const protectOne = (p: Buffer, seq: number): Buffer => {
    const header = p.subarray(0, 12);
    const payload = p.subarray(12);
    if (gcm) {
      const iv = Buffer.from(salt.subarray(0, 12));
      iv[10]! ^= seq >> 8;
      iv[11]! ^= seq & 0xff;
      const c = createCipheriv("aes-128-gcm", encKey, iv) as CipherGCM;
      c.setAAD(header);
      return Buffer.concat([header, c.update(payload), c.final(), c.getAuthTag()]);
    }
    const iv = Buffer.alloc(16);
    salt.copy(iv);
    iv[12]! ^= seq >> 8;
    iv[13]! ^= seq & 0xff;
    const enc = createCipheriv("aes-128-ctr", encKey, iv).update(payload);
    const tag = createHmac("sha1", authKey).update(header).update(enc).update(Buffer.alloc(4)).digest().subarray(0, 10);
    return Buffer.concat([header, enc, tag]);
  };
  const pkt = Buffer.from(rtp(size, 0));
  let seq = 0;
  const protect = () => {
    for (let i = 0; i < 16; i++) {
      pkt.writeUInt16BE(seq, 2);
      protectOne(pkt, seq);
      seq = (seq + 1) & 0xffff;
    }
  };
  const ring = Array.from({ length: 256 }, (_, i) => {
    pkt.writeUInt16BE(i, 2);
    return protectOne(pkt, i);
  });
  let at = 0;
  const unprotect = () => {
    for (let i = 0; i < 16; i++) {
      const s = ring[at]!;
      at = (at + 1) & 255;
      const seqn = s.readUInt16BE(2);
      const header = s.subarray(0, 12);
      if (gcm) {
        const iv = Buffer.from(salt.subarray(0, 12));
        iv[10]! ^= seqn >> 8;
        iv[11]! ^= seqn & 0xff;
        const d = createDecipheriv("aes-128-gcm", encKey, iv) as DecipherGCM;
        d.setAAD(header);
        d.setAuthTag(s.subarray(s.length - 16));
        Buffer.concat([header, d.update(s.subarray(12, s.length - 16)), d.final()]);
      } else {
        const body = s.subarray(12, s.length - 10);
        const tag = createHmac("sha1", authKey).update(header).update(body).update(Buffer.alloc(4)).digest().subarray(0, 10);
        if (!timingSafeEqual(tag, s.subarray(s.length - 10))) throw new Error("bench: tag mismatch");
        const iv = Buffer.alloc(16);
        salt.copy(iv);
        iv[12]! ^= seqn >> 8;
        iv[13]! ^= seqn & 0xff;
        Buffer.concat([header, createDecipheriv("aes-128-ctr", encKey, iv).update(body)]);
      }
    }
  };
  return { protect, unprotect };
}

/** Rates gathered over the rounds, one list per label. */
class Samples {
  private readonly m = new Map<string, number[]>();
  add(k: string, v: number): void {
    const a = this.m.get(k) ?? [];
    a.push(v);
    this.m.set(k, a);
  }
  med(k: string): number {
    const a = this.m.get(k);
    return a && a.length ? median(a) : NaN;
  }
}

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("srtp", "SRTP packets/s: ours (per packet, zero-copy, batch; SIMD and scalar) vs libsrtp (C harness) and node:crypto");
  const avail = libsrtpAvailable();
  let lib: LibsrtpHarness | undefined;
  if (avail.ok) lib = await LibsrtpHarness.start({ cacheDir: tmpdir() });
  else process.stderr.write(`bench srtp: libsrtp rows skipped: ${avail.reason} (${avail.install})\n`);
  const cores: Record<CoreVariant, Core> = { simd: await loadCore({ variant: "simd" }), scalar: await loadCore({ variant: "scalar" }) };
  let allRounds = 0;
  for (const p of PROFILES) for (const z of SIZES) allRounds += roundsFor(p, z);
  let done = 0;
  try {
    for (const profile of PROFILES) {
      for (const size of SIZES) {
        const S = new Samples();
        const simd = oursProbes(cores.simd, profile, size);
        const scalar = oursProbes(cores.scalar, profile, size);
        const node = nodeProbes(profile, size);
        const libOk = lib !== undefined && lib.supports(profile);
        // warm-up (JIT tiers, wasm tier-up)
        for (const f of [simd.protect, simd.unprotect, simd.protectInPlace, simd.unprotectInPlace, simd.protectBatch, simd.unprotectBatch, scalar.protect, scalar.unprotect, scalar.protectBatch, scalar.unprotectBatch]) cpuRate(f, 64, 30);
        // Paired rounds: libsrtp's sample, then ours right after it, so both sides meet the same
        // machine (this shared host's speed drifts by +-30% within seconds); each of our rows' ratio
        // to libsrtp is the median of the per-round ratios. node:crypto is sampled in the same rounds.
        let libCount = size < 500 ? 16000 : 4000;
        const libSample = async (op: "protect" | "unprotect"): Promise<number> => {
          const pps = (await lib!.bench({ profile, op, packetSize: size, count: libCount })).pps;
          libCount = Math.max(1000, Math.min(200000, Math.round((pps * SAMPLE_MS) / 1000)));
          return pps;
        };
        const side = async (op: "protect" | "unprotect", ours: [string, Probe, number][], nodeKey: string, nodeProbe: Probe, libKey: string): Promise<void> => {
          const l = libOk ? await libSample(op) : NaN;
          if (libOk) S.add(libKey, l);
          for (const [k, f, ops] of ours) {
            const v = cpuRate(f, ops, SAMPLE_MS);
            S.add(k, v);
            if (libOk) S.add(`${k}/lib`, v / l);
          }
          S.add(nodeKey, cpuRate(nodeProbe, 16, SAMPLE_MS));
        };
        const rounds = roundsFor(profile, size);
        for (let r = 0; r < rounds; r++) {
          ctx.progress(`${profile} ${size} B, round ${r + 1}/${rounds}`, done + r, allRounds);
          await side("protect", [["p", simd.protect, 64], ["pi", simd.protectInPlace, 64], ["pb", simd.protectBatch, SESSIONS], ["sp", scalar.protect, 64], ["spb", scalar.protectBatch, SESSIONS]], "np", node.protect, "lp");
          await side("unprotect", [["u", simd.unprotect, 64], ["ui", simd.unprotectInPlace, 64], ["ub", simd.unprotectBatch, SESSIONS], ["su", scalar.unprotect, 64], ["sub", scalar.unprotectBatch, SESSIONS]], "nu", node.unprotect, "lu");
        }
        done += rounds;
        simd.close();
        scalar.close();
        const peers = (ok: string, lk: string, nk: string) => [
          ...(libOk ? [{ name: "libsrtp", value: S.med(lk), ratio: S.med(`${ok}/lib`) }] : []),
          { name: "node:crypto", value: S.med(nk) },
        ];
        const t = `${profile} ${size} B`;
        ctx.rowPeers(`simd ${t} protect`, "pps", S.med("p"), peers("p", "lp", "np"), { note: "public per-packet API (protectInto)" });
        ctx.rowPeers(`simd ${t} unprotect`, "pps", S.med("u"), peers("u", "lu", "nu"), { note: "public per-packet API (unprotectInto)" });
        ctx.rowPeers(`simd ${t} protect in place (arena)`, "pps", S.med("pi"), peers("pi", "lp", "np"), { note: "zero-copy protectInPlace" });
        ctx.rowPeers(`simd ${t} unprotect in place (arena)`, "pps", S.med("ui"), peers("ui", "lu", "nu"), { note: "one copy in, unprotectInPlace" });
        ctx.rowPeers(`simd ${t} protect batch of 64 sessions`, "pps", S.med("pb"), peers("pb", "lp", "np"), { note: "SrtpBatch, arena slots" });
        ctx.rowPeers(`simd ${t} unprotect batch of 64 sessions`, "pps", S.med("ub"), peers("ub", "lu", "nu"), { note: "SrtpBatch, one copy in" });
        ctx.rowPeers(`scalar ${t} protect`, "pps", S.med("sp"), peers("sp", "lp", "np"), { note: "scalar build, per packet" });
        ctx.rowPeers(`scalar ${t} unprotect`, "pps", S.med("su"), peers("su", "lu", "nu"), { note: "scalar build, per packet" });
        ctx.rowPeers(`scalar ${t} protect batch of 64 sessions`, "pps", S.med("spb"), peers("spb", "lp", "np"));
        ctx.rowPeers(`scalar ${t} unprotect batch of 64 sessions`, "pps", S.med("sub"), peers("sub", "lu", "nu"));
      }
    }
  } finally {
    await lib?.close();
  }
}
