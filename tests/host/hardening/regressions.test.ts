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
