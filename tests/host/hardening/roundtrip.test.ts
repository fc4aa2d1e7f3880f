// Round trips where a writer exists, on structured values fast-check generates (not only on the
// corpus): write → parse gives back what was written, for RTP, RTCP, a=crypto, SIP, TLS handshake
// messages, PEM, WAV, images; protect → unprotect for SRTP/SRTCP in both core builds (and any one
// bit flipped is refused without moving the stream); TLS records come out the same whatever the
// TCP chunking, and a flipped bit stops the stream with an alert and delivers nothing forged.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildRtp, parseRtp } from "../../../host/media/rtp.js";
import { buildBye, buildRr, buildSr, compound, parseRtcpCompound, type ReportBlock } from "../../../host/media/rtcp.js";
import { formatCryptoAttribute, parseCryptoAttribute } from "../../../host/sdp/sdes.js";
import { SRTP_PROFILES, type SrtpProfile } from "../../../host/media/srtp-provider.js";
import { SipRequest, parseMessage, serializeMessage } from "../../../host/sip/index.js";
import { decodeCertificate13, decodeClientHello, encodeCertificate13, encodeClientHello } from "../../../host/tls/handshake/messages.js";
import { decodePem, toPem } from "../../../host/certs/pem.js";
import { parseWav, writeWavPcm16 } from "../../../host/media/wav.js";
import { encodeImage, parseImage } from "../../../host/image/format.js";
import { SrtpError, TlsAlertError, TlsRecordLayer, ContentType, cipherSuite } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { makeImage } from "../../fuzz/targets/config.js";
import { generateKeyPairSync } from "node:crypto";

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("RTP: buildRtp → parseRtp gives back every field and the payload", () => {
  fc.assert(
    fc.property(fc.record({ marker: fc.boolean(), payloadType: fc.nat(127), sequence: u16, timestamp: u32, ssrc: u32 }), bytes(0, 300), (h, payload) => {
      const p = buildRtp(h, payload);
      const r = parseRtp(p)!;
      assert.deepEqual([r.marker, r.payloadType, r.sequence, r.timestamp, r.ssrc, r.headerLength, r.payloadLength], [h.marker, h.payloadType, h.sequence, h.timestamp, h.ssrc, 12, payload.length]);
    }),
    { numRuns: 300 },
  );
});

const block: fc.Arbitrary<ReportBlock> = fc.record({
  ssrc: u32, fractionLost: fc.nat(255), cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }), extendedHighestSeq: u32, jitter: u32, lastSr: u32, delaySinceLastSr: u32,
}).map((r) => ({ ...r })); // plain objects (fast-check's have a null prototype)

test("RTCP: SR, RR and BYE built by our writers parse back to the same values", () => {
  fc.assert(
    fc.property(u32, fc.record({ ntpSec: u32, ntpFrac: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32 }).map((r) => ({ ...r })), fc.array(block, { maxLength: 31 }), fc.array(u32, { minLength: 1, maxLength: 31 }), (ssrc, s, reports, byes) => {
      const [sr, rr, bye] = parseRtcpCompound(compound(buildSr(ssrc, s, reports), buildRr(ssrc, reports.slice(0, 3)), buildBye(byes)));
      assert.deepEqual(sr, { type: "sr", ssrc, sender: s, reports });
      assert.deepEqual(rr, { type: "rr", ssrc, reports: reports.slice(0, 3) });
      assert.deepEqual(bye, { type: "bye", ssrcs: byes });
    }),
    { numRuns: 200 },
  );
});

test("SDES: formatCryptoAttribute → parseCryptoAttribute keeps tag, suite, keys, lifetime and MKI", () => {
  const suites = Object.keys(SRTP_PROFILES) as SrtpProfile[];
  fc.assert(
    fc.property(
      fc.nat(999_999_999), fc.constantFrom(...suites), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 3 }), fc.infiniteStream(fc.uint8Array({ minLength: 46, maxLength: 46 })),
      (tag, suite, mkiLen, withLife, lifeExp, nKeys, keyBytes) => {
        const p = SRTP_PROFILES[suite];
        const keys = Array.from({ length: nKeys }, (_, i) => {
          const kb = keyBytes.next().value as Uint8Array;
          return {
            key: kb.slice(0, p.keyLength), salt: kb.slice(p.keyLength, p.keyLength + p.saltLength),
            ...(withLife ? { lifetime: 2 ** lifeExp } : {}),
            ...(nKeys > 1 || mkiLen > 1 ? { mki: { value: (i * 7 + 1) % 2 ** (8 * mkiLen), length: mkiLen } } : {}),
          };
        });
        const text = formatCryptoAttribute({ tag, suite, keyParams: keys, sessionParams: ["WSH=128"] });
        const a = parseCryptoAttribute(text);
        assert.equal(a.tag, tag);
        assert.equal(a.profile, suite);
        assert.deepEqual(a.sessionParams, ["WSH=128"]);
        assert.deepEqual(a.keyParams.map((k) => [hex(k.key), hex(k.salt), k.lifetime, k.mki]), keys.map((k) => [hex(k.key), hex(k.salt), k.lifetime, k.mki]));
      },
    ),
    { numRuns: 200 },
  );
});

