// SIP: whole messages (parser + validation + what the UAS builds from them), the stream framer
// (chunking must not change what comes out), and the header grammars on their own.
import { SipError } from "../../../host/sip/errors.js";
import { SipFramer } from "../../../host/sip/framer.js";
import {
  SipRequest,
  canonicalHeaderName,
  createResponse,
  formatNameAddr,
  parseCSeq,
  parseNameAddr,
  parseParams,
  parseSipUri,
  parseVia,
  splitHeaderList,
  type SipMessage,
} from "../../../host/sip/message.js";
import { parseMessage, serializeMessage } from "../../../host/sip/parser.js";
import { bump, check, enc, expectTyped, instanceOf, latin1, sameBytes, utf8, type FuzzTarget } from "./types.js";

const isSipError = instanceOf(SipError);
const SIP_COVERAGE = ["/dist/host/sip/"];

export const SIP_DICTIONARY = [
  "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "SIP/2.0", "SIP/2.0/TLS", "sip:", "sips:", "tel:", "Via: ", "v: ", "From: ", "f: ",
  "To: ", "t: ", "Call-ID: ", "i: ", "CSeq: ", "Contact: ", "m: ", "Content-Length: ", "l: ", "Content-Type: ", "Max-Forwards: ",
  "Record-Route: ", "Route: ", ";tag=", ";branch=z9hG4bK", ";lr", "<", ">", "\"", "\\", ",", ";", ":", "@", "\r\n", "\r\n\r\n",
  " \t", "\r\n ", "[::1]", ":5067", ":65536", "2147483648", "application/sdp",
  // names of Object's own properties (a header named "constructor" once became a function: regressions.test.ts)
  "constructor: ", "__proto__: ", "toString: ",
];

