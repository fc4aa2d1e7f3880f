// Functional calls between the gateway side (SipEndpoint + GatewayCall: SdpNegotiator + MediaSession)
// and the Mediation Server simulator (MediationPeer: its own Skype-style SDP, its own media keys),
// over loopback TCP and UDP. The gateway side's SRTP is the WebAssembly core (each shipped build in
// turn, through host/gateway/srtp-provider.ts); the simulator's is node-srtp, so every call below
// cross-checks the core against an independent implementation on node:crypto.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type net from "node:net";
import { SipEndpoint, type SipEndpointOptions } from "../../../host/sip/endpoint.js";
import { SipError } from "../../../host/sip/errors.js";
import { GatewayCall, type GatewayCallOptions } from "../../../host/media/gateway-call.js";
import { SimPstnPort } from "../../../host/media/pstn.js";
import { MediationPeer, type MediationPeerOptions, type PeerCall } from "../../../host/sim/mediation/peer.js";
import { nodeSrtp } from "../../../host/sim/mediation/node-srtp.js";
import type { SrtpProvider } from "../../../host/media/srtp-provider.js";
import { SdpNegotiator, type SrtpMode } from "../../../host/sdp/negotiator.js";
import { connectTcp, listen, RawClient, rawRequest, sleep, until, type Listener } from "../sip/helpers.js";
import { NoiseSource, assertAudio } from "./helpers.js";
import { CoreSrtpProvider } from "../../../host/gateway/srtp-provider.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";

const TIMERS = { t1: 40, t2: 160, glareRetry: [100, 150] as [number, number], glareRetryNonOwner: [0, 40] as [number, number] };
/** The gateway side's SRTP: the core (set per variant by each suite below). */
let GATEWAY_SRTP: SrtpProvider = nodeSrtp;
const RTCP_MS = 250;
let seed = 1;

interface Rig {
  gw: SipEndpoint;
  gwListener: Listener;
  peer: MediationPeer;
  peerListener: Listener;
  gwCalls: GatewayCall[];
  gwRefused: unknown[];
  gwOpts: () => GatewayCallOptions;
  close(): Promise<void>;
}

async function rig(o: { srtpMode?: SrtpMode; sdp?: GatewayCallOptions["sdp"]; peer?: MediationPeerOptions; gwEndpoint?: Partial<SipEndpointOptions>; answerDelayMs?: number } = {}): Promise<Rig> {
  const gwCalls: GatewayCall[] = [];
  const gwRefused: unknown[] = [];
  const gwOpts = (): GatewayCallOptions => ({
    srtp: GATEWAY_SRTP,
    pstn: new SimPstnPort(new NoiseSource(seed++)),
    ...(o.srtpMode ? { srtpMode: o.srtpMode } : {}),
    ...(o.sdp ? { sdp: o.sdp } : {}),
    bindAddress: "127.0.0.1",
    advertiseAddress: "127.0.0.1",
    media: { rtcpIntervalMs: RTCP_MS, rekeyGraceMs: 2000 },
    ...(o.answerDelayMs ? { answerDelayMs: o.answerDelayMs } : {}),
  });
  let gw!: SipEndpoint;
  const gwListener = await listen((s: net.Socket) => gw.accept(s));
  const peer = new MediationPeer({
    timers: TIMERS,
    rtcpIntervalMs: RTCP_MS,
    sendStun: true,
    source: () => new NoiseSource(seed++),
    gateway: { host: "127.0.0.1", port: gwListener.port },
    connect: connectTcp,
    ...o.peer,
  });
  const peerListener = await listen((s: net.Socket) => peer.endpoint.accept(s));
  gw = new SipEndpoint({
    local: { host: "gw.example.com", port: gwListener.port, transport: "TCP" },
    pool: { fqdn: "pool.example.com", members: [{ host: "127.0.0.1", port: peerListener.port }] },
    connect: connectTcp,
    timers: TIMERS,
    health: false,
    ...o.gwEndpoint,
  });
  gw.on("invite", (inc) => {
    GatewayCall.answer(inc, gwOpts()).then(
      (c) => gwCalls.push(c),
      (e) => gwRefused.push(e),
    );
  });
  return {
    gw,
    gwListener,
    peer,
    peerListener,
    gwCalls,
    gwRefused,
    gwOpts,
    async close() {
      await Promise.all(gwCalls.map((c) => c.media.close()));
      await gw.close();
      await peer.close();
      await gwListener.stop();
      await peerListener.stop();
    },
  };
}

