// Offer/answer with SDES and srtpMode, against Skype for Business-style SDP (two crypto lines with
// the same key, optional SRTP on RTP/AVP, x- attributes, legacy a=encryption) and between two
// of our negotiators.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as sdpTransform from "sdp-transform";
import { SdpNegotiator, parseSrtpMode, type SrtpMode } from "../../../host/sdp/negotiator.js";
import { SdpError } from "../../../host/sdp/errors.js";
import { toHex } from "../../helpers/vectors.js";

const KEY = Buffer.from(Array.from({ length: 30 }, (_, i) => 0x40 + i)).toString("base64");
const KEY2 = Buffer.from(Array.from({ length: 30 }, (_, i) => 0x90 + i)).toString("base64");
const local = { address: "192.0.2.10", rtpPort: 40000 };
const is = (c: string, status?: number) => (e: unknown) => e instanceof SdpError && e.code === c && (status === undefined || e.sipStatus === status);

/** An offer the way a Skype for Business Mediation Server writes it. */
function skypeOffer(o: { proto?: string; crypto?: string[]; extra?: string[]; media?: string } = {}): string {
  const crypto = o.crypto ?? [`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31|1:1`, `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31`];
  return (
    [
      "v=0",
      "o=- 0 1 IN IP4 198.51.100.7",
      "s=session",
      "c=IN IP4 198.51.100.7",
      "b=CT:99980",
      "t=0 0",
      `m=audio 52000 ${o.proto ?? "RTP/SAVP"} ${o.media ?? "0 8 101 13"}`,
      "c=IN IP4 198.51.100.7",
      "a=rtcp:52001",
      ...crypto,
      "a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|2^31|1:1",
      "a=x-ssrc-range:3477381120-3477381120",
      "a=label:main-audio",
      "a=x-devicecaps:audio:send,recv",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=rtpmap:13 CN/8000",
      "a=ptime:20",
      ...(o.extra ?? []),
      "",
    ].join("\r\n")
  );
}

function cryptoLines(sdp: string): string[] {
  return sdp.split("\r\n").filter((l) => l.startsWith("a=crypto:"));
}

test("answering a Skype offer: exactly one line, the first we support, with its MKI form", () => {
  const n = new SdpNegotiator({ local });
  const { sdp, media } = n.createAnswer(skypeOffer());
  const lines = cryptoLines(sdp);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\|2\^31\|1:1$/);
  const m = sdpTransform.parse(sdp).media[0]!;
  assert.equal(m.protocol, "RTP/SAVP");
  assert.equal(m.payloads, "0 101");
  assert.ok(media.srtp);
  assert.equal(media.srtp.profile, "AES_CM_128_HMAC_SHA1_80");
  assert.deepEqual([...media.srtp.tx.mki!], [1]);
  // the peer listed its key with and without MKI: both forms are accepted on receive
  assert.equal(media.srtp.rx.length, 2);
  assert.deepEqual([...media.srtp.rx[0]!.mki!], [1]);
  assert.equal(media.srtp.rx[1]!.mki, undefined);
  assert.equal(toHex(media.srtp.rx[0]!.masterKey), toHex(media.srtp.rx[1]!.masterKey));
  assert.equal(toHex(Buffer.concat([media.srtp.rx[0]!.masterKey, media.srtp.rx[0]!.masterSalt])), Buffer.from(KEY, "base64").toString("hex"));
  assert.equal(media.srtp.rxLifetime, 2 ** 31);
  assert.equal(media.remoteAddress, "198.51.100.7");
  assert.equal(media.remoteRtpPort, 52000);
  assert.equal(media.remoteRtcpPort, 52001);
  assert.equal(media.codec.name, "PCMU");
  assert.equal(media.telephoneEvent, 101);
  assert.equal(media.direction, "sendrecv");
  assert.equal(media.rtcpMux, false);
  // our key is fresh and is not the peer's
  assert.notEqual(toHex(media.srtp.tx.masterKey), toHex(media.srtp.rx[0]!.masterKey));
});

