// Wire-level behaviour of a SipEndpoint acting as UAS, driven by raw bytes on a loopback socket
// (the peer is not our own stack): 100 Trying, 2xx retransmission until ACK, CANCEL/487, OPTIONS,
// REFER → 501, 481, 420, CRLF keep-alive, and hostile input (400 and carry on, or close).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SipEndpoint } from "../../../host/sip/endpoint.js";
import type { IncomingCall } from "../../../host/sip/call.js";
import { RawClient, header, listen, rawRequest, sleep, until, type Listener } from "./helpers.js";

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

async function uas(timers: Record<string, number> = {}, extra: { maxServerTransactions?: number; maxInboundConnections?: number } = {}): Promise<{ ep: SipEndpoint; l: Listener; calls: IncomingCall[] }> {
  const ep = new SipEndpoint({ local: { host: "gw.example.com", port: 5067, transport: "TCP" }, timers: { t1: 40, t2: 160, ...timers }, userAgent: "gwsdk-test", ...extra });
  const calls: IncomingCall[] = [];
  ep.on("invite", (c) => calls.push(c));
  const l = await listen((s) => ep.accept(s, { host: s.remoteAddress!, port: s.remotePort! }));
  return { ep, l, calls };
}

test("INVITE: 100 Trying at once, 180, then 200 re-sent with growing intervals until the ACK", async () => {
  const { ep, l, calls } = await uas();
  const c = await RawClient.connect(l.port);
  try {
    c.send(rawRequest({ method: "INVITE", callId: "w1", body: SDP, branch: "z9hG4bKw1" }));
    await c.waitFor(/^SIP\/2.0 100 Trying/);
    await until(() => calls.length === 1);
    const call = calls[0]!;
    assert.equal(call.offer, SDP);
    call.progress(180);
    const ringing = await c.waitFor(/^SIP\/2.0 180 Ringing/);
    const toTag = /tag=(\w+)/.exec(header(ringing, "To")!)![1]!;
    // a retransmitted INVITE (same branch) gets the last response again, not a new call
    c.send(rawRequest({ method: "INVITE", callId: "w1", body: SDP, branch: "z9hG4bKw1" }));
    await until(() => c.count(/^SIP\/2.0 180 Ringing/) === 2, 1000, "180 repeated");
    assert.equal(calls.length, 1);
    const established = new Promise<void>((r) => call.once("established", () => r()));
    const t0 = Date.now();
    const acked = call.accept("v=0\r\n");
    await c.waitFor(/^SIP\/2.0 200 OK/);
    await sleep(300); // T1=40: re-sent at ~40, 120, 280 ms
    const n200 = c.count(/^SIP\/2.0 200 OK/);
    assert.ok(n200 >= 3 && n200 <= 5, `200 sent ${n200} times in ${Date.now() - t0} ms`);
    const ok = c.messages.find((m) => /^SIP\/2.0 200/.test(m))!;
    assert.match(header(ok, "To")!, new RegExp(`tag=${toTag}`), "the same To tag as the 180");
    assert.match(header(ok, "Contact")!, /sip:gw\.example\.com:5067;transport=tcp/);
    assert.equal(header(ok, "Allow"), "INVITE, ACK, CANCEL, BYE, OPTIONS");
    c.send(rawRequest({ method: "ACK", callId: "w1", toTag, cseq: 1 }));
    await acked;
    await established;
    const after = c.count(/^SIP\/2.0 200 OK/);
    await sleep(200);
    assert.equal(c.count(/^SIP\/2.0 200 OK/), after, "no more 200s after the ACK");
    // BYE from the peer ends the call
    const ended = new Promise((r) => call.once("ended", r));
    c.send(rawRequest({ method: "BYE", callId: "w1", toTag, cseq: 2 }));
    await c.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 2 BYE/);
    assert.deepEqual(await ended, { reason: "bye", by: "remote" });
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});

