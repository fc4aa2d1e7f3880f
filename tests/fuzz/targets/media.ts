// Media-plane parsers on the host: RTP headers, RFC 7983 demultiplexing, RFC 4733 telephone events,
// compound RTCP, and the WAV reader of the sim board. RTP parsing never throws (it returns
// undefined); RTCP throws only RtcpParseError; what parses is rebuilt by our writers identically.
import { buildRtp, parseRtp } from "../../../host/media/rtp.js";
import { classifyPacket } from "../../../host/media/demux.js";
import { decodeTelephoneEvent, encodeTelephoneEvent } from "../../../host/media/dtmf.js";
import { RtcpParseError, buildBye, buildRr, buildSdesCname, buildSr, compound, parseRtcpCompound, type RtcpPacket } from "../../../host/media/rtcp.js";
import { WavError, parseWav, writeWavPcm16 } from "../../../host/media/wav.js";
import { bump, check, expectTyped, instanceOf, sameBytes, type FuzzTarget } from "./types.js";

const rtpCounters: Record<string, number> = {};
export const rtp: FuzzTarget = {
  name: "rtp",
  description: "RTP header parsing (CSRCs, extension, padding), demultiplexing by first byte, telephone-event payloads; build round trip",
  kind: "host",
  coverage: ["/dist/host/media/rtp", "/dist/host/media/demux", "/dist/host/media/dtmf"],
  maxLength: 1500,
  counters: rtpCounters,
  seeds: () => [
    buildRtp({ payloadType: 0, sequence: 1234, timestamp: 160000, ssrc: 0xdeadbeef }, new Uint8Array(160).fill(0xff)),
    buildRtp({ marker: true, payloadType: 101, sequence: 9, timestamp: 8000, ssrc: 7 }, encodeTelephoneEvent({ event: 5, end: true, volume: 10, duration: 800 })),
    Uint8Array.of(0x92, 0x08, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 9, 9),
    Uint8Array.of(0xa0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 0, 0, 0, 4),
    Uint8Array.of(0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
  ],
  run(input) {
    const kind = expectTyped("classifyPacket", () => false, () => classifyPacket(input));
    const r = expectTyped("parseRtp", () => false, () => parseRtp(input));
    if (!r.ok || !kind.ok) return;
    const h = r.value;
    if (!h) {
      bump(rtpCounters, "notRtp");
      return;
    }
    bump(rtpCounters, `rtp-${kind.value}`);
    check(h.headerLength >= 12 && h.headerLength + h.payloadLength <= input.length && h.payloadLength >= 0, "RTP header/payload bounds outside the packet");
    check(h.csrcs.length === (input[0]! & 0x0f), "CSRC count");
    const payload = input.subarray(h.headerLength, h.headerLength + h.payloadLength);
    expectTyped("decodeTelephoneEvent", () => false, () => decodeTelephoneEvent(payload));
    if ((input[0]! & 0x3f) === 0) {
      // no padding, extension or CSRC: our writer rebuilds the packet byte for byte
      const b = buildRtp({ marker: h.marker, payloadType: h.payloadType, sequence: h.sequence, timestamp: h.timestamp, ssrc: h.ssrc }, payload);
      check(sameBytes(b, input), "buildRtp(parseRtp(p)) differs from p");
    }
    if (payload.length >= 4) {
      const ev = decodeTelephoneEvent(payload)!;
      check(sameBytes(encodeTelephoneEvent(ev), payload.subarray(0, 4)) || (payload[1]! & 0x40) !== 0, "telephone-event round trip");
    }
  },
};

function rebuild(p: RtcpPacket): Uint8Array | undefined {
  switch (p.type) {
    case "sr":
      return buildSr(p.ssrc, p.sender, p.reports);
    case "rr":
      return buildRr(p.ssrc, p.reports);
    case "bye":
      return p.reason === undefined ? buildBye(p.ssrcs) : undefined;
    default:
      return undefined;
  }
}

const rtcpCounters: Record<string, number> = {};
export const rtcp: FuzzTarget = {
  name: "rtcp",
  description: "compound RTCP (RFC 3550 A.2 validity): SR, RR, SDES, BYE, others; SR/RR/BYE rebuild to the same packets",
  kind: "host",
  coverage: ["/dist/host/media/rtcp"],
  maxLength: 1500,
  counters: rtcpCounters,
  seeds: () => [
    compound(
      buildSr(0x11223344, { ntpSec: 0xe0000000, ntpFrac: 0x12345678, rtpTimestamp: 160, packetCount: 10, octetCount: 1600 }, [{ ssrc: 5, fractionLost: 3, cumulativeLost: -2, extendedHighestSeq: 70000, jitter: 12, lastSr: 0x11112222, delaySinceLastSr: 65536 }]),
      buildSdesCname(0x11223344, "gw1@contoso.com"),
    ),
    compound(buildRr(9, []), buildBye([9, 10], "bye now")),
    compound(buildRr(9, []), Uint8Array.of(0x80, 204, 0, 2, 0, 0, 0, 9, 0x6e, 0x61, 0x6d, 0x65)),
  ],
  run(input) {
    const r = expectTyped("parseRtcpCompound", instanceOf(RtcpParseError), () => parseRtcpCompound(input));
    if (!r.ok) {
      bump(rtcpCounters, "refused");
      return;
    }
    bump(rtcpCounters, "accepted");
    for (const p of r.value) {
      const b = rebuild(p);
      if (!b) continue;
      const again = expectTyped("parse of a rebuilt packet", () => false, () => parseRtcpCompound(p.type === "bye" ? compound(buildRr(1, []), b) : b));
      if (again.ok) {
        const q = again.value[p.type === "bye" ? 1 : 0]!;
        check(JSON.stringify(q) === JSON.stringify(p), `RTCP ${p.type} round trip changed it`);
      }
    }
  },
};

const wavCounters: Record<string, number> = {};
export const wav: FuzzTarget = {
  name: "wav",
  description: "RIFF/WAVE reader of the sim board's audio sources",
  kind: "host",
  coverage: ["/dist/host/media/wav"],
  maxLength: 4096,
  counters: wavCounters,
  seeds: () => [writeWavPcm16(Int16Array.from({ length: 64 }, (_, i) => i * 300 - 9000))],
  run(input) {
    const r = expectTyped("parseWav", instanceOf(WavError), () => parseWav(input));
    bump(wavCounters, r.ok ? "accepted" : "refused");
    if (r.ok) check(r.value.data.length <= input.length - 12, "WAV data larger than the file");
  },
};
