// SDP offer/answer and SDES a=crypto lines, the Skype for Business way. Properties: only SdpError;
// an answer we write carries at most one a=crypto and keys of the right length; a refused re-offer
// or answer leaves the call's negotiated media and keys as they were; a=crypto round-trips.
import { SdpError } from "../../../host/sdp/errors.js";
import { SdpNegotiator, type NegotiatedMedia, type SrtpMode } from "../../../host/sdp/negotiator.js";
import { checkSessionParams, formatCryptoAttribute, parseCryptoAttribute } from "../../../host/sdp/sdes.js";
import { SRTP_PROFILES } from "../../../host/media/srtp-provider.js";
import { bump, check, enc, expectTyped, instanceOf, sameBytes, utf8, type FuzzTarget } from "./types.js";

const isSdpError = instanceOf(SdpError);
const SDP_COVERAGE = ["/dist/host/sdp/", "sdp-transform"];

export const SDP_DICTIONARY = [
  "v=0\r\n", "o=- 1 1 IN IP4 10.0.0.1\r\n", "s=-\r\n", "c=IN IP4 ", "c=IN IP6 ::1\r\n", "t=0 0\r\n", "m=audio ", "m=video 0 RTP/AVP 31\r\n",
  " RTP/SAVP ", " RTP/AVP ", " UDP/TLS/RTP/SAVP ", "a=crypto:", " AES_CM_128_HMAC_SHA1_80 ", " AES_CM_128_HMAC_SHA1_32 ", " AEAD_AES_128_GCM ",
  " AES_256_CM_HMAC_SHA1_80 ", " F8_128_HMAC_SHA1_80 ", "inline:", "|2^31", "|2^48", "|2^0", "|1:1", "|255:1", "|1:4", "|1:5", " WSH=64", " KDR=1",
  " UNENCRYPTED_SRTP", " -x", ";inline:", "a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:8 PCMA/8000\r\n", "a=rtpmap:101 telephone-event/8000\r\n",
  "a=fmtp:101 0-16\r\n", "a=rtcp:50001\r\n", "a=rtcp:50001 IN IP4 10.0.0.2\r\n", "a=rtcp-mux\r\n", "a=sendonly\r\n", "a=recvonly\r\n",
  "a=inactive\r\n", "a=encryption:required\r\n", "a=encryption:optional\r\n", "a=encryption:rejected\r\n", "a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:",
  "a=x-ssrc-range:1-100\r\n", "a=ptime:20\r\n", "a=ice-ufrag:abcd\r\n", "a=candidate:1 1 UDP 2130706431 10.0.0.1 50000 typ host\r\n", "0.0.0.0",
];

// 30 bytes of key ‖ salt (base64 of bytes 0x00..0x1d)
const KEY30 = Buffer.from(Array.from({ length: 30 }, (_, i) => i)).toString("base64");
const KEY46 = Buffer.from(Array.from({ length: 46 }, (_, i) => 255 - i)).toString("base64");
const KEY28 = Buffer.from(Array.from({ length: 28 }, (_, i) => i * 3)).toString("base64");

function offer(lines: string[], proto = "RTP/SAVP", pts = "0 8 101"): string {
  return ["v=0", "o=- 1234 1 IN IP4 10.0.0.9", "s=session", "c=IN IP4 10.0.0.9", "b=CT:99980", "t=0 0", `m=audio 50010 ${proto} ${pts}`, ...lines, ""].join("\r\n");
}

