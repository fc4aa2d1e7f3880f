// SipEndpoint ↔ SipEndpoint over loopback TCP: calls, rejection, CANCEL, re-INVITE and glare,
// failover between pool members (connect failure, timeout, 5xx; not 4xx), OPTIONS health.
import { test } from "node:test";
import assert from "node:assert/strict";
import type net from "node:net";
import { SipEndpoint, type SipEndpointOptions } from "../../../host/sip/endpoint.js";
import type { IncomingCall } from "../../../host/sip/call.js";
import { SipError } from "../../../host/sip/errors.js";
import { resolveTimers } from "../../../host/sip/timers.js";
import { connectTcp, deadPort, listen, sleep, until, type Listener } from "./helpers.js";

const TIMERS = { t1: 40, t2: 160, glareRetry: [100, 150] as [number, number], glareRetryNonOwner: [0, 40] as [number, number] };

interface Member {
  ep: SipEndpoint;
  l: Listener;
  calls: IncomingCall[];
  name: string;
}

async function member(name: string, onInvite?: (c: IncomingCall) => void, port = 0): Promise<Member> {
  const ep = new SipEndpoint({ local: { host: `${name}.example.com`, port: 5067, transport: "TCP" }, timers: TIMERS });
  const calls: IncomingCall[] = [];
  ep.on("invite", (c) => {
    calls.push(c);
    onInvite?.(c);
  });
  const l = await listen((s: net.Socket) => ep.accept(s), port);
  return { ep, l, calls, name };
}

function gateway(ports: number[], extra: Partial<SipEndpointOptions> = {}): SipEndpoint {
  return new SipEndpoint({
    local: { host: "gw.example.com", port: 5067, transport: "TCP" },
    pool: { fqdn: "pool.example.com", members: ports.map((port) => ({ host: "127.0.0.1", port })) },
    connect: connectTcp,
    connectTimeoutMs: 500,
    timers: TIMERS,
    health: false,
    ...extra,
  });
}

const answer = (c: IncomingCall) => {
  c.progress(180);
  c.progress(183, "early-sdp");
  void c.accept("answer-sdp").catch(() => undefined);
};

test("a call out and back: progress, 200, ACK, BYE from the callee", async () => {
  const ms = await member("ms1", answer);
  const gw = gateway([ms.l.port]);
  try {
    const call = gw.invite({ to: "+14255550100", from: "+12065550100", body: "offer-sdp" });
    const progress: number[] = [];
    call.on("progress", (r) => progress.push(r.status));
    const res = await call.result;
    assert.equal(res.status, 200);
    assert.equal(res.bodyText(), "answer-sdp");
    assert.deepEqual(progress, [180, 183]);
    assert.equal(call.state, "confirmed");
    const inc = ms.calls[0]!;
    assert.equal(inc.offer, "offer-sdp");
    assert.match(inc.request.uri, /^sip:\+14255550100@pool\.example\.com:\d+;transport=tcp;user=phone$/);
    await until(() => inc.state === "confirmed");
    const ended = new Promise((r) => call.once("ended", r));
    await inc.hangup();
    assert.deepEqual(await ended, { reason: "bye", by: "remote" });
    assert.equal(inc.state, "terminated");
  } finally {
    await gw.close();
    await ms.ep.close();
    await ms.l.stop();
  }
});

test("calls the other way: the member calls the gateway's listener", async () => {
  const gwEp = new SipEndpoint({ local: { host: "gw.example.com", port: 5067, transport: "TCP" }, timers: TIMERS });
  gwEp.on("invite", (c) => void c.accept("gw-answer").catch(() => undefined));
  const gl = await listen((s) => gwEp.accept(s));
  const msEp = new SipEndpoint({
    local: { host: "ms1.example.com", port: 5067, transport: "TCP" },
    pool: { members: [{ host: "127.0.0.1", port: gl.port }] },
    connect: connectTcp,
    timers: TIMERS,
    health: false,
  });
  try {
    const call = msEp.invite({ to: "+14255550100", from: "+12065550100", body: "ms-offer" });
    assert.equal((await call.result).bodyText(), "gw-answer");
    const ended = new Promise((r) => gwEp.calls()[0]!.once("ended", r));
    await call.hangup();
    assert.deepEqual(await ended, { reason: "bye", by: "remote" });
  } finally {
    await msEp.close();
    await gwEp.close();
    await gl.stop();
  }
});