test("no ACK: the UAS gives up after 64·T1 and sends BYE", async () => {
  const { ep, l, calls } = await uas({ ackTimeout: 300 });
  const c = await RawClient.connect(l.port);
  try {
    c.send(rawRequest({ method: "INVITE", callId: "w2", body: SDP }));
    await until(() => calls.length === 1);
    const ended = new Promise((r) => calls[0]!.once("ended", r));
    await assert.rejects(calls[0]!.accept("v=0\r\n"), (e: unknown) => (e as { code?: string }).code === "ERR_SIP_TIMEOUT");
    assert.deepEqual(await ended, { reason: "no-ack", by: "local" });
    await c.waitFor(/^BYE /);
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});

test("CANCEL: 200 for the CANCEL, 487 for the INVITE, whose ACK is absorbed", async () => {
  const { ep, l, calls } = await uas();
  const c = await RawClient.connect(l.port);
  try {
    c.send(rawRequest({ method: "INVITE", callId: "w3", body: SDP, branch: "z9hG4bKcan" }));
    await until(() => calls.length === 1);
    calls[0]!.progress(180);
    const ended = new Promise((r) => calls[0]!.once("ended", r));
    c.send(rawRequest({ method: "CANCEL", callId: "w3", branch: "z9hG4bKcan" }));
    await c.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 1 CANCEL/);
    const r487 = await c.waitFor(/^SIP\/2.0 487/);
    assert.match(header(r487, "CSeq")!, /1 INVITE/);
    assert.deepEqual(await ended, { reason: "cancel", by: "remote", status: 487 });
    c.send(rawRequest({ method: "ACK", callId: "w3", branch: "z9hG4bKcan", toTag: /tag=(\w+)/.exec(header(r487, "To")!)![1]! }));
    // CANCEL before the application said anything (no 180 yet)
    c.send(rawRequest({ method: "INVITE", callId: "w3b", body: SDP, branch: "z9hG4bKcan2" }));
    await until(() => calls.length === 2);
    const ended2 = new Promise((r) => calls[1]!.once("ended", r));
    c.send(rawRequest({ method: "CANCEL", callId: "w3b", branch: "z9hG4bKcan2" }));
    await c.waitFor(/^SIP\/2.0 487[\s\S]*Call-ID: w3b/);
    assert.deepEqual(await ended2, { reason: "cancel", by: "remote", status: 487 });
    // CANCEL for nothing
    c.send(rawRequest({ method: "CANCEL", callId: "w4", branch: "z9hG4bKnothing" }));
    await c.waitFor(/^SIP\/2.0 481[\s\S]*CSeq: 1 CANCEL/);
    assert.throws(() => calls[0]!.progress(180), (e: unknown) => (e as { code?: string }).code === "ERR_SIP_STATE");
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});

test("OPTIONS 200 with Allow; REFER and unknown methods 501; stray BYE 481; Require 420; no listener 480", async () => {
  const { ep, l } = await uas();
  const c = await RawClient.connect(l.port);
  try {
    c.send(rawRequest({ method: "OPTIONS", callId: "o1" }));
    const ok = await c.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 1 OPTIONS/);
    assert.equal(header(ok, "Allow"), "INVITE, ACK, CANCEL, BYE, OPTIONS");
    assert.match(header(ok, "To")!, /;tag=\w+/);
    c.send(rawRequest({ method: "REFER", callId: "r1", extra: ["Refer-To: <sip:+1555@example.com>"] }));
    const r = await c.waitFor(/^SIP\/2.0 501[\s\S]*CSeq: 1 REFER/);
    assert.equal(header(r, "Allow"), "INVITE, ACK, CANCEL, BYE, OPTIONS");
    c.send(rawRequest({ method: "REFER", callId: "r2", toTag: "nope" }));
    await c.waitFor(/^SIP\/2.0 481[\s\S]*CSeq: 1 REFER/);
    c.send(rawRequest({ method: "FROBNICATE", callId: "f1" }));
    await c.waitFor(/^SIP\/2.0 501[\s\S]*CSeq: 1 FROBNICATE/);
    c.send(rawRequest({ method: "BYE", callId: "b1", toTag: "t" }));
    await c.waitFor(/^SIP\/2.0 481[\s\S]*CSeq: 1 BYE/);
    c.send(rawRequest({ method: "INVITE", callId: "i1", body: SDP, extra: ["Require: 100rel, timer"] }));
    const bad = await c.waitFor(/^SIP\/2.0 420/);
    assert.equal(header(bad, "Unsupported"), "100rel, timer");
    c.send(rawRequest({ method: "INVITE", callId: "i2", body: "hello", extra: ["Content-Type: text/plain"] }).replace("Content-Type: application/sdp\r\n", ""));
    await c.waitFor(/^SIP\/2.0 415/);
    ep.removeAllListeners("invite");
    c.send(rawRequest({ method: "INVITE", callId: "i3", body: SDP }));
    await c.waitFor(/^SIP\/2.0 480/);
    assert.equal(ep.counters.optionsAnswered, 1);
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});

test("CRLF keep-alive: a ping gets a pong", async () => {
  const { ep, l } = await uas();
  const c = await RawClient.connect(l.port);
  try {
    c.send("\r\n\r\n");
    await until(() => c.raw === "\r\n", 1000, "pong");
    c.send("\r\n");
    c.send("\r\n"); // split ping
    await until(() => c.raw === "\r\n\r\n", 1000, "second pong");
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});

test("hostile input: 400 and carry on when framing holds; 400/513 and close when it does not; other connections unaffected", async () => {
  const { ep, l, calls } = await uas();
  const bystander = await RawClient.connect(l.port);
  try {
    // a call on the bystander connection
    bystander.send(rawRequest({ method: "INVITE", callId: "keep", body: SDP }));
    await until(() => calls.length === 1);
    calls[0]!.progress(180);
    await bystander.waitFor(/^SIP\/2.0 180/);

    const recoverable = await RawClient.connect(l.port);
    recoverable.send(rawRequest({ method: "INVITE", body: SDP, omit: ["Call-ID"] }));
    const r400 = await recoverable.waitFor(/^SIP\/2.0 400/);
    assert.match(r400.split("\r\n")[0]!, /Missing or Malformed Header/);
    recoverable.send(rawRequest({ method: "OPTIONS" }));
    await recoverable.waitFor(/^SIP\/2.0 200 OK/);
    assert.equal(recoverable.closed, false);
    recoverable.close();

    const cases: [string, string | Buffer, RegExp | undefined][] = [
      ["bad Content-Length", rawRequest({ method: "INVITE", body: SDP }).replace(/Content-Length: \d+/, "Content-Length: abc"), /^SIP\/2.0 400/],
      ["body over the limit", rawRequest({ method: "INVITE", body: SDP }).replace(/Content-Length: \d+/, "Content-Length: 9999999"), /^SIP\/2.0 513/],
      ["oversized header", rawRequest({ method: "INVITE", extra: [`X-Big: ${"x".repeat(30000)}`] }), undefined],
      ["binary junk", Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), undefined],
      ["no Via at all and no framing", "INVITE sip:x@y SIP/2.0\r\nContent-Length: -1\r\n\r\n", undefined],
    ];
    for (const [what, bytes, answer] of cases) {
      const h = await RawClient.connect(l.port);
      h.send(bytes);
      if (answer) await h.waitFor(answer);
      await h.waitClosed();
      assert.ok(true, what);
    }
    assert.ok(ep.counters.protocolErrors >= cases.length + 1);
    // the bystander's call still works: answer it and finish it
    const acked = calls[0]!.accept("v=0\r\n");
    const ok = await bystander.waitFor(/^SIP\/2.0 200 OK/);
    bystander.send(rawRequest({ method: "ACK", callId: "keep", toTag: /tag=(\w+)/.exec(header(ok, "To")!)![1]! }));
    await acked;
    assert.equal(calls[0]!.state, "confirmed");
  } finally {
    bystander.close();
    await ep.close();
    await l.stop();
  }
});

test("in-dialog: a CSeq lower than the last is 500; OPTIONS and REFER inside the dialog", async () => {
  const { ep, l, calls } = await uas();
  const c = await RawClient.connect(l.port);
  try {
    c.send(rawRequest({ method: "INVITE", callId: "d1", body: SDP, cseq: 10 }));
    await until(() => calls.length === 1);
    const acked = calls[0]!.accept("v=0\r\n");
    const ok = await c.waitFor(/^SIP\/2.0 200 OK/);
    const toTag = /tag=(\w+)/.exec(header(ok, "To")!)![1]!;
    c.send(rawRequest({ method: "ACK", callId: "d1", toTag, cseq: 10 }));
    await acked;
    c.send(rawRequest({ method: "OPTIONS", callId: "d1", toTag, cseq: 11 }));
    await c.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 11 OPTIONS/);
    c.send(rawRequest({ method: "REFER", callId: "d1", toTag, cseq: 12 }));
    await c.waitFor(/^SIP\/2.0 501[\s\S]*CSeq: 12 REFER/);
    c.send(rawRequest({ method: "OPTIONS", callId: "d1", toTag, cseq: 5 }));
    await c.waitFor(/^SIP\/2.0 500 CSeq Out of Order/);
    // a re-INVITE without a handler is 488, the call carries on
    c.send(rawRequest({ method: "INVITE", callId: "d1", toTag, cseq: 13, body: SDP }));
    await c.waitFor(/^SIP\/2.0 488[\s\S]*CSeq: 13 INVITE/);
    assert.equal(calls[0]!.state, "confirmed");
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});

test("limits: an INVITE flood on one connection gets 503, unanswered INVITEs end with 480, excess connections are closed", async () => {
  const { ep, l, calls } = await uas({ inviteTimeout: 200 }, { maxServerTransactions: 3, maxInboundConnections: 2 });
  const c = await RawClient.connect(l.port);
  try {
    for (let i = 0; i < 5; i++) c.send(rawRequest({ method: "INVITE", callId: `flood${i}`, body: SDP }));
    await c.waitFor(/^SIP\/2.0 503[\s\S]*Call-ID: flood3/);
    await c.waitFor(/^SIP\/2.0 503[\s\S]*Call-ID: flood4/);
    assert.equal(calls.length, 3);
    // nobody answers them: 480 after inviteTimeout
    await c.waitFor(/^SIP\/2.0 480 No Answer[\s\S]*Call-ID: flood0/, 2000);
    await until(() => calls.every((x) => x.ended), 1000, "all unanswered calls ended");
    const second = await RawClient.connect(l.port);
    const third = await RawClient.connect(l.port);
    await third.waitClosed();
    assert.equal(second.closed, false);
    assert.equal(ep.counters.rejectedConnections, 1);
    second.close();
  } finally {
    c.close();
    await ep.close();
    await l.stop();
  }
});