function gwPstn(c: GatewayCall): SimPstnPort {
  return (c.media as unknown as { opts: { pstn: SimPstnPort } }).opts.pstn;
}

interface Outcome {
  label: string;
  encrypted: boolean;
  gwRxForm: string;
  peerRxForm: string;
}

/** Runs ~`ms` of media, hangs up, and checks audio both ways, SRTCP, STUN handling, counters. */
async function exercise(label: string, gwCall: GatewayCall, peerCall: PeerCall, ms = 900): Promise<Outcome> {
  await sleep(ms);
  // On a loaded machine timers run late: wait (up to 5 s more) for enough media and reports.
  const enough = (x: { rtcpReceived: number; rtcpSent: number; rtpReceived: number }) => x.rtcpReceived >= 2 && x.rtcpSent >= 2 && x.rtpReceived >= 25;
  await until(() => enough(gwCall.media.stats) && enough(peerCall.media.stats), 5000, `${label}: media and RTCP both ways`);
  const encrypted = !!gwCall.media.negotiated?.srtp;
  const out = { label, encrypted, gwRxForm: gwCall.media.lastRxForm, peerRxForm: peerCall.media.lastRxForm };
  const gs = gwCall.stats();
  const ps = peerCall.media.snapshot();
  await gwCall.hangup();
  await until(() => peerCall.sip.ended, 2000, `${label}: BYE reached the peer`);
  // Loss allowed: frames a sender skipped because its timer stalled (a loaded test machine), plus 3.
  assertAudio(peerCall.pstn.sent, gwPstn(gwCall).received, `${label}: peer → gateway`, peerCall.media.stats.framesSkipped + 3);
  assertAudio(gwPstn(gwCall).sent, peerCall.pstn.received, `${label}: gateway → peer`, gwCall.media.stats.framesSkipped + 3);
  for (const [who, s] of [
    ["gateway", gs],
    ["peer", ps],
  ] as const) {
    assert.equal(s.authFailures, 0, `${label}: ${who} auth failures`);
    assert.equal(s.replays, 0, `${label}: ${who} replays`);
    assert.equal(s.mkiUnknown, 0, `${label}: ${who} unknown MKI`);
    assert.equal(s.rtcpAuthFailures, 0, `${label}: ${who} SRTCP failures`);
    assert.ok(s.rtcpReceived >= 2, `${label}: ${who} received ${s.rtcpReceived} RTCP reports`);
    assert.ok(s.rtcpSent >= 2, `${label}: ${who} sent ${s.rtcpSent} RTCP reports`);
    assert.ok(s.rtpSent >= 10 && s.rtpSent + s.framesSkipped >= 30, `${label}: ${who} sent ${s.rtpSent} RTP packets (${s.framesSkipped} skipped)`);
  }
  assert.ok(gs.stunDropped >= 1, `${label}: the peer's STUN was dropped by the demux (${gs.stunDropped})`);
  assert.ok(gs.rttMs !== undefined && gs.rttMs < 1000, `${label}: RTT from RTCP (${gs.rttMs})`);
  return out;
}