test("4xx and 6xx end the call without failover", async () => {
  const busy = await member("busy", (c) => c.reject(486));
  const spare = await member("spare", answer);
  const gw = gateway([busy.l.port, spare.l.port]);
  try {
    const call = gw.invite({ to: "+1", from: "+2", body: "o" });
    await assert.rejects(call.result, (e: unknown) => e instanceof SipError && e.code === "ERR_SIP_REJECTED" && e.status === 486);
    assert.equal(spare.calls.length, 0);
    assert.deepEqual(call.endInfo, { reason: "rejected", by: "remote", status: 486 });
  } finally {
    await gw.close();
    for (const m of [busy, spare]) {
      await m.ep.close();
      await m.l.stop();
    }
  }
});

test("failover: connect refused, then 503, then a silent member (Timer B), and the next member takes the call", async () => {
  const dead = await deadPort();
  const overloaded = await member("ovl", (c) => c.reject(503));
  // accepts TCP, never answers
  const silent = await listen(() => undefined);
  const good = await member("good", answer);
  const gw = gateway([dead, overloaded.l.port, silent.port, good.l.port], { timers: { ...TIMERS, timerB: 300 } });
  try {
    const call = gw.invite({ to: "+1", from: "+2", body: "o" });
    const res = await call.result;
    assert.equal(res.status, 200);
    assert.deepEqual(
      call.attempts.map((a) => a.outcome),
      ["connect-failed", "503", "timeout", "200"],
    );
    assert.equal(good.calls.length, 1);
    await call.hangup();
  } finally {
    await gw.close();
    await silent.stop();
    for (const m of [overloaded, good]) {
      await m.ep.close();
      await m.l.stop();
    }
  }
});

test("every member failing is ERR_SIP_NO_MEMBER", async () => {
  const gw = gateway([await deadPort(), await deadPort()]);
  try {
    const call = gw.invite({ to: "+1", from: "+2", body: "o" });
    await assert.rejects(call.result, (e: unknown) => e instanceof SipError && e.code === "ERR_SIP_NO_MEMBER");
  } finally {
    await gw.close();
  }
});

test("CANCEL from the caller after 180: 487, ERR_SIP_CANCELLED; a cancel before any provisional waits for one", async () => {
  const ms = await member("ms", (c) => c.progress(180));
  const gw = gateway([ms.l.port]);
  try {
    const call = gw.invite({ to: "+1", from: "+2", body: "o" });
    await new Promise((r) => call.once("progress", r));
    const calleeEnded = new Promise((r) => ms.calls[0]!.once("ended", r));
    call.cancel();
    await assert.rejects(call.result, (e: unknown) => e instanceof SipError && e.code === "ERR_SIP_CANCELLED" && e.status === 487);
    assert.deepEqual(await calleeEnded, { reason: "cancel", by: "remote", status: 487 });
    // immediately cancelled: 100 Trying comes at once, so the CANCEL follows it
    const call2 = gw.invite({ to: "+1", from: "+2", body: "o" });
    call2.cancel();
    await assert.rejects(call2.result, (e: unknown) => e instanceof SipError && e.code === "ERR_SIP_CANCELLED");
  } finally {
    await gw.close();
    await ms.ep.close();
    await ms.l.stop();
  }
});

test("glare back-off windows (RFC 3261 §14.1): the Call-ID's owner waits longer, and the windows never overlap", () => {
  const d = resolveTimers();
  assert.deepEqual(d.glareRetry, [2100, 4000]);
  assert.deepEqual(d.glareRetryNonOwner, [0, 2000]);
  assert.deepEqual(resolveTimers({ glareRetry: [300, 500] }).glareRetryNonOwner, [0, 200], "derived from a shortened owner window");
  assert.deepEqual(resolveTimers({ glareRetry: [50, 80] }).glareRetryNonOwner, [0, 0]);
  assert.deepEqual(resolveTimers({ glareRetry: [300, 500], glareRetryNonOwner: [0, 40] }).glareRetryNonOwner, [0, 40], "given explicitly");
});

