// Media building blocks: RFC 7983 demux, G.711, RTP, RFC 4733 DTMF, RTCP compound packets,
// RFC 3550 receive statistics, WAV.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { classifyPacket } from "../../../host/media/demux.js";
import { alawToLinear, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ulawToLinear } from "../../../host/media/g711.js";
import { RtpPacketizer, buildRtp, parseRtp } from "../../../host/media/rtp.js";
import { DtmfEventSender, DtmfReceiver, decodeTelephoneEvent, encodeTelephoneEvent } from "../../../host/media/dtmf.js";
import { RtcpParseError, buildBye, buildRr, buildSdesCname, buildSr, compound, ntpMiddle, ntpTime, parseRtcpCompound } from "../../../host/media/rtcp.js";
import { ReceiveStats } from "../../../host/media/stats.js";
import { parseWav, pcm16Samples, writeWavPcm16 } from "../../../host/media/wav.js";
import { SimPstnPort, ToneSource, WavSource } from "../../../host/media/pstn.js";
import { toHex } from "../../helpers/vectors.js";

test("RFC 7983 demux by first byte; RTCP by packet type 192..223", () => {
  const cases: [number[], string][] = [
    [[0x00, 0x01], "stun"],
    [[0x01, 0x01], "stun"],
    [[0x03, 0x00], "stun"],
    [[0x04, 0x00], "unknown"],
    [[16, 0], "zrtp"],
    [[19, 0], "zrtp"],
    [[20, 3], "dtls"],
    [[22, 3], "dtls"],
    [[63, 0], "dtls"],
    [[64, 0], "turn"],
    [[79, 0], "turn"],
    [[80, 0], "unknown"],
    [[127, 0], "unknown"],
    [[0x80, 0x00], "rtp"],
    [[0x80, 0x80 | 101], "rtp"],
    [[0x80, 200], "rtcp"],
    [[0x81, 201], "rtcp"],
    [[0x80, 223], "rtcp"],
    [[0x80, 224], "rtp"],
    [[0xbf, 0x08], "rtp"],
    [[0xc0, 0x00], "unknown"],
    [[0xff, 0xff], "unknown"],
    [[0x80], "unknown"],
    [[], "unknown"],
  ];
  for (const [bytes, kind] of cases) assert.equal(classifyPacket(Uint8Array.from(bytes)), kind, bytes.join(","));
});

test("G.711: reference points (ITU-T G.711 tables), every code word round-trips", () => {
  assert.equal(linearToUlaw(0), 0xff);
  assert.equal(linearToAlaw(0), 0xd5);
  assert.equal(ulawToLinear(0x00), -32124);
  assert.equal(ulawToLinear(0x80), 32124);
  assert.equal(ulawToLinear(0xff), 0);
  assert.equal(alawToLinear(0xd5), 8);
  assert.equal(alawToLinear(0x55), -8);
  assert.equal(alawToLinear(0xaa), 32256);
  assert.equal(alawToLinear(0x2a), -32256);
  assert.equal(linearToAlaw(1000), 0xfa);
  assert.equal(alawToLinear(0xfa), 1008);
  for (let c = 0; c < 256; c++) {
    if (c !== 0x7f) assert.equal(linearToUlaw(ulawToLinear(c)), c, `µ-law ${c}`);
    assert.equal(linearToAlaw(alawToLinear(c)), c, `A-law ${c}`);
  }
  // quantization error stays within the segment step
  for (let s = -32000; s <= 32000; s += 97) {
    assert.ok(Math.abs(ulawToLinear(linearToUlaw(s)) - s) <= Math.max(8, Math.abs(s) / 16), `µ ${s}`);
    assert.ok(Math.abs(alawToLinear(linearToAlaw(s)) - s) <= Math.max(16, Math.abs(s) / 16), `A ${s}`);
  }
  const pcm = new ToneSource().next();
  assert.equal(encodeG711("PCMU", pcm).length, 160);
  assert.equal(decodeG711("PCMA", encodeG711("PCMA", pcm)).length, 160);
});