for (const variant of VARIANTS) {
describe(`gateway SRTP on the core (${variant}), Mediation simulator on node-srtp`, () => {
  before(async () => {
    GATEWAY_SRTP = new CoreSrtpProvider(await shippedCore(variant));
    assert.equal(GATEWAY_SRTP.name, `core-${variant}`);
  });

  test("calls both ways, MKI on and off, each srtpMode, optional-SRTP offers: audio equal both ways, SRTCP flowing", async () => {
    type S = { label: string; dir: "gw→peer" | "peer→gw"; srtpMode?: SrtpMode; sdp?: GatewayCallOptions["sdp"]; peer?: MediationPeerOptions; expect: { encrypted: boolean; gwRx?: string; peerRx?: string } };
    const scenarios: S[] = [
      { label: "A gw→peer required, MKI", dir: "gw→peer", expect: { encrypted: true, gwRx: "mki:01", peerRx: "mki:01" } },
      { label: "B gw→peer required, no MKI offered", dir: "gw→peer", sdp: { offerMki: "without" }, expect: { encrypted: true, gwRx: "no-mki", peerRx: "no-mki" } },
      { label: "C gw→peer, answer lists the key twice", dir: "gw→peer", peer: { answer: { bothForms: true } }, expect: { encrypted: true, gwRx: "mki:01", peerRx: "mki:01" } },
      { label: "D peer→gw required, MKI line first", dir: "peer→gw", peer: { crypto: "both" }, expect: { encrypted: true, gwRx: "mki:01", peerRx: "mki:01" } },
      { label: "E peer→gw, no-MKI line first", dir: "peer→gw", peer: { crypto: "both-nomki-first" }, expect: { encrypted: true, gwRx: "no-mki", peerRx: "no-mki" } },
      { label: "F peer→gw optional SRTP (RTP/AVP + crypto), gw required", dir: "peer→gw", peer: { protocol: "RTP/AVP" }, expect: { encrypted: true } },
      { label: "G peer→gw RTP/AVP + crypto, gw notSupported", dir: "peer→gw", srtpMode: "notSupported", peer: { protocol: "RTP/AVP" }, expect: { encrypted: false } },
      { label: "H gw→peer optional", dir: "gw→peer", srtpMode: "optional", expect: { encrypted: true, gwRx: "mki:01" } },
      { label: "I gw→peer notSupported, peer accepts plain", dir: "gw→peer", srtpMode: "notSupported", peer: { answer: { acceptPlain: true } }, expect: { encrypted: false } },
      { label: "K peer→gw plain RTP, gw optional", dir: "peer→gw", srtpMode: "optional", peer: { protocol: "RTP/AVP", crypto: "none" }, expect: { encrypted: false } },
    ];
    const rigs: Rig[] = [];
    try {
      const results = await Promise.all(
        scenarios.map(async (s) => {
          const r = await rig({ ...(s.srtpMode ? { srtpMode: s.srtpMode } : {}), ...(s.sdp ? { sdp: s.sdp } : {}), ...(s.peer ? { peer: s.peer } : {}) });
          rigs.push(r);
          let gwCall: GatewayCall;
          let peerCall: PeerCall;
          if (s.dir === "gw→peer") {
            gwCall = await GatewayCall.place(r.gw, { to: "+14255550100", from: "+12065550100" }, r.gwOpts());
            await until(() => r.peer.calls.length === 1, 2000, `${s.label}: peer call`);
            peerCall = r.peer.calls[0]!;
          } else {
            peerCall = await r.peer.call("+12065550100", "+14255550100");
            await until(() => r.gwCalls.length === 1, 2000, `${s.label}: gateway call`);
            gwCall = r.gwCalls[0]!;
          }
          return { s, out: await exercise(s.label, gwCall, peerCall) };
        }),
      );
      for (const { s, out } of results) {
        assert.equal(out.encrypted, s.expect.encrypted, `${s.label}: encrypted`);
        if (s.expect.gwRx) assert.equal(out.gwRxForm, s.expect.gwRx, `${s.label}: form the gateway received`);
        if (s.expect.peerRx) assert.equal(out.peerRxForm, s.expect.peerRx, `${s.label}: form the peer received`);
        if (!s.expect.encrypted) assert.equal(out.gwRxForm, "", `${s.label}: plain RTP has no SRTP form`);
      }
    } finally {
      await Promise.all(rigs.map((r) => r.close()));
    }
  });

  test("srtpMode required refuses plain RTP with 488 (both directions)", async () => {
    const r = await rig({ peer: { protocol: "RTP/AVP", crypto: "none", answer: { acceptPlain: false } } });
    try {
      await assert.rejects(r.peer.call("+1", "+2"), (e: unknown) => e instanceof SipError && e.status === 488);
      await until(() => r.gwRefused.length === 1);
      assert.equal((r.gwRefused[0] as { code?: string }).code, "ERR_SDP_NOT_ACCEPTABLE");
    } finally {
      await r.close();
    }
    const n = await rig({ srtpMode: "notSupported" });
    try {
      // the peer insists on SRTP: the gateway's plain offer is refused 488 by the peer
      await assert.rejects(GatewayCall.place(n.gw, { to: "+1", from: "+2" }, n.gwOpts()), (e: unknown) => e instanceof SipError && e.status === 488);
    } finally {
      await n.close();
    }
  });

  test("re-key by re-INVITE both ways (new key; then only a new MKI) without dropping audio", async () => {
    const r = await rig();
    try {
      const peerCall = await r.peer.call("+1", "+2");
      await until(() => r.gwCalls.length === 1);
      const gwCall = r.gwCalls[0]!;
      await sleep(300);
      const before = gwCall.negotiator.current!.srtp!.tx;
      const m1 = await gwCall.rekey();
      assert.notEqual(Buffer.from(m1.srtp!.tx.masterKey).toString("hex"), Buffer.from(before.masterKey).toString("hex"));
      assert.deepEqual([...m1.srtp!.tx.mki!], [2], "our MKI moved to 2");
      await sleep(300);
      await peerCall.rekey();
      await sleep(300);
      await peerCall.rekey({ mkiOnly: true });
      await sleep(300);
      assert.equal(gwCall.media.lastRxForm, "mki:03", "the peer's third MKI is in use");
      assert.ok(gwCall.stats().rekeys >= 1);
      const gs = gwCall.stats();
      const ps = peerCall.media.snapshot();
      await gwCall.hangup();
      await until(() => peerCall.sip.ended);
      // Re-keying loses nothing: only frames a sender skipped under load may be missing.
      assertAudio(peerCall.pstn.sent, gwPstn(gwCall).received, "peer → gateway across re-keys", peerCall.media.stats.framesSkipped + 2);
      assertAudio(gwPstn(gwCall).sent, peerCall.pstn.received, "gateway → peer across re-keys", gwCall.media.stats.framesSkipped + 2);
      assert.equal(gs.authFailures + ps.authFailures, 0);
      assert.equal(gs.replays + ps.replays, 0);
    } finally {
      await r.close();
    }
  });

  test("early media both ways: audio flows on the 183 before the 200", async () => {
    const r = await rig({ peer: { answer: { earlyMedia: true, delayMs: 500 } }, answerDelayMs: 500 });
    try {
      // gateway calls, the peer answers 183 + SDP, 200 half a second later
      const gwCall = await GatewayCall.place(r.gw, { to: "+1", from: "+2" }, r.gwOpts()); // resolves at the 200
      const atEstablished = gwPstn(gwCall).received.length;
      assert.ok(atEstablished >= 10, `the gateway received ${atEstablished} early frames before the 200`);
      await gwCall.hangup();
      // the peer calls, the gateway answers 183 + SDP and 200 later
      const peerCall = await r.peer.call("+1", "+2");
      const early = peerCall.pstn.received.length;
      assert.ok(early >= 10, `the peer received ${early} early frames before the 200`);
      await peerCall.hangup();
    } finally {
      await r.close();
    }
  });

  test("DTMF (RFC 4733) both ways, inside SRTP", async () => {
    const r = await rig();
    try {
      const gwCall = await GatewayCall.place(r.gw, { to: "+1", from: "+2" }, r.gwOpts());
      await until(() => r.peer.calls.length === 1);
      const peerCall = r.peer.calls[0]!;
      assert.ok(gwCall.sendDtmf("5", 100));
      assert.ok(gwCall.sendDtmf("#", 60));
      peerCall.media.sendDtmf("9", 80);
      await until(() => peerCall.pstn.digits.length === 2 && gwPstn(gwCall).digits.length === 1 && gwCall.stats().dtmfSent === 2, 3000, "digits");
      assert.deepEqual(
        peerCall.pstn.digits.map((d) => [d.digit, d.durationMs]),
        [
          ["5", 100],
          ["#", 60],
        ],
      );
      assert.deepEqual(
        gwPstn(gwCall).digits.map((d) => [d.digit, d.durationMs]),
        [["9", 80]],
      );
      assert.equal(gwCall.stats().dtmfSent, 2);
      assert.equal(gwCall.stats().dtmfReceived, 1);
      await gwCall.hangup();
    } finally {
      await r.close();
    }
  });

  test("hold and resume by re-INVITE", async () => {
    const r = await rig();
    try {
      const gwCall = await GatewayCall.place(r.gw, { to: "+1", from: "+2" }, r.gwOpts());
      await until(() => r.peer.calls.length === 1);
      const peerCall = r.peer.calls[0]!;
      await sleep(200);
      const m = await gwCall.hold();
      assert.equal(m.direction, "sendonly");
      await sleep(100);
      const held = gwPstn(gwCall).received.length;
      await sleep(300);
      assert.ok(gwPstn(gwCall).received.length - held <= 1, "the peer stops sending while we hold");
      const sentToPeer = peerCall.pstn.received.length;
      await sleep(200);
      assert.ok(peerCall.pstn.received.length > sentToPeer, "we keep sending (music on hold)");
      await gwCall.resume();
      await sleep(300);
      assert.ok(gwPstn(gwCall).received.length - held >= 8, "audio is back after resume");
      assert.ok(gwCall.stats().rtcpReceived >= 2, "RTCP continued through the hold");
      await gwCall.hangup();
    } finally {
      await r.close();
    }
  });

  test("hostile SDP and SIP: proper error responses, no crash, the running call is unaffected", async () => {
    const r = await rig();
    try {
      const peerCall = await r.peer.call("+1", "+2");
      await until(() => r.gwCalls.length === 1);
      const gwCall = r.gwCalls[0]!;
      const k30 = Buffer.alloc(30, 7).toString("base64");
      const sdp = (crypto: string) =>
        ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 40000 RTP/SAVP 0", crypto, "a=rtpmap:0 PCMU/8000", ""].join("\r\n");
      const bad: [string, string][] = [
        ["invalid base64", `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${"%".repeat(40)}|2^31|1:1`],
        ["wrong key length", `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.alloc(16).toString("base64")}|2^31`],
        ["unknown suites only", `a=crypto:1 SEED_128_CTR_HMAC_SHA1_80 inline:${k30}|2^31`],
        ["MKI longer than allowed", `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${k30}|2^31|1:8`],
      ];
      const raw = await RawClient.connect(r.gwListener.port);
      const codes = ["ERR_SDP_BASE64", "ERR_SDP_KEY_LENGTH", "ERR_SDP_NO_SUITE", "ERR_SDP_MKI"];
      for (const [i, [what, line]] of bad.entries()) {
        raw.send(rawRequest({ method: "INVITE", callId: `bad-${what.replace(/\s/g, "-")}`, body: sdp(line) }));
        const res = await raw.waitFor(new RegExp(`^SIP/2.0 488[\\s\\S]*Call-ID: bad-${what.replace(/\s/g, "-")}`), 2000);
        assert.match(res, new RegExp(`\\r\\nWarning: 399 gw\\.example\\.com "${codes[i]}: `), what);
      }
      raw.send(rawRequest({ method: "INVITE", callId: "junk-sdp", body: "\u0001\u0002 not sdp at all" }));
      await raw.waitFor(/^SIP\/2.0 400[\s\S]*Call-ID: junk-sdp/);
      // framing attacks on their own connections
      for (const junk of [Buffer.from([0x16, 0x03, 0x03, 0x00, 0x10]), Buffer.from(rawRequest({ method: "INVITE", extra: [`X: ${"y".repeat(40000)}`] }))]) {
        const j = await RawClient.connect(r.gwListener.port);
        j.send(junk);
        await j.waitClosed();
      }
      raw.close();
      const before = gwPstn(gwCall).received.length;
      await sleep(300);
      assert.ok(gwPstn(gwCall).received.length - before >= 10, "audio kept flowing");
      assert.equal(gwCall.sip.state, "confirmed");
      assert.equal(gwCall.stats().authFailures, 0);
      assert.ok(r.gwRefused.length >= 5, `${r.gwRefused.length} INVITEs refused`);
      await gwCall.hangup();
      await until(() => peerCall.sip.ended);
    } finally {
      await r.close();
    }
  });

  test("forged SRTP/SRTCP and junk at the media port are counted and dropped; audio continues", async () => {
    const r = await rig();
    try {
      const gwCall = await GatewayCall.place(r.gw, { to: "+1", from: "+2" }, r.gwOpts());
      await until(() => r.peer.calls.length === 1);
      const dgram = await import("node:dgram");
      const sock = dgram.createSocket("udp4");
      const port = gwCall.media.localRtpPort;
      // junk RTP-looking packets and RTCP-looking packets with no valid tag
      // 20 RTP-looking and 20 RTCP-looking packets; half carry the right MKI (1) so they reach the tag check
      for (let i = 0; i < 40; i++) {
        const p = Buffer.alloc(60, i);
        p[0] = 0x80;
        p[1] = i % 2 ? 0 : 200;
        if (i % 4 < 2) p[60 - 11] = 1;
        sock.send(p, port, "127.0.0.1");
      }
      sock.send(Buffer.from([0x17, 0xfe, 0xfd, 0, 0]), port, "127.0.0.1"); // DTLS-looking
      await sleep(300);
      sock.close();
      const s = gwCall.stats();
      assert.ok(s.authFailures >= 10, `auth failures ${s.authFailures}`);
      assert.ok(s.rtcpAuthFailures >= 10, `SRTCP auth failures ${s.rtcpAuthFailures}`);
      assert.ok(s.mkiUnknown >= 20, `unknown MKI ${s.mkiUnknown}`);
      assert.ok(s.otherDropped >= 1);
      const before = gwPstn(gwCall).received.length;
      await sleep(200);
      assert.ok(gwPstn(gwCall).received.length > before);
      await gwCall.hangup();
    } finally {
      await r.close();
    }
  });

  test("failover with two pool members: a member stops mid-run, new calls go to the next, OPTIONS marks it down and up again", async () => {
    const mk = async (port = 0) => {
      const peer = new MediationPeer({ timers: TIMERS, rtcpIntervalMs: RTCP_MS, source: () => new NoiseSource(seed++) });
      const l = await listen((s: net.Socket) => peer.endpoint.accept(s), port);
      return { peer, l };
    };
    const m1 = await mk();
    const m2 = await mk();
    const port1 = m1.l.port;
    const gw = new SipEndpoint({
      local: { host: "gw.example.com", port: 5067, transport: "TCP" },
      pool: { fqdn: "pool.example.com", members: [{ host: "127.0.0.1", port: port1 }, { host: "127.0.0.1", port: m2.l.port }] },
      connect: connectTcp,
      timers: TIMERS,
      health: { intervalMs: 100, failuresToDown: 2, timeoutMs: 300 },
    });
    const opts = (): GatewayCallOptions => ({ srtp: GATEWAY_SRTP, pstn: new SimPstnPort(new NoiseSource(seed++)), bindAddress: "127.0.0.1", advertiseAddress: "127.0.0.1", media: { rtcpIntervalMs: RTCP_MS } });
    const events: string[] = [];
    gw.on("memberDown", (m) => events.push(`down ${m.port === port1 ? 1 : 2}`));
    gw.on("memberUp", (m) => events.push(`up ${m.port === port1 ? 1 : 2}`));
    let m1b: Awaited<ReturnType<typeof mk>> | undefined;
    try {
      await gw.start();
      const c1 = await GatewayCall.place(gw, { to: "+1", from: "+2" }, opts());
      assert.equal(m1.peer.calls.length, 1);
      // member 1 stops mid-call
      await m1.peer.close();
      await m1.l.stop();
      await until(() => events.includes("down 1"), 3000, "member 1 down");
      await c1.media.close();
      const c2 = await GatewayCall.place(gw, { to: "+1", from: "+2" }, opts());
      assert.equal(m2.peer.calls.length, 1, "the next member took the new call");
      await sleep(400);
      assert.ok(gwPstn(c2).received.length >= 10);
      await c2.hangup();
      m1b = await mk(port1);
      await until(() => events.includes("up 1"), 3000, "member 1 up");
      const c3 = await GatewayCall.place(gw, { to: "+1", from: "+2" }, opts());
      assert.equal(m1b.peer.calls.length, 1, "member 1 is first again");
      await c3.hangup();
      assert.deepEqual(events, ["down 1", "up 1"]);
    } finally {
      await gw.close();
      for (const m of [m2, ...(m1b ? [m1b] : [])]) {
        await m.peer.close();
        await m.l.stop();
      }
    }
  });

  test("INVITE and re-INVITE without SDP: our offer goes in the 200, the answer comes in the ACK", async () => {
    const r = await rig();
    try {
      const far = new SdpNegotiator({ local: { address: "127.0.0.1", rtpPort: 40000 } });
      const call = r.peer.endpoint.invite({ to: "+1", from: "+2", ackBody: (res) => far.createAnswer(res.bodyText()).sdp });
      const ok = await call.result;
      assert.match(ok.bodyText(), /a=crypto:1 AES_CM_128_HMAC_SHA1_80/);
      await until(() => r.gwCalls.length === 1, 2000, "the gateway's call");
      const m = r.gwCalls[0]!.media.negotiated!;
      assert.ok(m.srtp);
      assert.equal(m.remoteRtpPort, 40000);
      const far2 = new SdpNegotiator({ local: { address: "127.0.0.1", rtpPort: 40100 } });
      await call.reinvite(undefined, { ackBody: (res) => far2.createAnswer(res.bodyText()).sdp });
      await until(() => r.gwCalls[0]!.media.negotiated!.remoteRtpPort === 40100, 2000, "the answer from the ACK applied");
      await call.hangup();
      await until(() => r.gwCalls[0]!.sip.ended);
    } finally {
      await r.close();
    }
  });
});
}
