// Strict parsing, serialization and stream framing of SIP messages, with hostile input.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SipError } from "../../../host/sip/errors.js";
import { SipFramer } from "../../../host/sip/framer.js";
import { SipRequest, SipResponse, parseNameAddr, parseSipUri, parseVia, splitHeaderList, type SipMessage } from "../../../host/sip/message.js";
import { DEFAULT_SIP_LIMITS, parseMessage, serializeMessage } from "../../../host/sip/parser.js";
import { rawRequest } from "./helpers.js";

interface Collected {
  messages: SipMessage[];
  errors: { e: SipError; fatal: boolean; partial?: SipMessage }[];
  pings: number;
  pongs: number;
}

function framer(limits = DEFAULT_SIP_LIMITS): { f: SipFramer; c: Collected } {
  const c: Collected = { messages: [], errors: [], pings: 0, pongs: 0 };
  const f = new SipFramer(
    {
      message: (m) => c.messages.push(m),
      ping: () => c.pings++,
      pong: () => c.pongs++,
      error: (e, fatal, partial) => c.errors.push({ e, fatal, ...(partial ? { partial } : {}) }),
    },
    limits,
  );
  return { f, c };
}

const SDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n";

// RFC 3261 §24.2 style INVITE with compact forms, folding and a two-value Via header.
const INVITE =
  "INVITE sip:+14255550100@gw.example.com:5067;transport=tls;user=phone SIP/2.0\r\n" +
  "v: SIP/2.0/TLS 10.0.0.5:5067;branch=z9hG4bK776asdhds, SIP/2.0/TLS 10.0.0.9:5061;branch=z9hG4bKnashds8\r\n" +
  "Max-Forwards: 70\r\n" +
  't: "PSTN" <sip:+14255550100@gw.example.com;user=phone>\r\n' +
  'f: "Alice Smith" <sip:+12065550100@pool.example.com;user=phone>;tag=1928301774\r\n' +
  "i: a84b4c76e66710@pool.example.com\r\n" +
  "CSeq: 314159 INVITE\r\n" +
  "m: <sip:mediation1.example.com:5067;transport=tls>\r\n" +
  "Supported: ms-safe-transfer,\r\n ms-bypass\r\n" +
  "c: application/sdp\r\n" +
  `l: ${SDP.length}\r\n\r\n` +
  SDP;

test("parses an INVITE with compact forms, folding and a Via list", () => {
  const { f, c } = framer();
  f.push(Buffer.from(INVITE));
  assert.equal(c.errors.length, 0, c.errors[0]?.e.message);
  const m = c.messages[0] as SipRequest;
  assert.ok(m instanceof SipRequest);
  assert.equal(m.method, "INVITE");
  assert.equal(m.callId, "a84b4c76e66710@pool.example.com");
  assert.deepEqual(m.cseq, { seq: 314159, method: "INVITE" });
  assert.equal(m.from.tag, "1928301774");
  assert.equal(m.from.display, "Alice Smith");
  assert.equal(m.to.tag, undefined);
  assert.equal(m.getList("Via").length, 2);
  assert.equal(m.via.branch, "z9hG4bK776asdhds");
  assert.equal(m.via.transport, "TLS");
  assert.equal(m.get("Supported"), "ms-safe-transfer, ms-bypass");
  assert.equal(m.bodyText(), SDP);
  // serialize → parse gives the same message
  const again = framer();
  again.f.push(serializeMessage(m));
  const m2 = again.c.messages[0] as SipRequest;
  assert.equal(m2.uri, m.uri);
  assert.deepEqual(m2.headers, m.headers.map((h) => h));
  assert.equal(m2.bodyText(), SDP);
});

test("framing: every split point, pipelined messages, and CRLF keep-alive", () => {
  const two = Buffer.from(INVITE + "\r\n\r\n" + rawRequest({ method: "OPTIONS" }));
  for (let cut = 1; cut < two.length; cut += 7) {
    const { f, c } = framer();
    f.push(two.subarray(0, cut));
    f.push(two.subarray(cut));
    assert.equal(c.messages.length, 2, `cut at ${cut}`);
    assert.equal(c.pings, 1, `cut at ${cut}`);
    assert.equal(c.errors.length, 0);
  }
  const byByte = framer();
  for (const b of two) byByte.f.push(Buffer.of(b));
  assert.equal(byByte.c.messages.length, 2);
  assert.equal(byByte.c.pings, 1);
  // a pong is a lone CRLF while we wait for one
  const p = framer();
  p.f.expectingPong = true;
  p.f.push(Buffer.from("\r\n"));
  assert.equal(p.c.pongs, 1);
});

