// SRTP benchmark: our protect/unprotect packets per second through the public per-packet API
// (protectInto / unprotectInto) and the batch call, for 172-byte (G.711, 20 ms) and 1212-byte RTP
// packets, AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM, side by side in one run with libsrtp (our C
// harness against the system libsrtp, timed inside C) and a plain node:crypto SRTP (a new cipher
// and HMAC per packet). Ratios are ours / peer (higher is better).
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual, type CipherGCM, type DecipherGCM } from "node:crypto";
import { tmpdir } from "node:os";
import { loadCore, type Core, type CoreVariant, type SrtpProfileName } from "../host/index.js";
import { LibsrtpHarness, libsrtpAvailable } from "../host/interop/libsrtp/index.js";
import { measure, type BenchContext } from "./harness.js";

const SIZES = [172, 1212];
const PROFILES: SrtpProfileName[] = ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"];
const RING = 2048; // pre-protected packets cycled through by the unprotect loops

function rtp(size: number, seq: number, ssrc = 0x11223344): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = 0x80;
  p[1] = 0;
  p[2] = (seq >> 8) & 0xff;
  p[3] = seq & 0xff;
  p[8] = ssrc >>> 24;
  p[9] = (ssrc >>> 16) & 0xff;
  p[10] = (ssrc >>> 8) & 0xff;
  p[11] = ssrc & 0xff;
  for (let i = 12; i < size; i++) p[i] = i & 0xff;
  return p;
}

/** Our figures for one profile and size: [protect pps, unprotect pps, protect batch pps]. */
function ours(core: Core, profile: SrtpProfileName, size: number): [number, number, number] {
  const info = core.srtp.profile(profile);
  const key = { masterKey: new Uint8Array(info.masterKeyLength).fill(7), masterSalt: new Uint8Array(info.masterSaltLength).fill(9) };
  const tx = core.srtp.sender({ profile, ...key });
  const pkt = rtp(size, 0);
  const out = new Uint8Array(size + 64);
  let seq = 0;
  const protect = measure(() => {
    for (let i = 0; i < 64; i++) {
      pkt[2] = (seq >> 8) & 0xff;
      pkt[3] = seq & 0xff;
      seq = (seq + 1) & 0xffff;
      tx.protectInto(pkt, out);
    }
  }, 64);
  tx.close();
  // Batch: 64 packets per crossing.
  const txb = core.srtp.sender({ profile, ...key });
  const batch = Array.from({ length: 64 }, () => rtp(size, 0));
  seq = 0;
  const protectBatch = measure(() => {
    for (const b of batch) {
      b[2] = (seq >> 8) & 0xff;
      b[3] = seq & 0xff;
      seq = (seq + 1) & 0xffff;
    }
    txb.protectBatch(batch);
  }, 64);
  txb.close();
  // Unprotect: a ring of pre-protected packets; when it is used up the stream is removed, so the
  // receiver takes the same packets again as a new stream (one extra call per RING packets).
  const gen = core.srtp.sender({ profile, ...key });
  const ring = Array.from({ length: RING }, (_, i) => gen.protect(rtp(size, i)));
  gen.close();
  const rx = core.srtp.receiver({ profile, ...key });
  let at = 0;
  const unprotect = measure(() => {
    for (let i = 0; i < 64; i++) {
      if (at === RING) {
        rx.removeStream(0x11223344);
        at = 0;
      }
      rx.unprotectInto(ring[at++]!, out);
    }
  }, 64);
  rx.close();
  return [protect, unprotect, protectBatch];
}

// ---- a plain node:crypto SRTP, per packet: new cipher + new HMAC each time ----
function nodeSrtp(profile: SrtpProfileName, size: number): [number, number] {
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
  const protect = measure(() => {
    for (let i = 0; i < 16; i++) {
      pkt.writeUInt16BE(seq, 2);
      protectOne(pkt, seq);
      seq = (seq + 1) & 0xffff;
    }
  }, 16);
  const ring = Array.from({ length: 256 }, (_, i) => {
    pkt.writeUInt16BE(i, 2);
    return protectOne(pkt, i);
  });
  let at = 0;
  const unprotect = measure(() => {
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
  }, 16);
  return [protect, unprotect];
}

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("srtp", "SRTP packets/s: ours (public API) vs libsrtp (C harness) and node:crypto");
  const avail = libsrtpAvailable();
  let lib: LibsrtpHarness | undefined;
  if (avail.ok) lib = await LibsrtpHarness.start({ cacheDir: tmpdir() });
  else process.stderr.write(`bench srtp: libsrtp rows skipped: ${avail.reason} (${avail.install})\n`);
  try {
    const variants: CoreVariant[] = ["simd", "scalar"];
    for (const variant of variants) {
      const core = await loadCore({ variant });
      for (const profile of PROFILES) {
        for (const size of SIZES) {
          const [p, u, pb] = ours(core, profile, size);
          const [np, nu] = variant === "simd" ? nodeSrtp(profile, size) : [0, 0];
          let lp: number | undefined;
          let lu: number | undefined;
          if (lib && variant === "simd" && lib.supports(profile)) {
            lp = (await lib.bench({ profile, op: "protect", packetSize: size, count: 100000 })).pps;
            lu = (await lib.bench({ profile, op: "unprotect", packetSize: size, count: 100000 })).pps;
          }
          const tag = `${variant} ${profile} ${size} B`;
          ctx.row(`${tag} protect`, "pps", p, lp !== undefined ? { name: "libsrtp", value: lp } : undefined);
          ctx.row(`${tag} unprotect`, "pps", u, lu !== undefined ? { name: "libsrtp", value: lu } : undefined);
          if (variant === "simd") {
            ctx.row(`${tag} protect`, "pps", p, { name: "node:crypto", value: np });
            ctx.row(`${tag} unprotect`, "pps", u, { name: "node:crypto", value: nu });
          }
          ctx.row(`${tag} protect (batch of 64)`, "pps", pb, lp !== undefined ? { name: "libsrtp", value: lp } : undefined);
        }
      }
    }
  } finally {
    await lib?.close();
  }
}