test("re-INVITE both ways, 488 keeps the call, glare gets 491 and a retry", async () => {
  const ms = await member("ms", answer);
  const gw = gateway([ms.l.port]);
  try {
    const call = gw.invite({ to: "+1", from: "+2", body: "o1" });
    await call.result;
    const inc = ms.calls[0]!;
    await until(() => inc.state === "confirmed");
    const seen: string[] = [];
    inc.onReinvite = async (req) => {
      seen.push(req.bodyText());
      if (req.bodyText() === "bad") return { status: 488 };
      await sleep(30);
      return { body: `answer-to-${req.bodyText()}` };
    };
    call.onReinvite = (req) => ({ body: `gw-answer-to-${req.bodyText()}` });
    const r1 = await call.reinvite("o2");
    assert.equal(r1.bodyText(), "answer-to-o2");
    await assert.rejects(call.reinvite("bad"), (e: unknown) => e instanceof SipError && e.status === 488);
    assert.equal(call.state, "confirmed");
    const r2 = await inc.reinvite("from-ms");
    assert.equal(r2.bodyText(), "gw-answer-to-from-ms");
    // glare: both re-INVITE at once; at least one sees 491 and retries, both end up answered
    const [a, b] = await Promise.all([call.reinvite("g1"), inc.reinvite("g2")]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.deepEqual(seen, ["o2", "bad", "g1"]);
    await call.hangup();
    await until(() => inc.state === "terminated");
  } finally {
    await gw.close();
    await ms.ep.close();
    await ms.l.stop();
  }
});

test("health: OPTIONS marks a stopped member down after N failures and up again when it returns; new calls go to the next member", async () => {
  const m1 = await member("m1", answer);
  const m2 = await member("m2", answer);
  const port1 = m1.l.port;
  const gw = gateway([port1, m2.l.port], { health: { intervalMs: 60, failuresToDown: 2, timeoutMs: 200 } });
  const events: string[] = [];
  gw.on("memberDown", (m) => events.push(`down ${m.port === port1 ? "m1" : "m2"}`));
  gw.on("memberUp", (m) => events.push(`up ${m.port === port1 ? "m1" : "m2"}`));
  let m1b: Member | undefined;
  try {
    await gw.start();
    const c1 = gw.invite({ to: "+1", from: "+2", body: "o" });
    await c1.result;
    assert.equal(m1.calls.length, 1, "the first member takes calls while up");
    await c1.hangup();
    await until(() => gw.memberStatus().every((s) => s.probes >= 1), 2000, "probes");
    // m1 goes away mid-run
    await m1.ep.close();
    await m1.l.stop();
    await until(() => events.includes("down m1"), 3000, "m1 down");
    assert.equal(gw.memberStatus()[0]!.up, false);
    assert.equal(gw.memberStatus()[1]!.up, true);
    const c2 = gw.invite({ to: "+1", from: "+2", body: "o" });
    await c2.result;
    assert.equal(c2.attempts[0]!.member.port, m2.l.port, "a down member is not tried first");
    assert.equal(m2.calls.length, 1);
    await c2.hangup();
    // m1 comes back on the same port
    m1b = await member("m1", answer, port1);
    await until(() => events.includes("up m1"), 3000, "m1 up");
    assert.deepEqual(events, ["down m1", "up m1"]);
    const c3 = gw.invite({ to: "+1", from: "+2", body: "o" });
    await c3.result;
    assert.equal(m1b.calls.length, 1, "back in first place");
    await c3.hangup();
    assert.ok(m2.ep.counters.optionsAnswered >= 2);
  } finally {
    await gw.close();
    for (const m of [m2, ...(m1b ? [m1b] : [])]) {
      await m.ep.close();
      await m.l.stop();
    }
  }
});

test("the pool FQDN resolves to several members through an injected resolver (the sim board's hosts map)", async () => {
  const m = await member("m", answer);
  const hosts: Record<string, string[]> = { "pool.example.com": ["127.0.0.2", "127.0.0.1"] };
  const gw = new SipEndpoint({
    local: { host: "gw.example.com", port: 5067, transport: "TCP" },
    pool: { fqdn: "pool.example.com", port: m.l.port, resolve: async (f) => hosts[f] ?? [] },
    connect: (x) => (x.host === "127.0.0.2" ? Promise.reject(new Error("unreachable")) : connectTcp(x)),
    timers: TIMERS,
    health: false,
  });
  try {
    await gw.start();
    assert.deepEqual(
      gw.memberStatus().map((s) => s.host),
      ["127.0.0.2", "127.0.0.1"],
    );
    const call = gw.invite({ to: "+1", from: "+2", body: "o" });
    await call.result;
    assert.deepEqual(
      call.attempts.map((a) => `${a.member.host} ${a.outcome}`),
      ["127.0.0.2 connect-failed", "127.0.0.1 200"],
    );
    await call.hangup();
  } finally {
    await gw.close();
    await m.ep.close();
    await m.l.stop();
  }
});

test("keep-alive: an outbound connection whose peer never pongs is closed", async () => {
  const silent = await listen(() => undefined);
  const gw = gateway([silent.port], { keepAlive: { intervalMs: 50, pongTimeoutMs: 100 } });
  try {
    const conn = await gw.connectionTo({ host: "127.0.0.1", port: silent.port });
    const closed = new Promise<SipError | undefined>((r) => conn.once("close", r));
    const err = await closed;
    assert.equal(err?.code, "ERR_SIP_TIMEOUT");
  } finally {
    await gw.close();
    await silent.stop();
  }
});
