// The gateway's smaller parts: the core SRTP provider's error mapping (against node-srtp, the media
// layer's reference), the media port range, the structured logger's redaction, the pcap writer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { CoreSrtpProvider, CORE_TO_MEDIA_CODE } from "../../../host/gateway/srtp-provider.js";
import { nodeSrtp } from "../../../host/sim/mediation/node-srtp.js";
import { srtpErrorCode, type SrtpProvider } from "../../../host/media/srtp-provider.js";
import { MediaPortRange } from "../../../host/gateway/media-ports.js";
import { Logger, redact } from "../../../host/gateway/log.js";
import { internetChecksum, readPcap, udpPacket, PcapWriter } from "../../../host/gateway/pcap.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { rmTmp, tmpDir } from "../certs/pki.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import dgram from "node:dgram";

function rtp(seq: number, ssrc = 0x11223344): Uint8Array {
  const p = new Uint8Array(12 + 160);
  p[0] = 0x80;
  p[1] = 0;
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  new DataView(p.buffer).setUint32(8, ssrc);
  p.fill(seq & 0xff, 12);
  return p;
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return srtpErrorCode(e);
  }
  return undefined;
}

for (const variant of VARIANTS) {
  test(`core SRTP provider (${variant}): interoperates with node-srtp both ways and reports failures in the media layer's codes`, async () => {
    const core = new CoreSrtpProvider(await shippedCore(variant));
    assert.equal(core.name, `core-${variant}`);
    const key = { masterKey: randomBytes(16), masterSalt: randomBytes(14), mki: Uint8Array.of(1) };
    const opts = { profile: "AES_CM_128_HMAC_SHA1_80" as const, ...key, lifetime: 2 ** 31 };
    const pairs: [SrtpProvider, SrtpProvider][] = [
      [core, nodeSrtp],
      [nodeSrtp, core],
    ];
    for (const [txp, rxp] of pairs) {
      const tx = txp.sender(opts);
      const rx = rxp.receiver(opts);
      for (let s = 1; s <= 5; s++) assert.deepEqual(rx.unprotect(tx.protect(rtp(s))), rtp(s));
      const sr = Uint8Array.from([0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44, ...new Uint8Array(20)]);
      assert.deepEqual(rx.unprotectRtcp(tx.protectRtcp(sr)), sr);
      tx.close();
      rx.close();
    }
    // Failures, by the code the media layer counts.
    const tx = core.sender(opts);
    const rx = core.receiver(opts);
    const p1 = tx.protect(rtp(10));
    rx.unprotect(p1);
    assert.equal(code(() => rx.unprotect(p1)), "ERR_SRTP_REPLAY");
    const forged = tx.protect(rtp(11));
    forged[20]! ^= 1;
    assert.equal(code(() => rx.unprotect(forged)), "ERR_SRTP_AUTH");
    const wrongMki = tx.protect(rtp(12));
    wrongMki[wrongMki.length - 11] = 9;
    assert.equal(code(() => rx.unprotect(wrongMki)), "ERR_SRTP_MKI");
    assert.equal(code(() => rx.unprotect(new Uint8Array(5))), "ERR_SRTP_MALFORMED");
    assert.equal(code(() => core.sender({ ...opts, masterKey: new Uint8Array(15) })), "ERR_SRTP_KEY_LENGTH");
    tx.close();
    assert.equal(code(() => tx.protect(rtp(13))), "ERR_SRTP_CLOSED");
    // A key used up: KEY_LIMIT, as node-srtp says it.
    const small = core.sender({ ...opts, lifetime: 3 });
    small.protect(rtp(1));
    small.protect(rtp(2));
    small.protect(rtp(3));
    assert.equal(code(() => small.protect(rtp(4))), "ERR_SRTP_KEY_LIMIT");
    const nsmall = nodeSrtp.sender({ ...opts, lifetime: 3 });
    for (let s = 1; s <= 3; s++) nsmall.protect(rtp(s));
    assert.equal(code(() => nsmall.protect(rtp(4))), "ERR_SRTP_KEY_LIMIT");
    // Re-key in place (what SrtpTxState does): add, use, remove; the receiver follows by MKI.
    const k2 = { masterKey: randomBytes(16), masterSalt: randomBytes(14), mki: Uint8Array.of(2) };
    const tx2 = core.sender(opts);
    const nrx = nodeSrtp.receiver(opts);
    nrx.unprotect(tx2.protect(rtp(1)));
    tx2.addKey(k2);
    tx2.useKey(k2.mki);
    tx2.removeKey(key.mki);
    nrx.addKey(k2);
    assert.deepEqual(nrx.unprotect(tx2.protect(rtp(2))), rtp(2));
    rx.close();
    small.close();
    tx2.close();
    nrx.close();
    nsmall.close();
  });
}

test("every core SRTP code maps to a media-layer code", () => {
  for (const [from, to] of Object.entries(CORE_TO_MEDIA_CODE)) {
    assert.match(from, /^ERR_SRTP_/);
    assert.ok(["ERR_SRTP_AUTH", "ERR_SRTP_REPLAY", "ERR_SRTP_REPLAY_OLD", "ERR_SRTP_MKI", "ERR_SRTP_MALFORMED", "ERR_SRTP_KEY_LIMIT", "ERR_SRTP_KEY_LENGTH", "ERR_SRTP_ARG", "ERR_SRTP_CLOSED"].includes(to), `${from} → ${to}`);
  }
});

