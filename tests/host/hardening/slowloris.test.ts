// Slow and stuck SIP peers: a message that starts to arrive must finish within the read timeout
// (a byte trickled every so often does not extend it), a header block may not grow past its limit,
// and neither costs other connections anything. Idle connections, pauses between whole messages
// and CRLF keep-alives are not mistaken for a slow-loris.
import { test } from "node:test";
import assert from "node:assert/strict";
import type net from "node:net";
import { SipEndpoint } from "../../../host/sip/endpoint.js";
import { SipError } from "../../../host/sip/errors.js";
import { RawClient, listen, rawRequest, sleep, until } from "../sip/helpers.js";

const TIMERS = { t1: 40, t2: 160 };
const READ_TIMEOUT = 300;

async function endpoint() {
  const ep = new SipEndpoint({ local: { host: "gw.example.com", port: 5067, transport: "TCP" }, timers: TIMERS, readTimeoutMs: READ_TIMEOUT });
  const errors: SipError[] = [];
  ep.on("protocolError", (e) => errors.push(e));
  const l = await listen((s: net.Socket) => ep.accept(s));
  return { ep, l, errors, close: async () => (await ep.close(), await l.stop()) };
}

function options(n: number): string {
  return rawRequest({ method: "OPTIONS", cseq: n, branch: `z9hG4bKslow${n}-${Math.random().toString(36).slice(2)}` });
}

test("a header trickled one byte at a time is cut off at the read timeout, while another connection is served", async () => {
  const g = await endpoint();
  try {
    const slow = await RawClient.connect(g.l.port);
    const fast = await RawClient.connect(g.l.port);
    const msg = options(1);
    const t0 = performance.now();
    let sent = 0;
    let answeredMeanwhile = false;
    for (; sent < msg.length - 4 && !slow.closed; sent++) {
      slow.socket.write(msg[sent]!);
      await sleep(20);
      if (sent === 5) {
        fast.socket.write(options(2));
        await fast.waitFor(/^SIP\/2\.0 200/);
        answeredMeanwhile = true;
      }
    }
    await until(() => slow.closed, 3000);
    const took = performance.now() - t0;
    assert.ok(answeredMeanwhile, "the other connection was served during the slow-loris");
    assert.ok(took >= READ_TIMEOUT * 0.8 && took < READ_TIMEOUT * 4, `closed after ${took.toFixed(0)} ms (read timeout ${READ_TIMEOUT} ms)`);
    assert.ok(sent < msg.length - 4, "closed before the message could complete");
    assert.ok(g.errors.some((e) => e.code === "ERR_SIP_TIMEOUT"), "counted as a protocol error");
    fast.socket.write(options(3));
    await fast.waitFor(/CSeq: 3 OPTIONS/);
    fast.socket.destroy();
  } finally {
    await g.close();
  }
});

test("a body that never completes is cut off too", async () => {
  const g = await endpoint();
  try {
    const c = await RawClient.connect(g.l.port);
    const full = rawRequest({ method: "OPTIONS", cseq: 1, branch: "z9hG4bKbody", body: "x".repeat(200) });
    c.socket.write(full.slice(0, full.length - 100)); // headers and half the body
    const t0 = performance.now();
    await until(() => c.closed, 3000);
    assert.ok(performance.now() - t0 < READ_TIMEOUT * 4);
  } finally {
    await g.close();
  }
});

test("idle time between whole messages and CRLF keep-alives are not a slow-loris", async () => {
  const g = await endpoint();
  try {
    const c = await RawClient.connect(g.l.port);
    for (let i = 1; i <= 3; i++) {
      c.socket.write(options(i));
      await c.waitFor(new RegExp(`CSeq: ${i} OPTIONS`));
      await sleep(READ_TIMEOUT * 1.5);
    }
    c.socket.write("\r\n"); // a lone CRLF, then silence
    await sleep(READ_TIMEOUT * 1.5);
    c.socket.write("\r\n\r\n"); // a ping: answered with a pong
    await sleep(READ_TIMEOUT * 1.5);
    assert.equal(c.closed, false, "an idle but well-behaved peer keeps its connection");
    c.socket.write(options(9));
    await c.waitFor(/CSeq: 9 OPTIONS/);
    c.socket.destroy();
  } finally {
    await g.close();
  }
});

test("a header block that never ends is refused at its size limit, not buffered without bound", async () => {
  const g = await endpoint();
  try {
    const c = await RawClient.connect(g.l.port);
    c.socket.write("OPTIONS sip:gw.example.com SIP/2.0\r\n");
    const line = `X-Filler: ${"a".repeat(1000)}\r\n`;
    for (let i = 0; i < 40 && !c.closed; i++) {
      c.socket.write(line);
      await sleep(2);
    }
    await until(() => c.closed, 3000);
    assert.ok(g.errors.some((e) => e.code === "ERR_SIP_TOO_LARGE"), g.errors.map((e) => e.code).join());
  } finally {
    await g.close();
  }
});