const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,20}$/);
const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/);

test("SIP: a request with arbitrary extra headers and body serializes and parses back unchanged", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(token, value), { maxLength: 12 }), bytes(0, 400), fc.nat(2 ** 31 - 1), (extra, body, cseq) => {
      const req = new SipRequest("INVITE", "sip:+14255550100@gw.contoso.com;user=phone");
      req.add("Via", "SIP/2.0/TLS ms1.contoso.com:5067;branch=z9hG4bK1")
        .add("From", "<sip:a@contoso.com>;tag=9")
        .add("To", "<sip:b@contoso.com>")
        .add("Call-ID", "abc@ms1")
        .add("CSeq", `${cseq} INVITE`);
      for (const [n, v] of extra) if (!/^(content-length|l|from|f|to|t|call-id|i|cseq|via|v|content-type|c|max-forwards)$/i.test(n)) req.add(n, v);
      if (body.length) req.setBody(body, "application/octet-stream");
      const wire = serializeMessage(req);
      const cut = wire.indexOf("\r\n\r\n");
      const back = parseMessage(wire.subarray(0, cut), wire.subarray(cut + 4));
      assert.equal(back.startLine(), req.startLine());
      assert.deepEqual(back.headers.filter((h) => h.name !== "Content-Length"), req.headers);
      assert.equal(hex(back.body), hex(req.body));
    }),
    { numRuns: 200 },
  );
});

const ext = fc.uniqueArray(fc.record({ type: u16, data: bytes(0, 40) }), { selector: (e) => e.type, maxLength: 8 });

test("TLS handshake: ClientHello and Certificate (1.3) encode → decode → encode byte for byte", () => {
  fc.assert(
    fc.property(u16, bytes(32, 32), bytes(0, 32), fc.array(u16, { minLength: 1, maxLength: 20 }), bytes(1, 4), ext, (v, random, sid, suites, comp, extensions) => {
      const m = { legacyVersion: v, random, legacySessionId: sid, cipherSuites: suites, compressionMethods: comp, extensions };
      const enc = encodeClientHello(m);
      const dec = decodeClientHello(enc.subarray(4));
      assert.deepEqual(encodeClientHello(dec), enc);
      assert.deepEqual(dec.cipherSuites, suites);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(bytes(0, 20), fc.array(fc.record({ certData: bytes(1, 200), extensions: ext }), { maxLength: 4 }), (context, entries) => {
      const enc = encodeCertificate13({ context, entries });
      assert.deepEqual(encodeCertificate13(decodeCertificate13(enc.subarray(4))), enc);
    }),
    { numRuns: 100 },
  );
});

test("PEM, WAV and image containers: writer → reader round trips", () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Z0-9]([A-Z0-9 ]{0,20}[A-Z0-9])?$/), bytes(1, 500), (label, der) => {
      const [b] = decodePem(toPem(label, der));
      assert.equal(b!.label, label);
      assert.equal(hex(b!.der), hex(der));
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 300 }), fc.constantFrom(8000, 16000, 48000), (samples, rate) => {
      const w = parseWav(writeWavPcm16(Int16Array.from(samples), rate));
      assert.equal(w.format, "pcm16");
      assert.equal(w.sampleRate, rate);
      assert.deepEqual([...new Int16Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.length))], samples);
    }),
    { numRuns: 100 },
  );
  const img = makeImage(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey);
  const p = parseImage(img);
  assert.equal(hex(encodeImage(p.manifestBytes, p.signature, [p.body])), hex(img));
});

// ------------------------------------------------------------------------------ SRTP, TLS records

const rtpPacket = fc
  .record({ cc: fc.nat(15), ext: fc.boolean(), extWords: fc.nat(4), pt: fc.nat(127), seq: u16, ts: u32, payload: bytes(0, 300), marker: fc.boolean() })
  .map((r) => {
    const head = 12 + 4 * r.cc + (r.ext ? 4 + 4 * r.extWords : 0);
    const p = new Uint8Array(head + r.payload.length);
    p[0] = 0x80 | (r.ext ? 0x10 : 0) | r.cc;
    p[1] = (r.marker ? 0x80 : 0) | r.pt;
    const dv = new DataView(p.buffer);
    dv.setUint16(2, r.seq);
    dv.setUint32(4, r.ts);
    dv.setUint32(8, 0x0badcafe);
    for (let i = 12; i < head; i++) p[i] = i * 7;
    if (r.ext) dv.setUint16(12 + 4 * r.cc + 2, r.extWords);
    p.set(r.payload, head);
    return p;
  });