test("media port range: even RTP port + next for RTCP, round robin, EADDRINUSE skipped, exhaustion refused", async () => {
  const r = new MediaPortRange(40001, 40010);
  assert.equal(r.capacity, 4);
  const a = r.take();
  assert.deepEqual(a, { rtp: 40002, rtcp: 40003 });
  const held = dgram.createSocket("udp4");
  await new Promise<void>((res) => held.bind(40004, "127.0.0.1", () => res()));
  try {
    const bound = await r.bind(
      (p) =>
        new Promise<number>((res, rej) => {
          const s = dgram.createSocket("udp4");
          s.once("error", rej);
          s.bind(p.rtp, "127.0.0.1", () => {
            s.close();
            res(p.rtp);
          });
        }),
    );
    assert.equal(bound.value, 40006, "40004 was taken by another socket: skipped");
  } finally {
    held.close();
  }
  assert.deepEqual(r.take(), { rtp: 40008, rtcp: 40009 });
  assert.deepEqual(r.take(), { rtp: 40004, rtcp: 40005 }, "the pair skipped for EADDRINUSE is ours to try again later");
  assert.equal(r.used, 4);
  assert.throws(() => r.take(), (e: unknown) => (e as { code?: string }).code === "ERR_GATEWAY_MEDIA_PORTS");
  r.release(40002);
  assert.deepEqual(r.take(), { rtp: 40002, rtcp: 40003 });
  assert.throws(() => new MediaPortRange(5000, 5000), (e: unknown) => (e as { code?: string }).code === "ERR_GATEWAY_MEDIA_PORTS");
});

test("logger: one JSON object per line, text lines, levels; key material never written", () => {
  const lines: string[] = [];
  const log = new Logger({ format: "json", level: "info", write: (l) => lines.push(l), now: () => new Date("2026-01-02T03:04:05Z") }).child({ call: "c1" });
  const k = randomBytes(30);
  log.debug("hidden");
  log.info("call.up", { srtp: "AES_CM_128_HMAC_SHA1_80", masterKey: k, key: k.toString("hex"), nested: { salt: "abc", sdp: `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${k.toString("base64")}|2^31|1:1` }, raw: k });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.endsWith("\n"));
  const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(rec.time, "2026-01-02T03:04:05.000Z");
  assert.equal(rec.level, "info");
  assert.equal(rec.event, "call.up");
  assert.equal(rec.call, "c1");
  assert.equal(rec.masterKey, "[redacted]");
  assert.equal(rec.key, "[redacted]");
  assert.equal(rec.raw, "[30 bytes]");
  assert.deepEqual(rec.nested, { salt: "[redacted]", sdp: "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^31|1:1" });
  for (const enc of ["hex", "base64"] as const) assert.ok(!lines[0]!.includes(k.toString(enc).slice(0, 16)));
  const text: string[] = [];
  new Logger({ format: "text", write: (l) => text.push(l), now: () => new Date(0) }).warn("tls.refused", { code: "ERR_TLS_CERT_UNTRUSTED", remote: "127.0.0.1:5", msg: "no path" });
  assert.equal(text[0], '1970-01-01T00:00:00.000Z WARN  tls.refused no path code=ERR_TLS_CERT_UNTRUSTED remote=127.0.0.1:5\n');
  assert.deepEqual(redact({ err: Object.assign(new Error("bad inline:QUJD"), { code: "ERR_X" }) }), { err: { code: "ERR_X", message: "bad inline:[redacted]" } });
});

test("pcap: RFC 1071 checksum, valid IPv4/IPv6 UDP headers, libpcap records read back", () => {
  // RFC 1071 §3 example: the sum of 0001 f203 f4f5 f6f7 is ddf2, the checksum its complement.
  assert.equal(internetChecksum([Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])]), 0x220d);
  const payload = Uint8Array.from([0x80, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const v4 = udpPacket({ address: "127.0.0.1", port: 20000 }, { address: "10.1.2.3", port: 54321 }, payload, 7);
  assert.equal(v4.length, 20 + 8 + payload.length);
  assert.equal(internetChecksum([v4.subarray(0, 20)]), 0, "IPv4 header checksum verifies");
  const pseudo = Uint8Array.from([127, 0, 0, 1, 10, 1, 2, 3, 0, 17, 0, 8 + payload.length]);
  assert.equal(internetChecksum([pseudo, v4.subarray(20)]), 0, "UDP checksum verifies");
  assert.deepEqual([...v4.subarray(20, 24)], [0x4e, 0x20, 0xd4, 0x31]);
  const v6 = udpPacket({ address: "::1", port: 1 }, { address: "fe80::2", port: 2 }, payload);
  assert.equal(v6[0]! >> 4, 6);
  assert.equal(v6[6], 17);
  const p6 = new Uint8Array(40);
  p6.set(v6.subarray(8, 40), 0);
  new DataView(p6.buffer).setUint32(32, 8 + payload.length);
  p6[39] = 17;
  assert.equal(internetChecksum([p6, v6.subarray(40)]), 0, "UDP/IPv6 checksum verifies");
  const dir = tmpDir("pcap");
  try {
    const w = new PcapWriter(join(dir, "x.pcap"));
    w.udp({ address: "127.0.0.1", port: 1 }, { address: "127.0.0.1", port: 2 }, payload, 1_700_000_000_123_456);
    w.udp({ address: "127.0.0.1", port: 2 }, { address: "127.0.0.1", port: 1 }, payload);
    w.close();
    const f = readFileSync(join(dir, "x.pcap"));
    assert.deepEqual([...f.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1], "little-endian libpcap magic");
    const r = readPcap(f);
    assert.equal(r.linkType, 101);
    assert.equal(r.records.length, 2);
    assert.equal(r.records[0]!.time, 1_700_000_000_123_456);
    assert.deepEqual(Buffer.from(r.records[0]!.data.subarray(28)), Buffer.from(payload));
  } finally {
    rmTmp(dir);
  }
});
