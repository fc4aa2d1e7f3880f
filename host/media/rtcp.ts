// RTCP (RFC 3550 §6): sender and receiver reports with report blocks, SDES CNAME, BYE, built as
// compound packets and parsed strictly (RFC 3550 A.2 validity: version 2, the first packet SR or
// RR, lengths adding up to the datagram, padding only on the last packet).

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the last report, 0..255 (fixed point /256). */
  fractionLost: number;
  /** Cumulative packets lost (24-bit signed). */
  cumulativeLost: number;
  extendedHighestSeq: number;
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from this source (0: none). */
  lastSr: number;
  /** Delay since that SR, 1/65536 s. */
  delaySinceLastSr: number;
}

export interface SenderInfo {
  ntpSec: number;
  ntpFrac: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export type RtcpPacket =
  | { type: "sr"; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: "rr"; ssrc: number; reports: ReportBlock[] }
  | { type: "sdes"; chunks: { ssrc: number; items: { type: number; value: string }[] }[] }
  | { type: "bye"; ssrcs: number[]; reason?: string }
  | { type: "other"; packetType: number; body: Uint8Array };

const NTP_EPOCH_OFFSET = 2208988800;

/** NTP time (RFC 5905) for a Unix time in ms. */
export function ntpTime(unixMs: number): { sec: number; frac: number } {
  const sec = Math.floor(unixMs / 1000) + NTP_EPOCH_OFFSET;
  const frac = Math.floor(((unixMs % 1000) / 1000) * 0x100000000);
  return { sec: sec >>> 0, frac: frac >>> 0 };
}

/** The middle 32 bits of an NTP timestamp (the LSR field). */
export function ntpMiddle(sec: number, frac: number): number {
  return (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0;
}

class Writer {
  private parts: number[] = [];
  u8(v: number): void {
    this.parts.push(v & 0xff);
  }
  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }
  u24(v: number): void {
    this.u8(v >> 16);
    this.u8(v >> 8);
    this.u8(v);
  }
  u32(v: number): void {
    this.u16((v >>> 16) & 0xffff);
    this.u16(v & 0xffff);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.u8(x);
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function header(w: Writer, count: number, pt: number, lengthWords: number): void {
  w.u8(0x80 | (count & 0x1f));
  w.u8(pt);
  w.u16(lengthWords);
}

function reportBlock(w: Writer, r: ReportBlock): void {
  w.u32(r.ssrc);
  w.u8(r.fractionLost);
  w.u24(Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff);
  w.u32(r.extendedHighestSeq);
  w.u32(r.jitter);
  w.u32(r.lastSr);
  w.u32(r.delaySinceLastSr);
}

export function buildSr(ssrc: number, s: SenderInfo, reports: ReportBlock[] = []): Uint8Array {
  const w = new Writer();
  header(w, reports.length, RTCP_SR, 6 + 6 * reports.length);
  w.u32(ssrc);
  w.u32(s.ntpSec);
  w.u32(s.ntpFrac);
  w.u32(s.rtpTimestamp);
  w.u32(s.packetCount);
  w.u32(s.octetCount);
  for (const r of reports) reportBlock(w, r);
  return w.done();
}

export function buildRr(ssrc: number, reports: ReportBlock[] = []): Uint8Array {
  const w = new Writer();
  header(w, reports.length, RTCP_RR, 1 + 6 * reports.length);
  w.u32(ssrc);
  for (const r of reports) reportBlock(w, r);
  return w.done();
}

export function buildSdesCname(ssrc: number, cname: string): Uint8Array {
  const text = new TextEncoder().encode(cname).subarray(0, 255);
  // chunk: SSRC, CNAME item, END item, padded to 32 bits
  const itemLen = 2 + text.length + 1;
  const chunkLen = 4 + itemLen;
  const padded = (chunkLen + 3) & ~3;
  const w = new Writer();
  header(w, 1, RTCP_SDES, padded / 4);
  w.u32(ssrc);
  w.u8(1);
  w.u8(text.length);
  w.bytes(text);
  for (let i = chunkLen - 1; i < padded; i++) w.u8(0); // END item and padding
  return w.done();
}

export function buildBye(ssrcs: number[], reason?: string): Uint8Array {
  const r = reason ? new TextEncoder().encode(reason).subarray(0, 255) : undefined;
  const body = 4 * ssrcs.length + (r ? 1 + r.length : 0);
  const padded = (body + 3) & ~3;
  const w = new Writer();
  header(w, ssrcs.length, RTCP_BYE, padded / 4);
  for (const s of ssrcs) w.u32(s);
  if (r) {
    w.u8(r.length);
    w.bytes(r);
  }
  for (let i = body; i < padded; i++) w.u8(0);
  return w.done();
}

export function compound(...packets: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of packets) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of packets) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export class RtcpParseError extends Error {}

function readReports(dv: DataView, off: number, count: number, end: number): ReportBlock[] {
  const out: ReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const o = off + 24 * i;
    if (o + 24 > end) throw new RtcpParseError("report block past the packet");
    const lostRaw = dv.getUint32(o + 4) & 0xffffff;
    out.push({
      ssrc: dv.getUint32(o),
      fractionLost: dv.getUint8(o + 4),
      cumulativeLost: lostRaw & 0x800000 ? lostRaw - 0x1000000 : lostRaw,
      extendedHighestSeq: dv.getUint32(o + 8),
      jitter: dv.getUint32(o + 12),
      lastSr: dv.getUint32(o + 16),
      delaySinceLastSr: dv.getUint32(o + 20),
    });
  }
  return out;
}

/** Parses a compound RTCP packet; throws RtcpParseError when it is not valid (RFC 3550 A.2). */
export function parseRtcpCompound(p: Uint8Array): RtcpPacket[] {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const out: RtcpPacket[] = [];
  let off = 0;
  while (off < p.length) {
    if (off + 4 > p.length) throw new RtcpParseError("truncated RTCP header");
    const b0 = p[off]!;
    if (b0 >> 6 !== 2) throw new RtcpParseError("RTCP version is not 2");
    const count = b0 & 0x1f;
    const pt = p[off + 1]!;
    const len = (dv.getUint16(off + 2) + 1) * 4;
    if (off + len > p.length) throw new RtcpParseError("RTCP length past the datagram");
    if (out.length === 0 && pt !== RTCP_SR && pt !== RTCP_RR) throw new RtcpParseError("a compound packet starts with SR or RR");
    let end = off + len;
    if (b0 & 0x20) {
      if (off + len !== p.length) throw new RtcpParseError("padding only on the last packet");
      const pad = p[end - 1]!;
      if (pad === 0 || pad > len - 4) throw new RtcpParseError("bad padding");
      end -= pad;
    }
    switch (pt) {
      case RTCP_SR: {
        if (off + 28 > end) throw new RtcpParseError("short SR");
        out.push({
          type: "sr",
          ssrc: dv.getUint32(off + 4),
          sender: {
            ntpSec: dv.getUint32(off + 8),
            ntpFrac: dv.getUint32(off + 12),
            rtpTimestamp: dv.getUint32(off + 16),
            packetCount: dv.getUint32(off + 20),
            octetCount: dv.getUint32(off + 24),
          },
          reports: readReports(dv, off + 28, count, end),
        });
        break;
      }
      case RTCP_RR: {
        if (off + 8 > end) throw new RtcpParseError("short RR");
        out.push({ type: "rr", ssrc: dv.getUint32(off + 4), reports: readReports(dv, off + 8, count, end) });
        break;
      }
      case RTCP_SDES: {
        const chunks: { ssrc: number; items: { type: number; value: string }[] }[] = [];
        let o = off + 4;
        for (let c = 0; c < count; c++) {
          if (o + 4 > end) throw new RtcpParseError("short SDES chunk");
          const ssrc = dv.getUint32(o);
          o += 4;
          const items: { type: number; value: string }[] = [];
          for (;;) {
            if (o >= end) throw new RtcpParseError("SDES chunk without END");
            const t = p[o]!;
            if (t === 0) {
              // END item, then null octets up to the next 32-bit boundary.
              o++;
              while ((o - off) & 3) o++;
              break;
            }
            if (o + 2 > end || o + 2 + p[o + 1]! > end) throw new RtcpParseError("SDES item past the packet");
            const n = p[o + 1]!;
            items.push({ type: t, value: new TextDecoder().decode(p.subarray(o + 2, o + 2 + n)) });
            o += 2 + n;
          }
          chunks.push({ ssrc, items });
        }
        out.push({ type: "sdes", chunks });
        break;
      }
      case RTCP_BYE: {
        const ssrcs: number[] = [];
        for (let i = 0; i < count; i++) {
          if (off + 8 + 4 * i > end) throw new RtcpParseError("short BYE");
          ssrcs.push(dv.getUint32(off + 4 + 4 * i));
        }
        const ro = off + 4 + 4 * count;
        let reason: string | undefined;
        if (ro < end) {
          const n = p[ro]!;
          if (ro + 1 + n > end) throw new RtcpParseError("BYE reason past the packet");
          reason = new TextDecoder().decode(p.subarray(ro + 1, ro + 1 + n));
        }
        out.push({ type: "bye", ssrcs, ...(reason !== undefined ? { reason } : {}) });
        break;
      }
      default:
        out.push({ type: "other", packetType: pt, body: p.slice(off + 4, end) });
    }
    off += len;
  }
  if (out.length === 0) throw new RtcpParseError("empty RTCP");
  return out;
}