test("responses parse; status and version are checked", () => {
  const r = "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TLS a.example.com;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const { f, c } = framer();
  f.push(Buffer.from(r));
  assert.ok(c.messages[0] instanceof SipResponse);
  assert.equal((c.messages[0] as SipResponse).status, 180);
  for (const bad of [r.replace("180", "099"), r.replace("180", "700"), r.replace("SIP/2.0 180", "SIP/3.0 180"), r.replace("180 Ringing", "18x Ringing")]) {
    const x = framer();
    x.f.push(Buffer.from(bad));
    assert.equal(x.c.errors[0]?.e.code, "ERR_SIP_PARSE", bad.split("\r\n")[0]);
  }
  const v3 = framer();
  v3.f.push(Buffer.from(rawRequest({ method: "OPTIONS" }).replace("SIP/2.0\r\n", "SIP/3.0\r\n")));
  assert.equal(v3.c.errors[0]?.e.status, 505);
});

test("hostile: missing mandatory headers are recoverable 400s with the partial message", () => {
  for (const h of ["Via", "From", "To", "Call-ID", "CSeq"]) {
    const { f, c } = framer();
    f.push(Buffer.from(rawRequest({ method: "INVITE", body: SDP, omit: [h] }) + rawRequest({ method: "OPTIONS" })));
    assert.equal(c.errors.length, 1, h);
    assert.equal(c.errors[0]!.e.code, "ERR_SIP_MISSING_HEADER", h);
    assert.equal(c.errors[0]!.fatal, false, h);
    assert.equal(c.errors[0]!.e.status, 400);
    assert.ok(c.errors[0]!.partial instanceof SipRequest);
    assert.equal(c.messages.length, 1, `${h}: the next message still parses`);
  }
  for (const [what, req] of [
    ["bad CSeq", rawRequest({ method: "INVITE" }).replace(/CSeq: 1 INVITE/, "CSeq: one INVITE")],
    ["CSeq method mismatch", rawRequest({ method: "INVITE", cseqMethod: "BYE" })],
    ["bad From", rawRequest({ method: "INVITE" }).replace(/From: [^\r]*/, "From: nobody")],
    ["bad Via", rawRequest({ method: "INVITE" }).replace(/Via: [^\r]*/, "Via: SIP/2.0 nowhere")],
    ["two Call-IDs", rawRequest({ method: "INVITE", extra: ["Call-ID: another"] })],
    ["bad Max-Forwards", rawRequest({ method: "INVITE" }).replace("Max-Forwards: 70", "Max-Forwards: many")],
  ] as const) {
    const { f, c } = framer();
    f.push(Buffer.from(req));
    assert.equal(c.errors.length, 1, what);
    assert.equal(c.errors[0]!.fatal, false, what);
    assert.equal(c.errors[0]!.e.status, 400, what);
  }
});

test("hostile: bad Content-Length is fatal (framing is lost)", () => {
  const base = rawRequest({ method: "INVITE", body: SDP });
  for (const [what, req] of [
    ["missing", base.replace(/Content-Length: \d+\r\n/, "")],
    ["negative", base.replace(/Content-Length: \d+/, "Content-Length: -5")],
    ["not a number", base.replace(/Content-Length: \d+/, "Content-Length: 12abc")],
    ["conflicting", base.replace(/Content-Length: (\d+)/, "Content-Length: $1\r\nl: 3")],
    ["huge", base.replace(/Content-Length: \d+/, "Content-Length: 99999999999")],
  ] as const) {
    const { f, c } = framer();
    f.push(Buffer.from(req));
    assert.equal(c.errors.length, 1, what);
    assert.equal(c.errors[0]!.fatal, true, what);
    assert.ok(["ERR_SIP_CONTENT_LENGTH", "ERR_SIP_TOO_LARGE"].includes(c.errors[0]!.e.code), `${what}: ${c.errors[0]!.e.code}`);
    assert.ok(c.errors[0]!.partial instanceof SipRequest, `${what}: the head is there to answer`);
    f.push(Buffer.from(rawRequest({ method: "OPTIONS" })));
    assert.equal(c.messages.length, 0, `${what}: nothing is parsed after a fatal error`);
  }
  // duplicated but equal values are tolerated
  const dup = framer();
  dup.f.push(Buffer.from(base.replace(/Content-Length: (\d+)/, "Content-Length: $1\r\nContent-Length: $1")));
  assert.equal(dup.c.messages.length, 1);
  // a body over the limit is ERR_SIP_TOO_LARGE (513)
  const big = framer({ ...DEFAULT_SIP_LIMITS, maxBodyBytes: 50 });
  big.f.push(Buffer.from(base));
  assert.equal(big.c.errors[0]!.e.code, "ERR_SIP_TOO_LARGE");
  assert.equal(big.c.errors[0]!.e.status, 513);
});

