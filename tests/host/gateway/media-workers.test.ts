// The gateway's media in worker_threads (board core.mediaWorkers = 2) against the simulator's
// Mediation pool (Node's TLS, node-srtp: an independent SRTP):
// - a call each way lands on a different worker; SRTP media flows both ways and the audio each side
//   received is exactly what the other sent (CheckedPstnPort: the gateway's port lives in the worker,
//   its tables come back at close); statistics reach the main thread (pushed every 250 ms); DTMF both
//   ways; a re-key from each side keeps the media authenticated; the packet tap sees the datagrams;
//   hang-up frees the worker's call and its sockets (the port binds again);
// - a worker that dies (terminate()) ends its call with outcome "failed" / ERR_MEDIA_WORKER and a
//   BYE to the pool, the other worker's call carries on, a new worker takes the dead one's place and
//   carries new calls; a port pair another process holds is skipped (EADDRINUSE from the worker's
//   bind reaches the port allocator);
// - the gateway's media watchdog reads the pushed statistics: a silent peer ends the call "media-timeout".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { once } from "node:events";
import { join } from "node:path";
import { prepareSimState, type SimState } from "../../../host/sim/state.js";
import { MediationPool } from "../../../host/sim/mediation/pool.js";
import type { PeerCall } from "../../../host/sim/mediation/peer.js";
import { simConfigDocument } from "../../../host/sim/simulator.js";
import { CheckedPstnPort } from "../../../host/sim/audio-check.js";
import { ToneSource } from "../../../host/media/pstn.js";
import { loadBoard, type Board } from "../../../host/boards/board.js";
import { resolveConfig, validateConfigDocument } from "../../../host/gateway/config.js";
import { Gateway, type GatewayCallRecord, type GatewayOptions } from "../../../host/gateway/gateway.js";
import { Logger } from "../../../host/gateway/log.js";
import { RemoteMediaSession } from "../../../host/media/workers/remote-session.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const dir = tmpDir("gwmworkers");
let state: SimState;
let pool: MediationPool;
const peerCalls: PeerCall[] = [];

before(async () => {
  state = await prepareSimState(join(dir, "state"), { keyType: "p256" });
  pool = new MediationPool({
    names: { pool: state.names.pool, members: state.names.members },
    tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem },
    optionsIntervalMs: 0,
    rtcpIntervalMs: 300,
    source: () => new ToneSource(440),
    pstn: (source) => new CheckedPstnPort(source),
  });
  await pool.listen();
  pool.on("call", (_m, c) => peerCalls.push(c));
});

after(async () => {
  await pool?.close();
  rmTmp(dir);
});