function sipRequest(method: string, extra: string[] = [], body = ""): string {
  const lines = [
    `${method} sip:+14255550100@pool.contoso.com:5067;transport=tls;user=phone SIP/2.0`,
    "Via: SIP/2.0/TLS ms1.contoso.com:5067;branch=z9hG4bKabc123;rport",
    "Max-Forwards: 70",
    'From: "Alice" <sip:+12065550100@ms1.contoso.com;user=phone>;tag=a73kszlfl',
    "To: <sip:+14255550100@gw.contoso.com;user=phone>",
    "Call-ID: 1j9FpLxk3uxtm8tn@ms1.contoso.com",
    `CSeq: 314159 ${method}`,
    "Contact: <sip:ms1.contoso.com:5067;transport=tls>",
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return lines.join("\r\n") + "\r\n\r\n" + body;
}

const SDP = [
  "v=0", "o=- 0 0 IN IP4 10.0.0.1", "s=session", "c=IN IP4 10.0.0.1", "t=0 0", "m=audio 50000 RTP/SAVP 0 8 101",
  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1",
  "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31",
  "a=rtpmap:101 telephone-event/8000", "a=sendrecv", "",
].join("\r\n");

export function sipSeeds(): Uint8Array[] {
  return [
    sipRequest("INVITE", ["Content-Type: application/sdp", "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS"], SDP),
    sipRequest("OPTIONS", ["Accept: application/sdp"]),
    sipRequest("BYE"),
    sipRequest("ACK"),
    sipRequest("CANCEL", ["Reason: SIP;cause=487"]),
    sipRequest("INVITE", ["Record-Route: <sip:ms1.contoso.com;lr>, <sip:ms2.contoso.com;lr>", "Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bK2", "Supported: timer\r\n  , 100rel"], SDP),
    [
      "SIP/2.0 200 OK",
      "v: SIP/2.0/TLS gw.contoso.com:5067;branch=z9hG4bK776asdhds",
      "f: <sip:+14255550100@gw.contoso.com>;tag=1928301774",
      "t: <sip:+12065550100@pool.contoso.com>;tag=a6c85cf",
      "i: a84b4c76e66710@gw.contoso.com",
      "CSeq: 1 INVITE",
      "m: <sip:ms1.contoso.com:5067;transport=tls>",
      "c: application/sdp",
      `l: ${SDP.length}`,
      "",
      SDP,
    ].join("\r\n"),
    "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/TLS h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x@y\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n",
  ].map(enc);
}

function splitMessage(input: Uint8Array): { head: Uint8Array; body: Uint8Array } {
  const i = Buffer.from(input.buffer, input.byteOffset, input.byteLength).indexOf("\r\n\r\n");
  if (i < 0) return { head: input, body: new Uint8Array(0) };
  return { head: input.subarray(0, i), body: input.subarray(i + 4) };
}

function summary(m: SipMessage): string {
  return JSON.stringify({ start: m.startLine(), headers: m.headers, body: m.body.toString("hex") });
}

const sipMessageCounters: Record<string, number> = {};

/** Whole messages: parse; an accepted message serializes, re-parses to the same, and every accessor the UA uses works. */
export const sipMessage: FuzzTarget = {
  name: "sip-message",
  description: "SIP parseMessage: start line, headers, Content-Length, mandatory headers; round trip through serializeMessage; createResponse on accepted requests",
  kind: "host",
  coverage: SIP_COVERAGE,
  maxLength: 20000,
  text: true,
  dictionary: SIP_DICTIONARY,
  counters: sipMessageCounters,
  seeds: sipSeeds,
  run(input) {
    const { head, body } = splitMessage(input);
    const r = expectTyped("parseMessage", isSipError, () => parseMessage(head, body));
    if (!r.ok) {
      bump(sipMessageCounters, "rejected");
      return;
    }
    bump(sipMessageCounters, "accepted");
    const m = r.value;
    // What the transaction and dialog layers read from every accepted message must not throw.
    const nothing = (what: string, f: () => unknown) => expectTyped(what, () => false, f);
    nothing("cseq", () => m.cseq);
    nothing("from", () => m.from);
    nothing("to", () => m.to);
    nothing("via", () => m.via);
    nothing("callId", () => m.callId);
    // Round trip: serialize → parse gives the same message, and serializing again the same bytes.
    const ser = expectTyped("serializeMessage", () => false, () => new Uint8Array(serializeMessage(m)));
    if (!ser.ok) return;
    const again = splitMessage(ser.value);
    const m2 = expectTyped("re-parse of our own serialization", () => false, () => parseMessage(again.head, again.body));
    if (m2.ok) {
      // Content-Length is rewritten (one, last); everything else must survive unchanged.
      check(summaryWithoutLength(m2.value) === summaryWithoutLength(m), "serialize → parse changed the message");
      check(sameBytes(serializeMessage(m2.value), ser.value), "serialization is not stable");
    }
    // A UAS answers accepted requests: the response it builds must itself be a valid message.
    if (m instanceof SipRequest && m.method !== "ACK") {
      const res = createResponse(m, 400, { toTag: "fz1" });
      const rb = serializeMessage(res);
      const sp = splitMessage(new Uint8Array(rb));
      expectTyped("our response to an accepted request", () => false, () => parseMessage(sp.head, sp.body));
    }
  },
};

function summaryWithoutLength(m: SipMessage): string {
  return JSON.stringify({ start: m.startLine(), headers: m.headers.filter((h) => h.name !== "Content-Length"), body: m.body.toString("hex") });
}

interface FramerEvent {
  kind: "message" | "ping" | "pong" | "error";
  detail: string;
}

function frame(chunks: Uint8Array[]): FramerEvent[] {
  const events: FramerEvent[] = [];
  const f = new SipFramer({
    message: (m) => events.push({ kind: "message", detail: summary(m) }),
    ping: () => events.push({ kind: "ping", detail: "" }),
    pong: () => events.push({ kind: "pong", detail: "" }),
    error: (e, fatal) => {
      check(e instanceof SipError, `framer reported a non-SipError: ${String(e)}`);
      events.push({ kind: "error", detail: `${e.code}${fatal ? " fatal" : ""}` });
    },
  });
  for (const c of chunks) {
    f.push(Buffer.from(c));
    if (f.failed) break;
  }
  return events;
}

const framerCounters: Record<string, number> = {};

/**
 * A byte stream through the framer, whole and cut into chunks at places derived from the input: the
 * framer must never throw, report only SipErrors, stop after a fatal one, and deliver the same
 * messages and errors whatever the chunking (a slow peer must not be treated differently).
 */
export const sipFramer: FuzzTarget = {
  name: "sip-framer",
  description: "SIP stream framing (RFC 3261 §18.3, RFC 5626 keep-alives): same events whatever the TCP chunking",
  kind: "host",
  coverage: SIP_COVERAGE,
  maxLength: 40000,
  text: true,
  dictionary: SIP_DICTIONARY,
  counters: framerCounters,
  seeds: () => {
    const s = sipSeeds();
    return [concatAll([s[0]!, enc("\r\n\r\n"), s[1]!, s[2]!]), concatAll([enc("\r\n\r\n\r\n"), s[6]!, s[3]!]), ...s];
  },
  run(input) {
    const whole = expectTyped("framer (one chunk)", () => false, () => frame([input])).ok ? frame([input]) : [];
    // chunk sizes from a checksum of the input: 1..64 bytes, some single bytes
    let h = 2166136261;
    for (const b of input) h = Math.imul(h ^ b, 16777619) >>> 0;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < input.length; ) {
      h = Math.imul(h ^ i, 16777619) >>> 0;
      const n = h % 5 === 0 ? 1 : 1 + (h % 64);
      chunks.push(input.subarray(i, i + n));
      i += n;
    }
    const pieces = expectTyped("framer (chunked)", () => false, () => frame(chunks));
    if (!pieces.ok) return;
    const a = JSON.stringify(whole);
    const b = JSON.stringify(pieces.value);
    bump(framerCounters, whole.some((e) => e.kind === "error") ? "withError" : "clean");
    check(a === b, `chunking changed the framer's events:\n whole:   ${a.slice(0, 400)}\n chunked: ${b.slice(0, 400)}`);
    const fatal = whole.findIndex((e) => e.kind === "error" && e.detail.endsWith("fatal"));
    check(fatal < 0 || fatal === whole.length - 1, "events after a fatal framing error");
  },
};