for (const variant of VARIANTS) {
  test(`${variant}: SRTP/SRTCP protect → unprotect is the identity; one flipped bit is refused and moves nothing`, async () => {
    const core = await shippedCore(variant);
    for (const profile of ["AES_CM_128_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"] as const) {
      const p = SRTP_PROFILES[profile];
      const k = { profile, masterKey: new Uint8Array(p.keyLength).fill(3), masterSalt: new Uint8Array(p.saltLength).fill(9), mki: Uint8Array.of(1) };
      // the shared packet buffers grow once, lazily: make them full size before counting arena blocks
      const warm = core.srtp.sender(k);
      warm.protect(new Uint8Array(1400).fill(0x80));
      warm.close();
      const inUse = core.arena.inUse;
      fc.assert(
        fc.property(rtpPacket, fc.nat(), fc.nat(7), (rtp, flipAt, bit) => {
          const tx = core.srtp.sender(k);
          const rx = core.srtp.receiver(k);
          try {
              const s = tx.protect(rtp);
              const bad = Uint8Array.from(s);
              bad[flipAt % bad.length]! ^= 1 << bit;
              assert.throws(() => rx.unprotect(bad), (e: unknown) => e instanceof SrtpError && ["ERR_SRTP_AUTH", "ERR_SRTP_MALFORMED", "ERR_SRTP_MKI"].includes(e.code));
              assert.equal(rx.streamCount, 0, "a refused packet created a stream");
              assert.equal(hex(rx.unprotect(s)), hex(rtp));
              assert.throws(() => rx.unprotect(s), (e: unknown) => e instanceof SrtpError && e.code === "ERR_SRTP_REPLAY");
              const rtcp = Uint8Array.of(0x80, 201, 0, 1, ...rtp.subarray(8, 12), ...rtp.subarray(12, 12 + 4 * (rtp.length >= 16 ? 1 : 0)));
              rtcp[3] = (rtcp.length - 4) / 4;
              const sc = tx.protectRtcp(rtcp);
              const badc = Uint8Array.from(sc);
              badc[flipAt % badc.length]! ^= 1 << bit;
              assert.throws(() => rx.unprotectRtcp(badc), (e: unknown) => e instanceof SrtpError);
              assert.equal(hex(rx.unprotectRtcp(sc)), hex(rtcp));
          } finally {
            tx.close();
            rx.close();
          }
        }),
        { numRuns: 60 },
      );
      assert.equal(core.arena.inUse, inUse, "every session gave its arena blocks back");
    }
  });

  test(`${variant}: TLS records: any chunking delivers the same records; a flipped bit ends in an alert, nothing forged`, async () => {
    const core = await shippedCore(variant);
    const suite = cipherSuite("TLS_AES_256_GCM_SHA384")!;
    const key = new Uint8Array(32).fill(0x42);
    const iv = new Uint8Array(12).fill(0x24);
    // the record layers' shared staging buffers are made once per core, on first use
    const warm = TlsRecordLayer.create(core);
    warm.feed(warm.seal(ContentType.handshake, Uint8Array.of(1)));
    warm.readRecords();
    warm.destroy();
    const before = core.arena.inUse;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(ContentType.handshake, ContentType.applicationData), bytes(1, 3000)), { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), fc.option(fc.tuple(fc.nat(), fc.nat(7))), (records, cuts, flip) => {
        const w = TlsRecordLayer.create(core);
        const r = TlsRecordLayer.create(core);
        try {
          w.installKeys("write", suite, key, iv);
          r.installKeys("read", suite, key, iv);
          const wire = Buffer.concat(records.map(([t, d]) => w.seal(t, d)));
          if (flip) wire[flip[0] % wire.length]! ^= 1 << flip[1];
          const got: string[] = [];
          let alert: unknown;
          let pos = 0;
          for (let i = 0; pos < wire.length; i++) {
            const n = cuts[i % cuts.length]!;
            r.feed(wire.subarray(pos, pos + n));
            pos += n;
            try {
              for (const rec of r.readRecords()) got.push(`${rec.type}:${hex(rec.data)}`);
            } catch (e) {
              alert = e;
              break;
            }
          }
          // records longer than one fragment come out as several: compare the concatenation per type run
          const want = records.map(([t, d]) => `${t}:${hex(d)}`);
          if (!flip) {
            assert.equal(alert, undefined);
            assert.equal(joinRuns(got), joinRuns(want));
          } else {
            // a flipped length bit may leave the reader waiting for a record that never completes
            assert.ok(alert instanceof TlsAlertError || r.pendingInput > 0, `a flipped bit must end in an alert or an incomplete record, got ${String(alert)}`);
            assert.ok(joinRuns(want).startsWith(joinRuns(got).replace(/\|$/, "")), "a record that was not sealed was delivered");
          }
        } finally {
          w.destroy();
          r.destroy();
        }
      }),
      { numRuns: 80 },
    );
    assert.equal(core.arena.inUse, before, "every record layer gave its arena blocks back");
  });
}

/** Merges consecutive records of one type (a long write is cut into several records). */
function joinRuns(recs: string[]): string {
  const out: [string, string][] = [];
  for (const r of recs) {
    const [t, d] = r.split(":") as [string, string];
    const last = out[out.length - 1];
    if (last && last[0] === t) last[1] += d;
    else out.push([t, d]);
  }
  return out.map(([t, d]) => `${t}:${d}`).join("|");
}
