// End-to-end regressions of fuzz findings whose damage was bigger than a wrong error class.
import { test } from "node:test";
import assert from "node:assert/strict";
import type net from "node:net";
import { SipEndpoint } from "../../../host/sip/endpoint.js";
import { RawClient, listen, rawRequest } from "../sip/helpers.js";

test("a request with an empty Via is refused, and the endpoint (and this process) lives on (fuzz: sip-message crash-9ac7f7c37ba2946f)", async () => {
  const ep = new SipEndpoint({ local: { host: "gw.example.com", port: 5067, transport: "TCP" }, timers: { t1: 40 } });
  const errors: string[] = [];
  ep.on("protocolError", (e) => errors.push(e.code));
  const l = await listen((s: net.Socket) => ep.accept(s));
  try {
    const c = await RawClient.connect(l.port);
    // before the fix this message threw inside the socket's data event: an uncaught exception
    c.send("OPTIONS sip:gw.example.com SIP/2.0\r\nVia:\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x@y\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    c.send(rawRequest({ method: "OPTIONS", cseq: 2 }));
    await c.waitFor(/CSeq: 2 OPTIONS/);
    assert.deepEqual(errors, ["ERR_SIP_MISSING_HEADER"]);
    c.close();
  } finally {
    await ep.close();
    await l.stop();
  }
});

test("extension headers named like Object's properties (constructor, __proto__, toString) are ordinary headers (fast-check: roundtrip.test seed 1411166116)", async () => {
  // canonicalHeaderName looked names up in plain objects: "constructor" became Object's constructor
  // function as the header's name, so the message serialized as "function Object() {...}: !" and was
  // refused when read back; "__proto__" became Object.prototype.
  const { SipRequest, canonicalHeaderName } = await import("../../../host/sip/message.js");
  const { parseMessage, serializeMessage } = await import("../../../host/sip/parser.js");
  const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];
  for (const n of names) assert.equal(typeof canonicalHeaderName(n), "string", n);
  assert.equal(canonicalHeaderName("constructor"), "Constructor");
  assert.equal(canonicalHeaderName("__proto__"), "__proto__");
  const req = new SipRequest("OPTIONS", "sip:gw.contoso.com");
  req.add("Via", "SIP/2.0/TLS ms1.contoso.com:5067;branch=z9hG4bK1").add("From", "<sip:a@contoso.com>;tag=9").add("To", "<sip:b@contoso.com>").add("Call-ID", "abc@ms1").add("CSeq", "1 OPTIONS");
  for (const n of names) req.add(n, `v-${n}`);
  const wire = serializeMessage(req);
  const cut = wire.indexOf("\r\n\r\n");
  const back = parseMessage(wire.subarray(0, cut), wire.subarray(cut + 4));
  for (const n of names) assert.equal(back.get(n), `v-${n}`, n);
  assert.ok(back.headers.every((h) => typeof h.name === "string"));
});