function concatAll(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

const headerCounters: Record<string, number> = {};

/** Header grammars alone: Via, name-addr, SIP URI, CSeq, lists, parameters, header names. */
export const sipHeaders: FuzzTarget = {
  name: "sip-headers",
  description: "Via, name-addr (From/To/Contact), SIP URI, CSeq, list splitting, parameters; name-addr round trip",
  kind: "host",
  coverage: SIP_COVERAGE,
  maxLength: 2000,
  text: true,
  dictionary: SIP_DICTIONARY,
  counters: headerCounters,
  seeds: () =>
    [
      "SIP/2.0/TLS ms1.contoso.com:5067;branch=z9hG4bKabc;received=10.0.0.1;rport=5067",
      "SIP/2.0 / TCP [2001:db8::9]:5060 ; branch=z9hG4bK1",
      '"Alice \\"A\\"" <sip:+12065550100@ms1.contoso.com;user=phone>;tag=a73k;x="y;z"',
      "sip:alice@example.com;tag=99",
      "<tel:+14255550100;phone-context=example.com>",
      "sips:bob:secret@[::1]:5061;transport=tls;lr?subject=x",
      "314159 INVITE",
      "<sip:a@b>, \"c,d\" <sip:e@f;x=1>, <sip:g@h>",
    ].map(enc),
  run(input) {
    const s = utf8(input);
    const t = latin1(input);
    for (const v of [s, t]) {
      expectTyped("parseVia", isSipError, () => parseVia(v));
      expectTyped("parseSipUri", isSipError, () => parseSipUri(v));
      expectTyped("parseCSeq", isSipError, () => parseCSeq(v));
      expectTyped("splitHeaderList", () => false, () => splitHeaderList(v));
      expectTyped("parseParams", () => false, () => parseParams(v));
      expectTyped("canonicalHeaderName", () => false, () => canonicalHeaderName(v));
      const na = expectTyped("parseNameAddr", isSipError, () => parseNameAddr(v));
      if (na.ok) {
        bump(headerCounters, "nameAddr");
        const a = na.value;
        const text = formatNameAddr({ ...(a.display !== undefined ? { display: a.display } : {}), uri: a.uri, ...(a.tag !== undefined ? { tag: a.tag } : {}) });
        const b = expectTyped("re-parse of formatNameAddr", () => false, () => parseNameAddr(text));
        if (b.ok) {
          check(b.value.uri === a.uri, `name-addr round trip changed the URI: ${a.uri} → ${b.value.uri}`);
          check(b.value.tag === a.tag, `name-addr round trip changed the tag: ${a.tag} → ${b.value.tag}`);
        }
      }
    }
  },
};
