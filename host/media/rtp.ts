// RTP (RFC 3550 §5.1) headers and a packetizer for 20 ms G.711 frames (160 samples, 8 kHz clock).
import { randomBytes } from "node:crypto";

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  /** Offset of the payload in the packet. */
  headerLength: number;
  /** Payload length without padding. */
  payloadLength: number;
}

/** Parses an RTP header; returns undefined when the packet is not valid RTP. */
export function parseRtp(p: Uint8Array): RtpHeader | undefined {
  if (p.length < 12 || p[0]! >> 6 !== 2) return undefined;
  const cc = p[0]! & 0x0f;
  let h = 12 + 4 * cc;
  if (p.length < h) return undefined;
  if (p[0]! & 0x10) {
    if (p.length < h + 4) return undefined;
    h += 4 + 4 * ((p[h + 2]! << 8) | p[h + 3]!);
    if (p.length < h) return undefined;
  }
  let end = p.length;
  if (p[0]! & 0x20) {
    const pad = p[p.length - 1]!;
    if (pad === 0 || pad > p.length - h) return undefined;
    end -= pad;
  }
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(dv.getUint32(12 + 4 * i));
  return {
    marker: (p[1]! & 0x80) !== 0,
    payloadType: p[1]! & 0x7f,
    sequence: dv.getUint16(2),
    timestamp: dv.getUint32(4),
    ssrc: dv.getUint32(8),
    csrcs,
    headerLength: h,
    payloadLength: end - h,
  };
}

export function buildRtp(h: { marker?: boolean; payloadType: number; sequence: number; timestamp: number; ssrc: number }, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(12 + payload.length);
  p[0] = 0x80;
  p[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  const dv = new DataView(p.buffer);
  dv.setUint16(2, h.sequence & 0xffff);
  dv.setUint32(4, h.timestamp >>> 0);
  dv.setUint32(8, h.ssrc >>> 0);
  p.set(payload, 12);
  return p;
}

export function randomU32(): number {
  return randomBytes(4).readUInt32BE(0);
}

/** Sequence numbers and timestamps for one outgoing stream (random starts, RFC 3550 §5.1). */
export class RtpPacketizer {
  readonly ssrc: number;
  sequence: number;
  timestamp: number;
  packets = 0;
  octets = 0;
  /** RTP timestamp and wall clock of the last packet sent (for SR). */
  lastTimestamp = 0;

  constructor(opts: { ssrc?: number; sequence?: number; timestamp?: number } = {}) {
    this.ssrc = opts.ssrc ?? randomU32();
    this.sequence = opts.sequence ?? randomBytes(2).readUInt16BE(0) & 0x7fff;
    this.timestamp = opts.timestamp ?? randomU32();
  }

  /** The packet for `payload` at the current timestamp; advances the sequence number. */
  packet(payloadType: number, payload: Uint8Array, marker = false, timestamp = this.timestamp): Uint8Array {
    const p = buildRtp({ marker, payloadType, sequence: this.sequence, timestamp, ssrc: this.ssrc }, payload);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.packets++;
    this.octets += payload.length;
    this.lastTimestamp = timestamp;
    return p;
  }

  /** Advances the media clock by one frame (160 samples for 20 ms at 8 kHz). */
  tick(samples = 160): void {
    this.timestamp = (this.timestamp + samples) >>> 0;
  }
}