test("RTP: build and parse, CSRC, extension, padding; packetizer sequence wrap", () => {
  const p = buildRtp({ marker: true, payloadType: 8, sequence: 0xfffe, timestamp: 0xfffffff0, ssrc: 0xdeadbeef }, new Uint8Array(160).fill(0xd5));
  const h = parseRtp(p)!;
  assert.deepEqual([h.marker, h.payloadType, h.sequence, h.timestamp, h.ssrc, h.headerLength, h.payloadLength], [true, 8, 0xfffe, 0xfffffff0, 0xdeadbeef, 12, 160]);
  const x = Uint8Array.from([0xb1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 9, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 0xaa, 0xbb, 0, 2]);
  const hx = parseRtp(x)!;
  assert.deepEqual(hx.csrcs, [9]);
  assert.equal(hx.headerLength, 24);
  assert.equal(hx.payloadLength, 2);
  assert.equal(parseRtp(x.subarray(0, 20)), undefined);
  assert.equal(parseRtp(Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), undefined);
  const pad = Uint8Array.from([0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9, 9, 0, 0, 4]);
  assert.equal(parseRtp(pad)!.payloadLength, 1, "5 bytes after the header, the last 4 padding");
  assert.equal(parseRtp(Uint8Array.from([0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9, 200])), undefined);
  const k = new RtpPacketizer({ ssrc: 1, sequence: 0xffff, timestamp: 0xffffff00 });
  const a = parseRtp(k.packet(0, new Uint8Array(160)))!;
  k.tick();
  const b = parseRtp(k.packet(0, new Uint8Array(160)))!;
  assert.equal(a.sequence, 0xffff);
  assert.equal(b.sequence, 0);
  assert.equal(b.timestamp, (0xffffff00 + 160) >>> 0);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => (parseRtp(bytes), true)));
});

test("RFC 4733: event payload, sender packet plan, receiver reports each press once", () => {
  // event 5, E=1, volume 10, duration 800 (100 ms at 8 kHz)
  assert.equal(toHex(encodeTelephoneEvent({ event: 5, end: true, volume: 10, duration: 800 })), "058a0320");
  assert.deepEqual(decodeTelephoneEvent(Uint8Array.of(0x0b, 0x0a, 0x01, 0x40)), { event: 11, end: false, volume: 10, duration: 320 });
  const s = new DtmfEventSender("#", 12345, 800);
  const plan = [];
  for (let p = s.next(); p; p = s.next()) plan.push({ marker: p.marker, ...decodeTelephoneEvent(p.payload)! });
  assert.equal(plan.length, 5 + 2, "5 updates (the last one ends), then 2 more end packets");
  assert.deepEqual(
    plan.map((p) => p.marker),
    [true, false, false, false, false, false, false],
  );
  assert.ok(plan.every((p) => p.event === 11));
  assert.deepEqual(
    plan.map((p) => p.duration),
    [160, 320, 480, 640, 800, 800, 800],
  );
  assert.deepEqual(
    plan.map((p) => p.end),
    [false, false, false, false, true, true, true],
  );
  const r = new DtmfReceiver();
  const got = [];
  for (const p of plan) {
    const d = r.receive(12345, encodeTelephoneEvent({ event: p.event, end: p.end, volume: p.volume, duration: p.duration }));
    if (d) got.push(d);
  }
  assert.deepEqual(got, [{ digit: "#", durationMs: 100, volume: 10 }]);
  assert.throws(() => new DtmfEventSender("x", 0, 800));
});

test("RTCP: SR + SDES + BYE compound round trip; RR; NTP middle bits", () => {
  const rb = { ssrc: 0x01020304, fractionLost: 25, cumulativeLost: -3, extendedHighestSeq: 0x10005, jitter: 77, lastSr: 0xabcd1234, delaySinceLastSr: 65536 };
  const pkt = compound(buildSr(0xcafebabe, { ntpSec: 3900000000, ntpFrac: 0x80000000, rtpTimestamp: 160, packetCount: 50, octetCount: 8000 }, [rb]), buildSdesCname(0xcafebabe, "gw@example"), buildBye([0xcafebabe], "bye now"));
  const parsed = parseRtcpCompound(pkt);
  assert.equal(parsed.length, 3);
  assert.deepEqual(parsed[0], {
    type: "sr",
    ssrc: 0xcafebabe,
    sender: { ntpSec: 3900000000, ntpFrac: 0x80000000, rtpTimestamp: 160, packetCount: 50, octetCount: 8000 },
    reports: [rb],
  });
  assert.deepEqual(parsed[1], { type: "sdes", chunks: [{ ssrc: 0xcafebabe, items: [{ type: 1, value: "gw@example" }] }] });
  assert.deepEqual(parsed[2], { type: "bye", ssrcs: [0xcafebabe], reason: "bye now" });
  for (const cname of ["", "a", "ab", "abc", "abcd", "abcde"]) {
    const sd = parseRtcpCompound(compound(buildRr(1), buildSdesCname(2, cname)));
    assert.deepEqual(sd[1], { type: "sdes", chunks: [{ ssrc: 2, items: [{ type: 1, value: cname }] }] }, `cname ${cname.length}`);
  }
  assert.deepEqual(parseRtcpCompound(buildRr(7)), [{ type: "rr", ssrc: 7, reports: [] }]);
  const t = ntpTime(Date.UTC(2024, 0, 1));
  assert.equal(t.sec, Date.UTC(2024, 0, 1) / 1000 + 2208988800);
  assert.equal(ntpMiddle(0x12345678, 0x9abcdef0), 0x56789abc);
});