export function sdpSeeds(): Uint8Array[] {
  const both = [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31|1:1`, `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31`];
  const media = ["a=rtcp:50011", "a=label:main-audio", "a=x-source:main-audio", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20"];
  return [
    offer([...both, ...media]),
    offer([...both, "a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:" + KEY30 + "|2^31", ...media], "RTP/AVP"),
    offer([`a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:${KEY46}|2^31|1:1 WSH=128`, `a=crypto:4 AEAD_AES_128_GCM inline:${KEY28}`, ...media, "a=rtcp-mux", "a=sendonly"]),
    offer(["a=encryption:optional", ...media], "RTP/AVP", "8 0"),
    offer([`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^20|1:4;inline:${KEY30}|2^20|2:4 -ext`, "a=ice-ufrag:x", "a=candidate:1 1 UDP 1 10.0.0.9 50010 typ host", ...media]),
    offer(["a=inactive", ...media]).replace("c=IN IP4 10.0.0.9", "c=IN IP4 0.0.0.0"),
  ].map(enc);
}

function deterministic(seed: number): (n: number) => Uint8Array {
  let x = seed;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
}

function negotiator(mode: SrtpMode, seed: number): SdpNegotiator {
  return new SdpNegotiator({
    local: { address: "10.0.0.1", rtpPort: 40000 },
    srtpMode: mode,
    suites: ["AES_CM_128_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM"],
    random: deterministic(seed),
  });
}

function mediaFingerprint(m: NegotiatedMedia | undefined): string {
  return JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));
}

function checkAnswer(sdp: string, media: NegotiatedMedia): void {
  const cryptoLines = sdp.split(/\r\n/).filter((l) => l.startsWith("a=crypto:"));
  check(cryptoLines.length <= 1, `our answer carries ${cryptoLines.length} a=crypto lines`);
  if (media.srtp) {
    const p = SRTP_PROFILES[media.srtp.profile];
    check(cryptoLines.length === 1, "SRTP negotiated but our answer has no a=crypto");
    check(media.srtp.tx.masterKey.length === p.keyLength && media.srtp.tx.masterSalt.length === p.saltLength, "our key has the wrong length");
    for (const k of media.srtp.rx) check(k.masterKey.length === p.keyLength && k.masterSalt.length === p.saltLength, "an accepted peer key has the wrong length");
  } else {
    check(cryptoLines.length === 0, "a=crypto in an answer without SRTP");
  }
  check(media.remoteRtpPort >= 0 && media.remoteRtpPort <= 65535, "remote port out of range");
}

const offerCounters: Record<string, number> = {};
const ESTABLISHED = utf8(sdpSeeds()[0]!);

/**
 * An offer (initial INVITE or re-INVITE) into a negotiator in each trunk mode. Accepted: the answer
 * is well-formed. Refused on an established call: the call's media, keys and our answer to the
 * original offer are unchanged.
 */
export const sdpOffer: FuzzTarget = {
  name: "sdp-offer",
  description: "SdpNegotiator.createAnswer on hostile offers and re-offers (required / optional / notSupported)",
  kind: "host",
  coverage: SDP_COVERAGE,
  maxLength: 8000,
  text: true,
  dictionary: SDP_DICTIONARY,
  counters: offerCounters,
  seeds: sdpSeeds,
  run(input) {
    const text = utf8(input);
    for (const mode of ["required", "optional", "notSupported"] as const) {
      const n = negotiator(mode, 7);
      const r = expectTyped(`createAnswer (${mode})`, isSdpError, () => n.createAnswer(text));
      if (r.ok) {
        bump(offerCounters, `accepted-${mode}`);
        checkAnswer(r.value.sdp, r.value.media);
      } else bump(offerCounters, `refused-${mode}`);
    }
    // A re-offer on an established call.
    const n = negotiator("required", 11);
    const first = n.createAnswer(ESTABLISHED);
    const before = mediaFingerprint(n.current);
    const r = expectTyped("createAnswer (re-offer)", isSdpError, () => n.createAnswer(text));
    if (!r.ok) {
      check(mediaFingerprint(n.current) === before, "a refused re-offer changed the call's negotiated media");
      const again = n.createAnswer(ESTABLISHED);
      check(mediaFingerprint(again.media) === mediaFingerprint(first.media), "a refused re-offer changed our keys");
    }
  },
};

const answerCounters: Record<string, number> = {};

/** An answer to our offer; refused answers leave the negotiator without negotiated media. */
export const sdpAnswer: FuzzTarget = {
  name: "sdp-answer",
  description: "SdpNegotiator.acceptAnswer on hostile answers to our offer (both MKI forms offered)",
  kind: "host",
  coverage: SDP_COVERAGE,
  maxLength: 8000,
  text: true,
  dictionary: SDP_DICTIONARY,
  counters: answerCounters,
  seeds: () => [
    ...sdpSeeds(),
    enc(offer([`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31`, "a=rtpmap:0 PCMU/8000"])),
    enc(offer([`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31|1:1`, `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31`, "a=rtpmap:0 PCMU/8000"])),
  ],
  run(input) {
    const text = utf8(input);
    for (const mode of ["required", "optional"] as const) {
      const n = negotiator(mode, 3);
      n.createOffer();
      const r = expectTyped(`acceptAnswer (${mode})`, isSdpError, () => n.acceptAnswer(text));
      if (r.ok) {
        bump(answerCounters, `accepted-${mode}`);
        const m = r.value;
        if (m.srtp) {
          const p = SRTP_PROFILES[m.srtp.profile];
          for (const k of m.srtp.rx) check(k.masterKey.length === p.keyLength && k.masterSalt.length === p.saltLength, "accepted peer key has the wrong length");
        } else check(mode !== "required", "srtpMode required but the answer was accepted without SRTP");
      } else {
        bump(answerCounters, `refused-${mode}`);
        check(n.current === undefined, "a refused answer left negotiated media behind");
      }
    }
  },
};

const sdesCounters: Record<string, number> = {};

/** One a=crypto value: parse, session-parameter check, format → parse round trip. */
export const sdes: FuzzTarget = {
  name: "sdes",
  description: "RFC 4568 a=crypto attribute: tag, suite, key params (inline:, lifetime, MKI), session params; round trip",
  kind: "host",
  coverage: ["/dist/host/sdp/sdes"],
  maxLength: 1000,
  text: true,
  dictionary: SDP_DICTIONARY,
  counters: sdesCounters,
  seeds: () =>
    [
      `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31|1:1`,
      `2 AES_CM_128_HMAC_SHA1_80 inline:${KEY30}|2^31`,
      `3 AES_256_CM_HMAC_SHA1_32 inline:${KEY46}|1048576|255:1 WSH=64 -foo`,
      `9 AEAD_AES_128_GCM inline:${KEY28}|2^20|1:2;inline:${KEY28}|2^20|2:2`,
      `4 F8_128_HMAC_SHA1_80 inline:${KEY30}|2^31 FEC_ORDER=FEC_SRTP`,
    ].map(enc),
  run(input) {
    const text = utf8(input);
    const r = expectTyped("parseCryptoAttribute", isSdpError, () => parseCryptoAttribute(text));
    if (!r.ok) {
      bump(sdesCounters, "refused");
      return;
    }
    const a = r.value;
    expectTyped("checkSessionParams", isSdpError, () => checkSessionParams(a.sessionParams));
    if (!a.profile) {
      bump(sdesCounters, "unknownSuite");
      return;
    }
    bump(sdesCounters, "accepted");
    const p = SRTP_PROFILES[a.profile];
    for (const k of a.keyParams) {
      check(k.key.length === p.keyLength && k.salt.length === p.saltLength, "accepted key of the wrong length");
      if (k.mki) check(k.mki.length >= 1 && k.mki.length <= 4 && k.mki.value < 2 ** (8 * k.mki.length), "accepted MKI out of range");
      if (k.lifetime !== undefined) check(k.lifetime >= 1 && k.lifetime <= 2 ** 48, "accepted lifetime out of range");
    }
    const formatted = formatCryptoAttribute(a);
    const b = expectTyped("re-parse of formatCryptoAttribute", () => false, () => parseCryptoAttribute(formatted));
    if (!b.ok) return;
    check(b.value.tag === a.tag && b.value.suite === a.suite && b.value.keyParams.length === a.keyParams.length, "a=crypto round trip changed tag/suite/key count");
    a.keyParams.forEach((k, i) => {
      const k2 = b.value.keyParams[i]!;
      check(sameBytes(k.key, k2.key) && sameBytes(k.salt, k2.salt), "a=crypto round trip changed a key");
      check(k.lifetime === k2.lifetime && JSON.stringify(k.mki) === JSON.stringify(k2.mki), "a=crypto round trip changed lifetime/MKI");
    });
  },
};
