// A media worker: one worker_threads thread with its own core instance, its share of the calls
// (their SRTP sessions and UDP sockets) and a 20 ms media clock. The main thread (SIP, call
// control) talks to it with protocol.ts messages; keys arrive once per call, packets stay here.
//
// Gateway calls ("session.*") run the gateway's own MediaSession here, with this worker's core as
// the SRTP provider and a PSTN port built from the call's description (host/media/pstn-spec.ts);
// their statistics go to the main thread every STATS_PUSH_MS, their DTMF digits, BYEs and key-limit
// warnings as they happen. Synthetic calls (the capacity benchmark, "add"/"load") go through one
// SrtpBatch (arena slots, one core call per tick for every call's frame), so the per-packet cost
// is the core's own plus a few header bytes written from JavaScript.
import { parentPort, workerData } from "node:worker_threads";
import { createSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { loadCore, type Core } from "../../core/load-core.js";
import type { SrtpReceiver, SrtpSender } from "../../srtp/session.js";
import type { SrtpBatch } from "../../srtp/batch.js";
import { CoreSrtpProvider } from "../../gateway/srtp-provider.js";
import { MediaSession, type MediaTapPacket } from "../session.js";
import type { SimPstnPort } from "../pstn.js";
import { pstnFromSpec, pstnState } from "../pstn-spec.js";
import { STATS_PUSH_MS, type FromWorker, type LoadResult, type LoadSpec, type SessionEvent, type SessionSpec, type ToWorker, type WorkerCallSpec, type WorkerInit, type WorkerStats } from "./protocol.js";

const RTP_HEADER = 12;
const G711_FRAME = 160;
const PT_PCMU = 0;

interface Call {
  id: string;
  tx: SrtpSender;
  rx: SrtpReceiver;
  ssrc: number;
  seq: number;
  ts: number;
  socket?: Socket;
  remote?: { address: string; port: number };
}

const init = workerData as WorkerInit;
const port = parentPort!;
let core: Core;
let provider: CoreSrtpProvider;
const calls = new Map<string, Call>();
const stats: WorkerStats = { calls: 0, sessions: 0, sent: 0, received: 0, failures: 0 };

interface Session {
  media: MediaSession | undefined; // undefined while its sockets bind
  pstn: SimPstnPort;
}
const sessions = new Map<string, Session>();
let statsTimer: NodeJS.Timeout | undefined;
let clock: NodeJS.Timeout | undefined;
let sendBatch: SrtpBatch | undefined;
let rxBuf: Uint8Array | undefined;

function post(m: FromWorker): void {
  port.postMessage(m);
}

function countCalls(): void {
  stats.calls = calls.size + sessions.size;
  stats.sessions = sessions.size;
}

function event(id: string, e: SessionEvent): void {
  post({ type: "event", id, event: e });
}

/** A copy that owns its bytes: a view into the core's memory or a pooled Buffer would clone the whole backing store. */
function own(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function pushStats(): void {
  const out: { id: string; stats: ReturnType<MediaSession["snapshot"]>; lastRxForm: string }[] = [];
  for (const [id, s] of sessions) if (s.media) out.push({ id, stats: s.media.snapshot(), lastRxForm: s.media.lastRxForm });
  if (out.length) post({ type: "stats", sessions: out });
}

async function openSession(id: string, spec: SessionSpec): Promise<{ rtpPort: number; rtcpPort: number; ssrc: number }> {
  if (sessions.has(id) || calls.has(id)) throw Object.assign(new Error(`call ${id} exists`), { code: "ERR_MEDIA_WORKER_CALL" });
  const pstn = pstnFromSpec(spec.pstn);
  const entry: Session = { media: undefined, pstn };
  sessions.set(id, entry); // reserved while the sockets bind
  countCalls();
  let media: MediaSession;
  try {
    const { pstn: _p, tap, ...o } = spec;
    media = await MediaSession.open({
      ...o,
      srtp: provider,
      pstn,
      onKeyLimit: (e) => event(id, { kind: "keyLimit", direction: e.direction, hard: e.hard, remaining: e.remaining, ...(e.mki ? { mki: own(e.mki) } : {}) }),
      ...(tap
        ? {
            tap: (p: MediaTapPacket) =>
              event(id, { kind: "tap", packet: { direction: p.direction, wire: own(p.wire), ...(p.plain ? { plain: own(p.plain) } : {}), local: { ...p.local }, remote: { ...p.remote } } }),
          }
        : {}),
    });
  } catch (e) {
    sessions.delete(id);
    countCalls();
    throw e;
  }
  entry.media = media;
  media.on("dtmf", (d) => event(id, { kind: "dtmf", digit: { ...d } }));
  media.on("bye", (ssrc) => event(id, { kind: "bye", ssrc }));
  if (!statsTimer) statsTimer = setInterval(pushStats, STATS_PUSH_MS);
  return { rtpPort: media.localRtpPort, rtcpPort: media.localRtcpPort, ssrc: media.ssrc };
}

function session(id: string): MediaSession {
  const s = sessions.get(id)?.media;
  if (!s) throw Object.assign(new Error(`no media session ${id} in this worker`), { code: "ERR_MEDIA_WORKER_CALL" });
  return s;
}

async function closeSession(id: string, reason: string): Promise<NonNullable<Extract<FromWorker, { type: "ok" }>["final"]> | undefined> {
  const s = sessions.get(id);
  if (!s?.media) return undefined;
  await s.media.close(reason);
  sessions.delete(id);
  countCalls();
  if (sessions.size === 0 && statsTimer) {
    clearInterval(statsTimer);
    statsTimer = undefined;
  }
  return { stats: s.media.snapshot(), lastRxForm: s.media.lastRxForm, pstn: pstnState(s.pstn) };
}

function writeRtpHeader(p: Uint8Array, seq: number, ts: number, ssrc: number): void {
  p[0] = 0x80;
  p[1] = PT_PCMU;
  p[2] = (seq >>> 8) & 0xff;
  p[3] = seq & 0xff;
  p[4] = ts >>> 24;
  p[5] = (ts >>> 16) & 0xff;
  p[6] = (ts >>> 8) & 0xff;
  p[7] = ts & 0xff;
  p[8] = ssrc >>> 24;
  p[9] = (ssrc >>> 16) & 0xff;
  p[10] = (ssrc >>> 8) & 0xff;
  p[11] = ssrc & 0xff;
}

async function addCall(spec: WorkerCallSpec): Promise<number | undefined> {
  if (calls.has(spec.id) || sessions.has(spec.id)) throw Object.assign(new Error(`call ${spec.id} exists`), { code: "ERR_MEDIA_WORKER_CALL" });
  const tx = core.srtp.sender({ profile: spec.profile, ...spec.tx });
  const rx = core.srtp.receiver({ profile: spec.profile, ...spec.rx });
  const call: Call = { id: spec.id, tx, rx, ssrc: randomBytes(4).readUInt32BE(0), seq: randomBytes(2).readUInt16BE(0), ts: randomBytes(4).readUInt32BE(0) };
  if (spec.remote) call.remote = spec.remote;
  calls.set(spec.id, call);
  countCalls();
  if (spec.localPort === undefined) return undefined;
  const sock = createSocket("udp4");
  call.socket = sock;
  sock.on("message", (msg) => {
    // SRTP from the peer: into the arena buffer, unprotected in place (RTCP and STUN are not
    // handled by this media loop: first octet 128..191 and payload type outside 72..95 is RTP).
    if (msg.length < 12 || (msg[0]! & 0xc0) !== 0x80 || ((msg[1]! & 0x7f) >= 72 && (msg[1]! & 0x7f) <= 95)) return;
    const b = rxBuf!;
    if (msg.length > b.length) return;
    b.set(msg);
    try {
      call.rx.unprotectInPlace(b, msg.length);
      stats.received++;
    } catch {
      stats.failures++;
    }
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(spec.localPort, "127.0.0.1", () => resolve());
  });
  startClock();
  return sock.address().port;
}

function removeCall(id: string): void {
  const c = calls.get(id);
  if (!c) return;
  c.socket?.close();
  c.tx.close();
  c.rx.close();
  calls.delete(id);
  countCalls();
}

/** The 20 ms media clock: one G.711 frame per call with a remote, protected in one batch, sent. */
function startClock(): void {
  if (clock) return;
  clock = setInterval(() => {
    const live = [...calls.values()].filter((c) => c.remote && c.socket);
    if (live.length === 0) return;
    if (!sendBatch || sendBatch.slots < live.length) {
      sendBatch?.release();
      sendBatch = core.srtp.batch({ slots: Math.max(64, live.length), slotSize: 256 });
    }
    const b = sendBatch;
    for (let i = 0; i < live.length; i++) {
      const c = live[i]!;
      const p = b.slot(i);
      writeRtpHeader(p, c.seq, c.ts, c.ssrc);
      p.fill(0xff, RTP_HEADER, RTP_HEADER + G711_FRAME); // mu-law silence
      c.seq = (c.seq + 1) & 0xffff;
      c.ts = (c.ts + G711_FRAME) >>> 0;
      b.set(i, c.tx, RTP_HEADER + G711_FRAME);
    }
    b.protect(live.length);
    for (let i = 0; i < live.length; i++) {
      const n = b.result(i);
      const c = live[i]!;
      if (n < 0) {
        stats.failures++;
        continue;
      }
      // dgram keeps the buffer until the send completes: give it a copy, the slot is reused next tick
      c.socket!.send(Buffer.from(b.slot(i).subarray(0, n)), c.remote!.port, c.remote!.address);
      stats.sent++;
    }
  }, 20);
}

/**
 * Synthetic load: `calls` calls (random keys; each call's receiver shares its sender's key, so it
 * takes the very packets the sender made: every tick is exactly one protect and one unprotect per
 * call, plus one SRTCP packet each way every rtcpEvery ticks), ticks run back to back for `ms`.
 */
function load(spec: LoadSpec): LoadResult {
  const n = spec.calls;
  const txs: SrtpSender[] = [];
  const rxs: SrtpReceiver[] = [];
  const slotSize = (RTP_HEADER + spec.payload + 64 + 15) & ~15;
  const batch = core.srtp.batch({ slots: n, slotSize });
  const rbatch = core.srtp.batch({ slots: n, slotSize });
  const len = RTP_HEADER + spec.payload;
  const rtcpLen = 28; // an empty sender report
  let failures = 0;
  let packets = 0;
  try {
    const slots: Uint8Array[] = [];
    const rslots: Uint8Array[] = [];
    for (let c = 0; c < n; c++) {
      const key = { masterKey: randomBytes(16), masterSalt: randomBytes(14) };
      txs.push(core.srtp.sender({ profile: "AES_CM_128_HMAC_SHA1_80", ...key, maxStreams: 1 }));
      rxs.push(core.srtp.receiver({ profile: "AES_CM_128_HMAC_SHA1_80", ...key, maxStreams: 1 }));
      const p = batch.slot(c);
      p.fill(0xd5, RTP_HEADER, len);
      slots.push(p);
      rslots.push(rbatch.slot(c));
      batch.bind(c, txs[c]!); // sessions bound once, as at call setup
      rbatch.bind(c, rxs[c]!);
    }
    // Each tick: every call's frame protected in one core call, "sent" (copied into the receive
    // slots, as a socket handler copies a datagram in), and unprotected in one core call.
    const mem = core.u8;
    const sOff = slots.map((v) => v.byteOffset);
    const rOff = rslots.map((v) => v.byteOffset);
    // "Sends" every protected packet: copies it into its call's receive slot, as a socket handler
    // copies a datagram in.
    const deliver = (): void => {
      for (let c = 0; c < n; c++) {
        const m = Math.max(0, batch.result(c));
        mem.copyWithin(rOff[c]!, sOff[c]!, sOff[c]! + m);
        rbatch.setLength(c, m);
      }
    };
    let ticks = 0;
    let seq = 1;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const end = t0 + spec.ms;
    while (performance.now() < end) {
      for (let c = 0; c < n; c++) {
        writeRtpHeader(slots[c]!, seq, (seq * G711_FRAME) >>> 0, 0x10000 + c);
        batch.setLength(c, len);
      }
      failures += n - batch.protect(n);
      deliver();
      failures += n - rbatch.unprotect(n);
      packets += 2 * n;
      if (ticks % spec.rtcpEvery === 0) {
        for (let c = 0; c < n; c++) {
          const p = slots[c]!;
          p.fill(0, 0, rtcpLen);
          p[0] = 0x80;
          p[1] = 200;
          p[3] = rtcpLen / 4 - 1;
          p[4] = 0; // sender SSRC = the RTP stream's (0x10000 + c): one stream per session
          p[5] = 1 + (c >>> 16);
          p[6] = (c >>> 8) & 0xff;
          p[7] = c & 0xff;
          batch.setLength(c, rtcpLen);
        }
        failures += n - batch.protectRtcp(n);
        deliver();
        failures += n - rbatch.unprotectRtcp(n);
        packets += 2 * n;
      }
      seq = (seq + 1) & 0xffff;
      if (seq === 0) seq = 1;
      ticks++;
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return { calls: n, ticks, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, packets, failures };
  } finally {
    batch.release();
    rbatch.release();
    for (const s of [...txs, ...rxs]) s.close();
  }
}

async function handle(m: ToWorker): Promise<void> {
  try {
    switch (m.type) {
      case "add": {
        const p = await addCall(m.call);
        post(p === undefined ? { type: "ok", seq: m.seq } : { type: "ok", seq: m.seq, port: p });
        break;
      }
      case "remove":
        removeCall(m.id);
        post({ type: "ok", seq: m.seq });
        break;
      case "session.open":
        post({ type: "ok", seq: m.seq, session: await openSession(m.id, m.spec) });
        break;
      case "session.configure":
        session(m.id).configure(m.neg, { deferTx: m.deferTx });
        post({ type: "ok", seq: m.seq });
        break;
      case "session.activateTx":
        session(m.id).activateTx();
        post({ type: "ok", seq: m.seq });
        break;
      case "session.dtmf":
        session(m.id).sendDtmf(m.digit, m.durationMs);
        post({ type: "ok", seq: m.seq });
        break;
      case "session.close": {
        const final = await closeSession(m.id, m.reason);
        post(final ? { type: "ok", seq: m.seq, final } : { type: "ok", seq: m.seq });
        break;
      }
      case "stats":
        post({ type: "ok", seq: m.seq, stats: { ...stats } });
        break;
      case "load":
        post({ type: "ok", seq: m.seq, load: load(m.spec) });
        break;
      case "close":
        if (clock) clearInterval(clock);
        for (const id of [...calls.keys()]) removeCall(id);
        await Promise.all([...sessions.keys()].map((id) => closeSession(id, "media worker closed").catch(() => undefined)));
        if (statsTimer) clearInterval(statsTimer);
        sendBatch?.release();
        post({ type: "ok", seq: m.seq });
        port.close();
        break;
    }
  } catch (e) {
    const err = e as { code?: string; message?: string };
    post({ type: "error", seq: m.seq, code: err.code ?? "ERR_MEDIA_WORKER", message: err.message ?? String(e) });
  }
}

async function main(): Promise<void> {
  core = await loadCore({ ...(init.variant ? { variant: init.variant } : {}), ...(init.arenaBytes !== undefined ? { arenaBytes: init.arenaBytes } : {}) });
  provider = new CoreSrtpProvider(core, { maxStreams: init.maxStreams ?? 8 });
  rxBuf = core.srtp.allocPacket();
  port.on("message", (m: ToWorker) => void handle(m));
  post({ type: "ready" });
}

void main();