test("RTCP validity (RFC 3550 A.2) and hostile bytes", () => {
  const sdesFirst = buildSdesCname(1, "x");
  assert.throws(() => parseRtcpCompound(sdesFirst), RtcpParseError);
  const rr = buildRr(1);
  assert.throws(() => parseRtcpCompound(rr.subarray(0, 6)), RtcpParseError);
  const badLen = Uint8Array.from(rr);
  badLen[3] = 9;
  assert.throws(() => parseRtcpCompound(badLen), RtcpParseError);
  const v1 = Uint8Array.from(rr);
  v1[0] = 0x40;
  assert.throws(() => parseRtcpCompound(v1), RtcpParseError);
  const lyingCount = Uint8Array.from(rr);
  lyingCount[0] = 0x83; // claims 3 report blocks in an 8-byte RR
  assert.throws(() => parseRtcpCompound(lyingCount), RtcpParseError);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      try {
        parseRtcpCompound(b);
      } catch (e) {
        return e instanceof RtcpParseError;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
});

test("receive statistics: loss, sequence wrap, fraction lost per interval, jitter", () => {
  const s = new ReceiveStats(9);
  let ts = 0;
  for (let seq = 65530; seq < 65530 + 20; seq++) {
    if (seq === 65533 || seq === 65540) continue; // two lost, one across the wrap
    s.update(seq & 0xffff, ts + (seq - 65530) * 160, ts + (seq - 65530) * 160 + 1000);
  }
  assert.equal(s.expected, 20);
  assert.equal(s.received, 18);
  assert.equal(s.lost, 2);
  assert.equal(s.extendedMax, 65530 + 19);
  const rb = s.reportBlock(Date.now());
  assert.equal(rb.fractionLost, Math.floor((2 * 256) / 20));
  assert.equal(rb.cumulativeLost, 2);
  assert.equal(s.reportBlock(Date.now()).fractionLost, 0, "nothing new lost this interval");
  assert.equal(Math.round(s.jitter), 0, "constant transit: no jitter");
  const j = new ReceiveStats(1);
  for (let i = 0; i < 50; i++) j.update(i, i * 160, i * 160 + (i % 2 ? 80 : 0));
  assert.ok(j.jitter > 40 && j.jitter < 80, `jitter ${j.jitter}`);
  ts = 0;
});

test("WAV: write, read back, play through the sim PSTN port", () => {
  const pcm = new Int16Array(400).map((_, i) => (i * 37) % 2000);
  const wav = writeWavPcm16(pcm);
  const w = parseWav(wav);
  assert.equal(w.sampleRate, 8000);
  assert.deepEqual([...pcm16Samples(w)], [...pcm]);
  const src = new WavSource(wav);
  const frames = [src.next(), src.next(), src.next(), src.next()];
  assert.equal(frames[3], null, "400 samples = 2.5 frames");
  assert.deepEqual([...frames[0]!], [...pcm.subarray(0, 160)]);
  assert.deepEqual([...frames[2]!.subarray(0, 80)], [...pcm.subarray(320)]);
  assert.throws(() => parseWav(Uint8Array.of(1, 2, 3)));
  const port = new SimPstnPort(new WavSource(wav, true));
  for (let i = 0; i < 5; i++) assert.equal(port.readFrame("PCMU")!.length, 160);
  assert.equal(port.sent.length, 5);
  port.writeFrame(port.sent[0]!, "PCMU", { sequence: 1, timestamp: 0, ssrc: 1 });
  assert.ok(parseWav(port.recordingWav()).data.length === 320);
});