function workersBoard(n: number): Board {
  const b = loadBoard("sim");
  return { ...b, core: { ...b.core, mediaWorkers: n } };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startGateway(board: Board, media: Record<string, unknown>, extra: Partial<GatewayOptions> = {}): Promise<{ gw: Gateway; events: Record<string, unknown>[] }> {
  const doc = simConfigDocument(state, { members: pool.members.map((m) => ({ fqdn: m.fqdn, port: m.port })) }, {}, board);
  const config = resolveConfig(board, validateConfigDocument({ ...doc, media: { address: "127.0.0.1", rtcpIntervalMs: 300, ...media } }), state.dir);
  const events: Record<string, unknown>[] = [];
  const logger = new Logger({ format: "json", level: "debug", write: (l) => events.push(JSON.parse(l) as Record<string, unknown>) });
  const gw = await Gateway.start({ board, config, logger, rtcpIntervalMs: 300, mediaTimeoutMs: 10_000, pstn: () => new CheckedPstnPort(new ToneSource(1004)), ...extra });
  pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
  await until(() => gw.links().some((l) => l.direction === "outbound" && l.state === "up"), 10_000, "an outbound link");
  return { gw, events };
}

function remote(r: GatewayCallRecord): RemoteMediaSession {
  const m = r.call?.media;
  assert.ok(m instanceof RemoteMediaSession, "the call's media is a worker session");
  return m;
}

/** The pool's side of a gateway call (matched by the gateway's RTP port in the peer's negotiated media). */
function peerOf(r: GatewayCallRecord): PeerCall {
  const port = r.call!.media.localRtpPort;
  const p = peerCalls.find((c) => c.media.negotiated?.remoteRtpPort === port && !c.sip.ended);
  assert.ok(p, `the pool's call for ${r.id}`);
  return p;
}

test("mediaWorkers 2: a call each way on its own worker, SRTP both ways, stats, DTMF, re-keys, tap, hang-up frees the worker's sockets", async () => {
  const taps = { tx: 0, rx: 0, rxPlain: 0 };
  const { gw, events } = await startGateway(workersBoard(2), { portMin: 47400, portMax: 47499 }, {
    tap: (p) => {
      taps[p.direction]++;
      if (p.direction === "rx" && p.plain) taps.rxPlain++;
    },
  });
  try {
    assert.equal(gw.mediaWorkers?.size, 2);
    assert.ok(events.some((e) => e.event === "media.workers" && e.workers === 2));
    const records: GatewayCallRecord[] = [];
    gw.on("call", (r) => records.push(r));
    const out = await gw.place("+14255550100", "+12065550100");
    assert.equal(out.outcome, "active", JSON.stringify(out.error));
    await pool.call(0, "+12065550101", "+14255550101");
    await until(() => records.length === 2, 5000, "the inbound call answered");
    const inb = records.find((r) => r.direction === "inbound")!;
    const calls = [out, inb];
    assert.deepEqual(calls.map((r) => remote(r).worker).sort(), [0, 1], "one call per worker (fewest calls first)");
    assert.deepEqual(gw.mediaWorkers!.callsPerWorker(), [1, 1]);
    for (const r of calls) {
      assert.ok(r.call!.media.localRtpPort >= 47400 && r.call!.media.localRtpPort <= 47499, "the worker bound the pair the gateway chose");
      assert.equal(r.call!.media.localRtcpPort, r.call!.media.localRtpPort + 1);
    }
    const up = events.filter((e) => e.event === "call.up");
    assert.deepEqual(up.map((e) => e.mediaWorker).sort(), [0, 1]);

    // Media both ways; the statistics on the main thread are the worker's, pushed every 250 ms.
    await until(() => calls.every((r) => r.call!.stats().rtpReceived >= 25 && r.call!.stats().rtcpReceived >= 1), 5000, "SRTP and SRTCP from the pool reach the workers");
    for (const r of calls) {
      const s = r.call!.stats();
      assert.equal(r.srtp?.profile, "AES_CM_128_HMAC_SHA1_80");
      assert.ok(s.rtpSent >= 25, `${r.id} sent ${s.rtpSent}`);
      assert.equal(s.authFailures + s.rtcpAuthFailures + s.replays, 0);
      const ps = peerOf(r).media.snapshot();
      assert.ok(ps.rtpReceived >= 20 && ps.authFailures === 0, `the pool received ${ps.rtpReceived} packets of ${r.id}, ${ps.authFailures} forged`);
    }
    const before = out.call!.stats().rtpReceived;
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(out.call!.stats().rtpReceived > before, "pushed statistics keep moving");

    // DTMF both ways: the gateway's digit reaches the pool; the pool's reaches the gateway's PSTN port (main thread's copy too).
    const peer = peerOf(out);
    assert.ok(out.call!.sendDtmf("5", 60));
    const digits: string[] = [];
    out.call!.media.on("dtmf", (d) => digits.push(d.digit));
    peer.media.sendDtmf("9", 60);
    await until(() => peer.pstn.digits.some((d) => d.digit === "5"), 3000, "the gateway's DTMF at the pool");
    await until(() => digits.includes("9") && (out.pstn as CheckedPstnPort).digits.some((d) => d.digit === "9"), 3000, "the pool's DTMF at the gateway");

    // Re-keys from each side: the new keys cross to the worker; media stays authenticated.
    const mki0 = out.srtp?.txMki;
    await out.call!.rekey();
    await peerOf(inb).rekey();
    const after0 = calls.map((r) => r.call!.stats().rtpReceived);
    const peerAfter = calls.map((r) => peerOf(r).media.snapshot().rtpReceived);
    await until(() => calls.every((r, i) => r.call!.stats().rtpReceived >= after0[i]! + 20 && peerOf(r).media.snapshot().rtpReceived >= peerAfter[i]! + 20), 5000, "media after the re-keys");
    for (const r of calls) {
      const s = r.call!.stats();
      assert.equal(s.authFailures + s.rtcpAuthFailures, 0);
      assert.ok(s.rekeys >= 1, `${r.id} rekeys ${s.rekeys}`);
      assert.equal(peerOf(r).media.snapshot().authFailures, 0);
    }
    assert.notEqual(out.srtp?.txMki, mki0, "the gateway's re-key took a new MKI");
    // The main thread's `negotiated` (kept by RemoteMediaSession, deferred tx included) names the keys the worker uses.
    const hx = (b: Uint8Array) => Buffer.from(b).toString("hex");
    for (const r of calls) {
      const ours = r.call!.media.negotiated!.srtp!;
      const theirs = peerOf(r).media.negotiated!.srtp!;
      assert.ok(theirs.rx.some((k) => hx(k.masterKey) === hx(ours.tx.masterKey)), `${r.id}: our tx key is one the pool opens our packets with`);
      assert.ok(ours.rx.some((k) => hx(k.masterKey) === hx(theirs.tx.masterKey)), `${r.id}: the pool's tx key is one we accept`);
    }
    assert.ok(taps.tx > 50 && taps.rxPlain > 50, JSON.stringify(taps));

    // Hang-up: the worker's call and its sockets go; the final statistics and audio tables come back.
    const inbPeer = peerOf(inb);
    const port = out.call!.media.localRtpPort;
    await gw.hangup(out);
    assert.equal(out.outcome, "completed");
    await until(() => peer.sip.ended, 3000, "BYE at the pool");
    assert.deepEqual(gw.mediaWorkers!.callsPerWorker().sort(), [0, 1]);
    const ws = await gw.mediaWorkers!.stats();
    assert.deepEqual(ws.map((w) => w.sessions).sort(), [0, 1]);
    const sock = dgram.createSocket("udp4");
    sock.bind(port, "127.0.0.1");
    await once(sock, "listening"); // the worker closed the call's RTP socket
    sock.close();
    const fin = out.stats!;
    assert.ok(fin.rtpSent >= 50 && fin.rtpReceived >= 50 && fin.dtmfSent === 1 && fin.dtmfReceived === 1, JSON.stringify(fin));
    const audio = (out.pstn as CheckedPstnPort).verifiedAgainst(peer.pstn as CheckedPstnPort);
    assert.ok(audio.frames >= 50 && audio.matched === audio.frames, `gateway received ${audio.frames} frames, ${audio.matched} equal to what the pool sent`);
    const back = (peer.pstn as CheckedPstnPort).verifiedAgainst(out.pstn as CheckedPstnPort);
    assert.ok(back.frames >= 50 && back.matched === back.frames, `pool received ${back.frames} frames, ${back.matched} equal to what the gateway's worker sent`);
    assert.ok(!inbPeer.sip.ended && inb.outcome === "active", "the other call carries on");
  } finally {
    await gw.stop("completed");
  }
  assert.ok(events.some((e) => e.event === "gateway.stopped"));
  assert.ok(gw.calls().every((r) => r.outcome === "completed"), JSON.stringify(gw.calls().map((r) => [r.outcome, r.error])));
});

test("mediaWorkers 2: a worker that dies ends its call with ERR_MEDIA_WORKER, the other carries on, a new worker takes new calls; a port pair held elsewhere is skipped", async () => {
  // Four RTP/RTCP pairs, one held by another socket: four calls in a row walk every pair.
  const held = dgram.createSocket("udp4");
  held.bind(47604, "127.0.0.1");
  await once(held, "listening");
  const { gw, events } = await startGateway(workersBoard(2), { portMin: 47600, portMax: 47607 });
  try {
    const a = await gw.place("+14255550200", "+12065550100");
    const b = await gw.place("+14255550201", "+12065550100");
    assert.deepEqual([a.outcome, b.outcome], ["active", "active"], JSON.stringify([a.error, b.error]));
    const wa = remote(a).worker;
    assert.notEqual(wa, remote(b).worker);
    await until(() => [a, b].every((r) => r.call!.stats().rtpReceived >= 10), 5000, "media on both calls");
    const peerA = peerOf(a);
    const peerB = peerOf(b);
    const replaced = once(gw.mediaWorkers!, "workerReplaced");

    await gw.mediaWorkers!.threads[wa]!.terminate();
    await until(() => a.outcome !== "active", 3000, "the dead worker's call ends");
    assert.equal(a.outcome, "failed");
    assert.equal(a.error?.code, "ERR_MEDIA_WORKER");
    await until(() => peerA.sip.ended, 3000, "BYE for the dead worker's call");
    const exit = events.find((e) => e.event === "media.worker.exit");
    assert.ok(exit && exit.worker === wa && exit.calls === 1, JSON.stringify(exit));
    assert.ok(events.some((e) => e.event === "call.end" && e.call === a.id && e.outcome === "failed" && e.code === "ERR_MEDIA_WORKER"));

    const nb = b.call!.stats().rtpReceived;
    await until(() => b.call!.stats().rtpReceived >= nb + 15, 3000, "the other worker's call carries on");
    assert.equal(b.outcome, "active");
    assert.ok(!peerB.sip.ended);

    assert.deepEqual(await replaced, [wa]);
    assert.equal(gw.mediaWorkers!.size, 2);
    const c = await gw.place("+14255550202", "+12065550100");
    const d = await gw.place("+14255550203", "+12065550100");
    assert.deepEqual([c.outcome, d.outcome], ["active", "active"], JSON.stringify([c.error, d.error]));
    assert.equal(remote(c).worker, wa, "the new worker (no calls) takes the next call");
    await until(() => [c, d].every((r) => r.call!.stats().rtpReceived >= 10 && peerOf(r).media.snapshot().rtpReceived >= 10), 5000, "media on the new calls");
    for (const r of [a, b, c, d]) assert.notEqual(r.call?.media.localRtpPort, 47604, "the held pair was skipped");
    assert.equal(peerOf(c).media.snapshot().authFailures, 0);
  } finally {
    await gw.stop("completed");
    held.close();
  }
});

test("mediaWorkers 1: the media watchdog works from the pushed statistics (silent peer → media-timeout)", async () => {
  const { gw } = await startGateway(workersBoard(1), { portMin: 47800, portMax: 47899 }, { mediaTimeoutMs: 700 });
  try {
    const r = await gw.place("+14255550400", "+12065550100");
    assert.equal(r.outcome, "active", JSON.stringify(r.error));
    await until(() => r.call!.stats().rtpReceived >= 10, 3000, "media");
    await until(() => r.outcome === "active" && r.call!.stats().rtpReceived >= 30, 3000, "the call outlives the timeout while media flows");
    await peerOf(r).media.close(); // the pool's media stops; its SIP dialog stays up
    await until(() => r.outcome !== "active", 3000, "the watchdog ends the silent call");
    assert.equal(r.outcome, "media-timeout");
    await until(() => gw.mediaWorkers!.callsPerWorker()[0] === 0, 2000, "the worker's session closed");
  } finally {
    await gw.stop("completed");
  }
});

test("mediaWorkers 0: media on the main thread, no pool", async () => {
  const { gw } = await startGateway(loadBoard("sim"), { portMin: 47700, portMax: 47799 });
  try {
    assert.equal(gw.mediaWorkers, undefined);
    const r = await gw.place("+14255550300", "+12065550100");
    assert.equal(r.outcome, "active", JSON.stringify(r.error));
    assert.ok(!(r.call!.media instanceof RemoteMediaSession));
    await until(() => r.call!.stats().rtpReceived >= 5, 3000, "media");
  } finally {
    await gw.stop("completed");
  }
});
