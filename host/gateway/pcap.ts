// Packet captures of the media (`--pcap FILE`, `--pcap-decrypted FILE`): classic libpcap files
// (https://wiki.wireshark.org/Development/LibpcapFileFormat), link type LINKTYPE_RAW (101: each
// record is an IPv4 or IPv6 packet). The media sockets give us UDP payloads, so each record gets a
// synthetic IP + UDP header with the real addresses and ports, as sent or received. In Wireshark:
// Analyze → Enable Protocols → rtp_udp (or Decode As… RTP) to see RTP/SRTP; the decrypted capture
// plays in Telephony → RTP → RTP Streams.
import { openSync, writeSync, closeSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";

export const LINKTYPE_RAW = 101;
const SNAPLEN = 65535;

function ipv4Bytes(a: string): Uint8Array {
  return Uint8Array.from(a.split(".").map((x) => Number(x)));
}

function ipv6Bytes(a: string): Uint8Array {
  // "::ffff:1.2.3.4" and "::" shortening
  let s = a.replace(/%.*$/, "");
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    s = s.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail ? tail.split(":") : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g || "0", 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** The Internet checksum (RFC 1071) over `parts`, as one's-complement sum of 16-bit words. */
export function internetChecksum(parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd === undefined) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** An IPv4/IPv6 + UDP packet around `payload` (UDP checksum computed; IPv4 header checksum too). */
export function udpPacket(src: Endpoint, dst: Endpoint, payload: Uint8Array, ipId = 0): Uint8Array {
  const udpLen = 8 + payload.length;
  const udp = new Uint8Array(8);
  const uv = new DataView(udp.buffer);
  uv.setUint16(0, src.port);
  uv.setUint16(2, dst.port);
  uv.setUint16(4, udpLen);
  const v6 = isIPv6(src.address) && !isIPv4(src.address);
  if (!v6) {
    const s = ipv4Bytes(src.address);
    const d = ipv4Bytes(isIPv4(dst.address) ? dst.address : "0.0.0.0");
    const pseudo = new Uint8Array(12);
    pseudo.set(s, 0);
    pseudo.set(d, 4);
    pseudo[9] = 17;
    new DataView(pseudo.buffer).setUint16(10, udpLen);
    uv.setUint16(6, internetChecksum([pseudo, udp, payload]) || 0xffff);
    const ip = new Uint8Array(20);
    const iv = new DataView(ip.buffer);
    ip[0] = 0x45;
    iv.setUint16(2, 20 + udpLen);
    iv.setUint16(4, ipId & 0xffff);
    iv.setUint16(6, 0x4000); // don't fragment
    ip[8] = 64;
    ip[9] = 17;
    ip.set(s, 12);
    ip.set(d, 16);
    iv.setUint16(10, internetChecksum([ip]));
    const out = new Uint8Array(20 + udpLen);
    out.set(ip, 0);
    out.set(udp, 20);
    out.set(payload, 28);
    return out;
  }
  const s = ipv6Bytes(src.address);
  const d = ipv6Bytes(dst.address);
  const pseudo = new Uint8Array(40);
  pseudo.set(s, 0);
  pseudo.set(d, 16);
  new DataView(pseudo.buffer).setUint32(32, udpLen);
  pseudo[39] = 17;
  uv.setUint16(6, internetChecksum([pseudo, udp, payload]) || 0xffff);
  const ip = new Uint8Array(40);
  const iv = new DataView(ip.buffer);
  iv.setUint32(0, 0x60000000);
  iv.setUint16(4, udpLen);
  ip[6] = 17;
  ip[7] = 64;
  ip.set(s, 8);
  ip.set(d, 24);
  const out = new Uint8Array(40 + udpLen);
  out.set(ip, 0);
  out.set(udp, 40);
  out.set(payload, 48);
  return out;
}

/** A libpcap file being written (synchronously: a few hundred small records a second at most). */
export class PcapWriter {
  private fd: number | undefined;
  private ipId = 0;
  /** Records written. */
  packets = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w", 0o600);
    const h = new Uint8Array(24);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0xa1b2c3d4, true); // microsecond timestamps, little-endian file
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true);
    v.setUint32(12, 0, true);
    v.setUint32(16, SNAPLEN, true);
    v.setUint32(20, LINKTYPE_RAW, true);
    writeSync(this.fd, h);
  }

  /** Writes one UDP datagram from `src` to `dst`. */
  udp(src: Endpoint, dst: Endpoint, payload: Uint8Array, when: number = Date.now() * 1000): void {
    if (this.fd === undefined) return;
    const pkt = udpPacket(src, dst, payload, this.ipId++);
    const rec = new Uint8Array(16);
    const v = new DataView(rec.buffer);
    const us = Math.floor(when);
    v.setUint32(0, Math.floor(us / 1e6), true);
    v.setUint32(4, us % 1e6, true);
    v.setUint32(8, Math.min(pkt.length, SNAPLEN), true);
    v.setUint32(12, pkt.length, true);
    writeSync(this.fd, rec);
    writeSync(this.fd, pkt.subarray(0, SNAPLEN));
    this.packets++;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a file written by PcapWriter back (tests, and `gwsdk` tools): records as IP packets. */
export function readPcap(buf: Uint8Array): { linkType: number; records: { time: number; data: Uint8Array }[] } {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 24 || v.getUint32(0, true) !== 0xa1b2c3d4) throw new Error("not a little-endian microsecond libpcap file");
  const linkType = v.getUint32(20, true);
  const records: { time: number; data: Uint8Array }[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const sec = v.getUint32(o, true);
    const usec = v.getUint32(o + 4, true);
    const incl = v.getUint32(o + 8, true);
    if (o + 16 + incl > buf.length) throw new Error("truncated pcap record");
    records.push({ time: sec * 1e6 + usec, data: buf.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { linkType, records };
}