test("hostile: oversized header block, too many headers, long lines, junk and bad UTF-8", () => {
  const hugeHeader = rawRequest({ method: "INVITE", extra: [`X-Junk: ${"a".repeat(20000)}`] });
  const a = framer();
  a.f.push(Buffer.from(hugeHeader));
  assert.equal(a.c.errors[0]?.e.code, "ERR_SIP_TOO_LARGE");
  assert.equal(a.c.errors[0]?.fatal, true);
  // never ends its header block: refused once over the limit, without waiting for more
  const b = framer();
  b.f.push(Buffer.from("INVITE sip:x@y SIP/2.0\r\n"));
  for (let i = 0; i < 2000 && b.c.errors.length === 0; i++) b.f.push(Buffer.from(`X-H${i}: 1234567890\r\n`));
  assert.equal(b.c.errors[0]?.e.code, "ERR_SIP_TOO_LARGE");
  const many = framer();
  many.f.push(Buffer.from(rawRequest({ method: "OPTIONS", extra: Array.from({ length: 150 }, (_, i) => `X-${i}: y`) })));
  assert.equal(many.c.errors[0]?.e.code, "ERR_SIP_TOO_LARGE");
  const long = framer();
  long.f.push(Buffer.from(rawRequest({ method: "OPTIONS", extra: [`Subject: ${"s".repeat(5000)}`] })));
  assert.equal(long.c.errors[0]?.e.code, "ERR_SIP_TOO_LARGE");
  for (const junk of [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), Buffer.from("\x00\x00\x00\x00INVITE"), Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Buffer.from("123 abc\r\n\r\n")]) {
    const j = framer();
    j.f.push(junk);
    assert.equal(j.c.errors[0]?.fatal, true, junk.toString("hex"));
  }
  const utf = framer();
  utf.f.push(Buffer.concat([Buffer.from(rawRequest({ method: "OPTIONS" }).replace("From: <", "From: \"\xff\" <").split("\r\n\r\n")[0]!, "latin1"), Buffer.from("\r\n\r\n")]));
  assert.equal(utf.c.errors[0]?.e.code, "ERR_SIP_PARSE");
  const ctl = framer();
  ctl.f.push(Buffer.from(rawRequest({ method: "OPTIONS", extra: ["X-Bad: a\x01b"] })));
  assert.equal(ctl.c.errors[0]?.e.code, "ERR_SIP_PARSE");
});

test("random bytes and mutated messages never throw out of the framer (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const { f } = framer();
      f.push(Buffer.from(bytes));
      return true;
    }),
    { numRuns: 500 },
  );
  const good = Buffer.from(INVITE);
  fc.assert(
    fc.property(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(40), (at, byte, cut) => {
      const b = Buffer.from(good);
      b[at] = byte;
      const { f, c } = framer();
      f.push(b.subarray(0, Math.max(0, b.length - cut)));
      f.push(b.subarray(Math.max(0, b.length - cut)));
      for (const m of c.messages) {
        // whatever parsed has the mandatory headers
        assert.ok(m.callId.length > 0);
      }
      return true;
    }),
    { numRuns: 1000 },
  );
});

test("serialization refuses header injection and fixes Content-Length", () => {
  const r = new SipRequest("OPTIONS", "sip:a@b");
  r.add("X-Evil", "a\r\nVia: injected");
  assert.throws(() => serializeMessage(r), (e: unknown) => e instanceof SipError);
  const ok = new SipRequest("MESSAGE", "sip:a@b");
  ok.add("Content-Length", "999");
  ok.setBody("hello", "text/plain");
  assert.match(serializeMessage(ok).toString(), /Content-Length: 5\r\n\r\nhello$/);
  assert.doesNotMatch(serializeMessage(ok).toString(), /999/);
});

test("header grammars: Via, name-addr, SIP URI, lists", () => {
  const v = parseVia("SIP/2.0/TLS [2001:db8::1]:5067;branch=z9hG4bKabc;received=1.2.3.4");
  assert.equal(v.host, "[2001:db8::1]");
  assert.equal(v.port, 5067);
  assert.equal(v.params.get("received"), "1.2.3.4");
  const n = parseNameAddr('"A, B" <sip:a@b.com;transport=tls>;tag=xyz;foo');
  assert.equal(n.display, "A, B");
  assert.equal(n.uri, "sip:a@b.com;transport=tls");
  assert.equal(n.tag, "xyz");
  assert.equal(parseNameAddr("sip:a@b.com;tag=q").tag, "q");
  const u = parseSipUri("sip:+14255550100@gw.example.com:5067;transport=tls;user=phone");
  assert.equal(u.user, "+14255550100");
  assert.equal(u.port, 5067);
  assert.equal(u.params.get("user"), "phone");
  assert.deepEqual(splitHeaderList('<sip:a@b>;x="1,2", <sip:c@d>'), ['<sip:a@b>;x="1,2"', "<sip:c@d>"]);
  assert.throws(() => parseMessage(Buffer.from("OPTIONS sip:a@b SIP/2.0"), Buffer.alloc(0)), (e: unknown) => e instanceof SipError);
});