test("when the line without MKI comes first, our packets carry no MKI", () => {
  const n = new SdpNegotiator({ local });
  const { sdp, media } = n.createAnswer(
    skypeOffer({ crypto: [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31`, `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31|1:1`] }),
  );
  assert.match(cryptoLines(sdp)[0]!, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\S{40}\|2\^31$/);
  assert.equal(media.srtp!.tx.mki, undefined);
  assert.equal(media.srtp!.rx.length, 2);
});

test("srtpMode matrix against RTP/SAVP, optional-SRTP (RTP/AVP + crypto) and plain RTP/AVP offers", () => {
  const offers = {
    savp: skypeOffer(),
    avpCrypto: skypeOffer({ proto: "RTP/AVP" }),
    avp: skypeOffer({ proto: "RTP/AVP", crypto: [] }),
  };
  const expect: Record<SrtpMode, Record<keyof typeof offers, "SAVP" | "AVP" | 488>> = {
    required: { savp: "SAVP", avpCrypto: "SAVP", avp: 488 },
    optional: { savp: "SAVP", avpCrypto: "SAVP", avp: "AVP" },
    notSupported: { savp: 488, avpCrypto: "AVP", avp: "AVP" },
  };
  for (const mode of ["required", "optional", "notSupported"] as SrtpMode[]) {
    for (const [kind, offer] of Object.entries(offers) as [keyof typeof offers, string][]) {
      const n = new SdpNegotiator({ local, srtpMode: mode });
      const want = expect[mode][kind];
      if (want === 488) {
        assert.throws(() => n.createAnswer(offer), (e: unknown) => e instanceof SdpError && e.sipStatus === 488, `${mode}/${kind}`);
        continue;
      }
      const { sdp, media } = n.createAnswer(offer);
      const m = sdpTransform.parse(sdp).media[0]!;
      assert.equal(m.protocol, want === "SAVP" ? "RTP/SAVP" : "RTP/AVP", `${mode}/${kind}`);
      assert.equal(cryptoLines(sdp).length, want === "SAVP" ? 1 : 0, `${mode}/${kind}`);
      assert.equal(media.srtp === null, want === "AVP", `${mode}/${kind}`);
    }
  }
});

test("legacy a=encryption: required refuses a plain answer, rejected declines crypto", () => {
  const n = new SdpNegotiator({ local, srtpMode: "notSupported" });
  assert.throws(() => n.createAnswer(skypeOffer({ proto: "RTP/AVP", crypto: [], extra: ["a=encryption:required"] })), is("ERR_SDP_NOT_ACCEPTABLE", 488));
  const o = new SdpNegotiator({ local, srtpMode: "optional" });
  const r = o.createAnswer(skypeOffer({ proto: "RTP/AVP", extra: ["a=encryption:rejected"] }));
  assert.equal(r.media.srtp, null);
  const q = new SdpNegotiator({ local, srtpMode: "required" });
  assert.throws(() => q.createAnswer(skypeOffer({ proto: "RTP/AVP", extra: ["a=encryption:rejected"] })), is("ERR_SDP_NOT_ACCEPTABLE", 488));
  const p = new SdpNegotiator({ local, srtpMode: "optional" });
  assert.ok(p.createAnswer(skypeOffer({ proto: "RTP/AVP", extra: ["a=encryption:optional"] })).media.srtp);
});

test("unknown suites are skipped; only unknown suites is 488 ERR_SDP_NO_SUITE", () => {
  const n = new SdpNegotiator({ local });
  const { sdp } = n.createAnswer(
    skypeOffer({ crypto: ["a=crypto:1 F8_128_HMAC_SHA1_80 inline:whatever|2^31", `a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31|1:1`] }),
  );
  assert.match(cryptoLines(sdp)[0]!, /^a=crypto:5 /);
  const m = new SdpNegotiator({ local });
  assert.throws(() => m.createAnswer(skypeOffer({ crypto: ["a=crypto:1 F8_128_HMAC_SHA1_80 inline:whatever|2^31"] })), is("ERR_SDP_NO_SUITE", 488));
  // a suite we know but did not configure is skipped the same way
  const k46 = Buffer.alloc(46, 3).toString("base64");
  assert.throws(() => m.createAnswer(skypeOffer({ crypto: [`a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${k46}`] })), is("ERR_SDP_NO_SUITE", 488));
  const w = new SdpNegotiator({ local, suites: ["AES_256_CM_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80"] });
  const r = w.createAnswer(skypeOffer({ crypto: [`a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${k46}`] }));
  assert.equal(r.media.srtp!.profile, "AES_256_CM_HMAC_SHA1_80");
  assert.equal(r.media.srtp!.tx.masterKey.length, 32);
});

test("hostile a=crypto: bad base64, wrong key length, MKI too long, bad lifetime, session params → 488 with the cause", () => {
  const bad: [string, string][] = [
    [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${"*".repeat(40)}|2^31`, "ERR_SDP_BASE64"],
    [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.alloc(20).toString("base64")}|2^31`, "ERR_SDP_KEY_LENGTH"],
    [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31|1:5`, "ERR_SDP_MKI"],
    [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^64`, "ERR_SDP_LIFETIME"],
    [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} KDR=4`, "ERR_SDP_SESSION_PARAM"],
    [`a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:${KEY}`, "ERR_SDP_CRYPTO"],
  ];
  for (const [line, code] of bad) {
    const n = new SdpNegotiator({ local });
    assert.throws(() => n.createAnswer(skypeOffer({ crypto: [line] })), is(code, 488), line);
    // a broken line does not spoil a good one after it
    const m = new SdpNegotiator({ local });
    const { media } = m.createAnswer(skypeOffer({ crypto: [line, `a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31`] }));
    assert.equal(media.srtp!.tag, 7);
  }
  const dup = new SdpNegotiator({ local });
  assert.throws(
    () => dup.createAnswer(skypeOffer({ crypto: [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}`] })),
    is("ERR_SDP_CRYPTO", 488),
  );
});

test("codecs, telephone-event, rtcp-mux, extra m= lines, hold", () => {
  const n = new SdpNegotiator({ local });
  const a = n.createAnswer(skypeOffer({ media: "8 96", extra: ["a=rtpmap:96 telephone-event/8000", "a=rtcp-mux"] }));
  assert.equal(a.media.codec.name, "PCMA");
  assert.equal(a.media.codec.payloadType, 8);
  assert.equal(a.media.telephoneEvent, 96);
  assert.equal(a.media.rtcpMux, true);
  assert.equal(a.media.remoteRtcpPort, 52000);
  assert.match(a.sdp, /a=rtcp-mux/);
  assert.match(a.sdp, /a=rtpmap:96 telephone-event\/8000/);
  assert.throws(() => new SdpNegotiator({ local }).createAnswer(skypeOffer({ media: "9 18" })), is("ERR_SDP_NO_CODEC", 488));
  const withVideo = skypeOffer() + "m=video 52002 RTP/SAVP 34\r\na=rtpmap:34 H263/90000\r\n";
  const v = new SdpNegotiator({ local }).createAnswer(withVideo);
  const ms = sdpTransform.parse(v.sdp).media;
  assert.equal(ms.length, 2);
  assert.equal(ms[1]!.type, "video");
  assert.equal(ms[1]!.port, 0);
  const hold = new SdpNegotiator({ local }).createAnswer(skypeOffer({ extra: ["a=sendonly"] }));
  assert.equal(hold.media.direction, "recvonly");
  assert.match(hold.sdp, /a=recvonly/);
  const old = new SdpNegotiator({ local }).createAnswer(skypeOffer().replace(/c=IN IP4 198.51.100.7/g, "c=IN IP4 0.0.0.0"));
  assert.equal(old.media.direction, "recvonly");
});

test("junk is 400 ERR_SDP_PARSE, never another exception (property)", () => {
  for (const junk of ["", "\x00\x01\x02", "v=1\r\n", "v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n", "hello"]) {
    assert.throws(() => new SdpNegotiator({ local }).createAnswer(junk), (e: unknown) => e instanceof SdpError);
  }
  assert.throws(() => new SdpNegotiator({ local }).createAnswer("\x00\x01garbage"), is("ERR_SDP_PARSE", 400));
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      try {
        new SdpNegotiator({ local }).createAnswer(s);
      } catch (e) {
        return e instanceof SdpError;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  // mutate a good offer line by line
  const good = skypeOffer().split("\r\n");
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.string({ maxLength: 40 }), (i, s) => {
      const lines = [...good];
      lines[i] = lines[i]!.slice(0, 2) + s;
      try {
        new SdpNegotiator({ local }).createAnswer(lines.join("\r\n"));
      } catch (e) {
        return e instanceof SdpError;
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

test("our offer: Skype style by default (same key with and without MKI), per srtpMode", () => {
  const n = new SdpNegotiator({ local });
  const offer = n.createOffer();
  const lines = cryptoLines(offer);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\S{40})\|2\^31\|1:1$/);
  assert.match(lines[1]!, /^a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:(\S{40})\|2\^31$/);
  assert.equal(lines[0]!.split(" ")[2]!.split("|")[0], lines[1]!.split(" ")[2]!.split("|")[0]);
  assert.equal(sdpTransform.parse(offer).media[0]!.protocol, "RTP/SAVP");
  assert.equal(sdpTransform.parse(new SdpNegotiator({ local, srtpMode: "optional" }).createOffer()).media[0]!.protocol, "RTP/AVP");
  assert.equal(cryptoLines(new SdpNegotiator({ local, srtpMode: "optional" }).createOffer()).length, 2);
  const plain = new SdpNegotiator({ local, srtpMode: "notSupported" }).createOffer();
  assert.equal(cryptoLines(plain).length, 0);
  assert.equal(cryptoLines(new SdpNegotiator({ local, offerMki: "without" }).createOffer()).length, 1);
  // fresh keys per session (CSPRNG)
  const k1 = cryptoLines(new SdpNegotiator({ local }).createOffer())[0]!.split(" ")[2];
  const k2 = cryptoLines(new SdpNegotiator({ local }).createOffer())[0]!.split(" ")[2];
  assert.notEqual(k1, k2);
});

test("negotiator ↔ negotiator: every srtpMode pair either agrees on keys or refuses", () => {
  const modes: SrtpMode[] = ["required", "optional", "notSupported"];
  for (const a of modes) {
    for (const b of modes) {
      const off = new SdpNegotiator({ local, srtpMode: a });
      const ans = new SdpNegotiator({ local: { address: "192.0.2.20", rtpPort: 50000 }, srtpMode: b });
      const offer = off.createOffer();
      let answer: { sdp: string; media: import("../../../host/sdp/negotiator.js").NegotiatedMedia };
      try {
        answer = ans.createAnswer(offer);
      } catch (e) {
        assert.ok(e instanceof SdpError && e.sipStatus === 488, `${a}/${b}`);
        assert.ok((a === "required" && b === "notSupported") || (a === "notSupported" && b === "required"), `${a}/${b} refused`);
        continue;
      }
      const mine = off.acceptAnswer(answer.sdp);
      const encrypted = a !== "notSupported" && b !== "notSupported";
      assert.equal(!!mine.srtp, encrypted, `${a}/${b}`);
      assert.equal(!!answer.media.srtp, encrypted, `${a}/${b}`);
      if (mine.srtp && answer.media.srtp) {
        // the offerer's tx is one of the answerer's rx forms and vice versa
        assert.ok(answer.media.srtp.rx.some((k) => toHex(k.masterKey) === toHex(mine.srtp!.tx.masterKey) && toHex(k.mki ?? new Uint8Array()) === toHex(mine.srtp!.tx.mki ?? new Uint8Array())));
        assert.ok(mine.srtp.rx.some((k) => toHex(k.masterKey) === toHex(answer.media.srtp!.tx.masterKey)));
        assert.deepEqual([...mine.srtp.tx.mki!], [1], "the answerer picked our first line, with MKI");
      }
      assert.equal(mine.remoteRtpPort, 50000);
    }
  }
});

test("answers in the Skype form (two lines, same key) are accepted; the first supported line decides our form", () => {
  const n = new SdpNegotiator({ local });
  n.createOffer();
  const answer = (first: string, second: string) =>
    [
      "v=0",
      "o=- 1 1 IN IP4 198.51.100.7",
      "s=session",
      "c=IN IP4 198.51.100.7",
      "t=0 0",
      "m=audio 52000 RTP/SAVP 0 101",
      first,
      second,
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:101 telephone-event/8000",
      "",
    ].join("\r\n");
  const m1 = n.acceptAnswer(answer(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31|1:1`, `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31`));
  assert.deepEqual([...m1.srtp!.tx.mki!], [1]);
  assert.equal(m1.srtp!.rx.length, 2);
  const m2 = n.acceptAnswer(answer(`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31`, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31|1:1`));
  assert.equal(m2.srtp!.tx.mki, undefined);
  assert.equal(m2.srtp!.rx.length, 2);
  assert.throws(() => n.acceptAnswer(answer(`a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31`, "a=sendrecv")), is("ERR_SDP_ANSWER"));
  assert.throws(() => n.acceptAnswer(answer("a=sendrecv", "a=sendrecv").replace("RTP/SAVP", "RTP/AVP")), is("ERR_SDP_NOT_ACCEPTABLE"));
});

test("re-INVITE: a refresh keeps keys, a new peer key or only a new MKI re-keys, our re-key changes key and MKI", () => {
  const n = new SdpNegotiator({ local });
  const first = n.createAnswer(skypeOffer());
  const refresh = n.createAnswer(skypeOffer());
  assert.equal(toHex(refresh.media.srtp!.tx.masterKey), toHex(first.media.srtp!.tx.masterKey));
  assert.equal(refresh.sdp, first.sdp, "unchanged answer, unchanged o= version");
  const newKey = n.createAnswer(skypeOffer({ crypto: [`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31|1:1`, `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31`] }));
  assert.notEqual(toHex(newKey.media.srtp!.tx.masterKey), toHex(first.media.srtp!.tx.masterKey));
  assert.deepEqual([...newKey.media.srtp!.tx.mki!], [2], "our MKI moves on with our key");
  assert.notEqual(sdpTransform.parse(newKey.sdp).origin!.sessionVersion, sdpTransform.parse(first.sdp).origin!.sessionVersion);
  const mkiOnly = n.createAnswer(skypeOffer({ crypto: [`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31|2:1`, `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}|2^31`] }));
  assert.deepEqual([...mkiOnly.media.srtp!.rx[0]!.mki!], [2]);
  assert.notEqual(toHex(mkiOnly.media.srtp!.tx.masterKey), toHex(newKey.media.srtp!.tx.masterKey), "a changed MKI alone re-keys (FreeSWITCH's lesson)");

  const o = new SdpNegotiator({ local });
  const peer = new SdpNegotiator({ local: { address: "192.0.2.20", rtpPort: 50000 } });
  const a1 = o.acceptAnswer(peer.createAnswer(o.createOffer()).sdp);
  const a2 = o.acceptAnswer(peer.createAnswer(o.createOffer()).sdp);
  assert.equal(toHex(a2.srtp!.tx.masterKey), toHex(a1.srtp!.tx.masterKey));
  assert.equal(toHex(a2.srtp!.rx[0]!.masterKey), toHex(a1.srtp!.rx[0]!.masterKey), "the peer keeps its key on a refresh too");
  const a3 = o.acceptAnswer(peer.createAnswer(o.createOffer({ rekey: true })).sdp);
  assert.notEqual(toHex(a3.srtp!.tx.masterKey), toHex(a1.srtp!.tx.masterKey));
  assert.deepEqual([...a3.srtp!.tx.mki!], [2]);
  assert.notEqual(toHex(a3.srtp!.rx[0]!.masterKey), toHex(a1.srtp!.rx[0]!.masterKey), "the peer answers new keys with new keys");
});

test("hold and resume through offers", () => {
  const o = new SdpNegotiator({ local });
  const peer = new SdpNegotiator({ local: { address: "192.0.2.20", rtpPort: 50000 } });
  o.setDirection("sendonly");
  const ans = peer.createAnswer(o.createOffer());
  assert.equal(ans.media.direction, "recvonly");
  assert.equal(o.acceptAnswer(ans.sdp).direction, "sendonly");
  o.setDirection("sendrecv");
  const back = peer.createAnswer(o.createOffer());
  assert.equal(back.media.direction, "sendrecv");
});

test("srtpMode parses the JSON and CLI forms", () => {
  assert.equal(parseSrtpMode("required"), "required");
  assert.equal(parseSrtpMode("optional"), "optional");
  assert.equal(parseSrtpMode("notSupported"), "notSupported");
  assert.equal(parseSrtpMode("not-supported"), "notSupported");
  assert.throws(() => parseSrtpMode("Required"), (e: unknown) => e instanceof SdpError);
});
