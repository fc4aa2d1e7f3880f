// Capacity: how many concurrent G.711 calls one core carries, and what fits in memory.
//   - derived: from in-process rates (CPU time) of the batch path a gateway uses (SrtpBatch, one
//     packet per call per tick): per call and second 50 protects + 50 unprotects + 0.2 SRTCP each
//     way (one report per 5 s); calls = 80% of a core / that cost (20% headroom);
//   - measured in one media worker at the target's scale (5,000 calls at once), on CPU time;
//   - measured, across cores: the MediaWorkerPool's synthetic load with 1 worker, then 2 workers at
//     once (each worker: its own core instance and calls; ticks back to back): calls sustained =
//     calls x (80% of 20 ms) / wall time per tick, summed over the workers;
//   - UDP on loopback: packets protected in a worker thread and sent through Node's dgram, received
//     and unprotected on the main thread, at rising offered rates; the highest rate delivered
//     (>= 95%) with SRTP beside the same without SRTP tells whether the sockets or SRTP limit;
//   - memory: core bytes per SRTP stream, per session, per two-way call, per TLS connection; the
//     calls that fit in one core's arena; core.wasm size against the 64 KiB target.
import { Worker } from "node:worker_threads";
import { createSocket } from "node:dgram";
import { statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { loadCore, shippedCorePath, TlsRecordLayer, cipherSuite, type Core } from "../host/index.js";
import { MediaWorkerPool } from "../host/media/workers/index.js";
import { cpuRate, median, type BenchContext } from "./harness.js";
import { oursProbes } from "./srtp.js";

const HEADROOM = 0.8;

function srtcpRates(core: Core): { p: number; u: number } {
  const key = { profile: "AES_CM_128_HMAC_SHA1_80" as const, masterKey: new Uint8Array(16).fill(1), masterSalt: new Uint8Array(14).fill(2) };
  const tx = core.srtp.sender(key);
  const rx = core.srtp.receiver(key);
  const sr = new Uint8Array(52);
  sr[0] = 0x81;
  sr[1] = 200;
  sr[3] = 12;
  sr[7] = 5;
  const ring = Array.from({ length: 4096 }, () => tx.protectRtcp(sr));
  const tx2 = core.srtp.sender(key);
  let at = 0;
  const p = median([0, 1, 2].map(() => cpuRate(() => { for (let i = 0; i < 16; i++) tx2.protectRtcp(sr); }, 16, 60)));
  const u = median([0, 1, 2].map(() => cpuRate(() => {
    for (let i = 0; i < 16; i++) {
      if (at === ring.length) {
        rx.removeStream(5);
        at = 0;
      }
      rx.unprotectRtcp(ring[at++]!);
    }
  }, 16, 60)));
  tx.close();
  tx2.close();
  rx.close();
  return { p, u };
}

interface UdpResult {
  offered: number;
  delivered: number;
}

/** One UDP step: a worker sends `rate` packets/s for `ms`; the main thread receives (and unprotects). */
async function udpStep(rate: number, ms: number, srtp: boolean): Promise<UdpResult> {
  const key = { masterKey: randomBytes(16), masterSalt: randomBytes(14) };
  const core = await loadCore();
  const rx = core.srtp.receiver({ profile: "AES_CM_128_HMAC_SHA1_80", ...key, replayWindow: 32767 });
  const buf = core.srtp.allocPacket();
  const sock = createSocket("udp4");
  let got = 0;
  sock.on("message", (m) => {
    if (!srtp) {
      got++;
      return;
    }
    buf.set(m);
    try {
      rx.unprotectInPlace(buf, m.length);
      got++;
    } catch {
      /* refused: not delivered */
    }
  });
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  try {
    sock.setRecvBufferSize(8 << 20);
  } catch {
    /* best effort */
  }
  const port = sock.address().port;
  const w = new Worker(new URL("./udp-sender.js", import.meta.url), { workerData: { port, rate, ms, srtp, key } });
  const sent = await new Promise<number>((resolve, reject) => {
    w.once("message", (n: number) => resolve(n));
    w.once("error", reject);
  });
  await new Promise((r) => setTimeout(r, 200)); // let the last packets arrive
  await w.terminate();
  sock.close();
  rx.close();
  core.srtp.freePacket(buf);
  return { offered: (sent * 1000) / ms, delivered: (got * 1000) / ms };
}

async function udpMax(srtp: boolean, ctx: BenchContext): Promise<{ rate: number; lastRate: number; lastDelivered: number; lastOffered: number }> {
  let best = 0;
  let last: UdpResult = { offered: 0, delivered: 0 };
  let lastRate = 0;
  for (const rate of [25_000, 50_000, 75_000, 100_000, 125_000, 150_000, 200_000, 300_000, 400_000]) {
    lastRate = rate;
    ctx.progress(`UDP loopback ${srtp ? "with SRTP" : "raw"}, offering ${rate.toLocaleString("en-US")} packets/s`);
    const r = await udpStep(rate, 1000, srtp);
    last = r;
    if (r.delivered >= 0.95 * rate && r.offered >= 0.95 * rate) best = rate;
    else break;
  }
  return { rate: best, lastRate, lastDelivered: last.delivered, lastOffered: last.offered };
}

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("capacity", "Capacity: concurrent G.711 calls per core (20% CPU headroom), memory, scaling across cores, UDP");
  const core = await loadCore({ variant: "simd" });

  // ---- derived from in-process rates ----
  ctx.progress("in-process rates (batch path, SRTCP)");
  const pr = oursProbes(core, "AES_CM_128_HMAC_SHA1_80", 172);
  for (const f of [pr.protectBatch, pr.unprotectBatch, pr.protectInPlace, pr.unprotectInPlace]) cpuRate(f, 64, 40);
  const pb: number[] = [], ub: number[] = [], pi: number[] = [], ui: number[] = [];
  for (let r = 0; r < 5; r++) {
    pb.push(cpuRate(pr.protectBatch, 64, 80));
    ub.push(cpuRate(pr.unprotectBatch, 64, 80));
    pi.push(cpuRate(pr.protectInPlace, 64, 80));
    ui.push(cpuRate(pr.unprotectInPlace, 64, 80));
  }
  pr.close();
  const rtcp = srtcpRates(core);
  const perCall = (p: number, u: number) => 50 / p + 50 / u + 0.2 / rtcp.p + 0.2 / rtcp.u;
  const callsBatch = HEADROOM / perCall(median(pb), median(ub));
  const callsInPlace = HEADROOM / perCall(median(pi), median(ui));
  ctx.rowPeers("G.711 calls per core, derived (batch path)", "calls", callsBatch, [{ name: "target", value: 5000 }], {
    note: `SrtpBatch ${Math.round(median(pb)).toLocaleString("en-US")} / ${Math.round(median(ub)).toLocaleString("en-US")} pps; SRTCP ${Math.round(rtcp.p).toLocaleString("en-US")} / ${Math.round(rtcp.u).toLocaleString("en-US")} pps; 80% CPU`,
  });
  ctx.rowPeers("G.711 calls per core, derived (in-place per packet)", "calls", callsInPlace, [{ name: "target", value: 5000 }], { note: "protectInPlace / unprotectInPlace per packet" });

  // ---- memory ----
  const f = (n: string) => core.fn(n);
  const id = core.srtp.profile("AES_CM_128_HMAC_SHA1_80").id;
  const session = f("srtp_session_size")(1, 1, 128, id);
  const sizes = core.srtp.sizes({ profile: "AES_CM_128_HMAC_SHA1_80", maxStreams: 10000, maxKeys: 1 });
  ctx.rowPeers("core memory per SRTP stream (SSRC), window 128", "bytes", sizes.perStream, [{ name: "target", value: 256 }], { higherIsBetter: false, note: "stream slot + its SSRC-table share" });
  ctx.rowPeers("core memory per SRTP session (AES-CM, 1 key, 1 SSRC)", "bytes", session, [], { higherIsBetter: false, note: `key slot ${sizes.perKey} B` });
  ctx.rowPeers("core memory per two-way call (2 sessions)", "bytes", 2 * session, [], { higherIsBetter: false });
  const arena = core.arena.end - core.arena.base;
  ctx.rowPeers("two-way calls that fit in one core's arena", "calls", Math.floor(arena / (2 * session + 192 + 24)), [{ name: "target", value: 5000 }], { note: `arena ${(arena / 1048576).toFixed(1)} MiB; per call 2 sessions + one 192-byte SrtpBatch slot (a 182-byte G.711 SRTP packet) + its 24-byte descriptor` });
  const before = core.arena.inUse;
  const tls = TlsRecordLayer.create(core);
  const suite = cipherSuite("TLS_AES_128_GCM_SHA256")!;
  tls.installKeys("write", suite, new Uint8Array(16), new Uint8Array(12));
  tls.installKeys("read", suite, new Uint8Array(16), new Uint8Array(12));
  const perTls = core.arena.inUse - before;
  tls.destroy();
  ctx.rowPeers("core memory per TLS connection (record layer)", "bytes", perTls, [], { higherIsBetter: false, note: "2 half-connections + reassembly buffer" });
  for (const v of ["simd", "scalar"] as const) {
    const bytes = statSync(shippedCorePath(v)).size;
    ctx.rowPeers(`core${v === "simd" ? "" : "-scalar"}.wasm size`, "bytes", bytes, v === "simd" ? [{ name: "target", value: 65536 }] : [], { higherIsBetter: false });
  }

  // ---- across cores: 1 worker, then 2 ----
  const perWorker = 1500;
  let one = 0;
  for (const n of [1, 2]) {
    ctx.progress(`MediaWorkerPool, ${n} worker(s), ${perWorker} calls each`);
    const pool = await MediaWorkerPool.start({ workers: n });
    try {
      await pool.load({ calls: 200, ms: 300, payload: 160, rtcpEvery: 250 }); // warm-up
      const res = await pool.load({ calls: perWorker, ms: 2500, payload: 160, rtcpEvery: 250 });
      const sustained = res.reduce((a, r) => a + (r.calls * HEADROOM * 20) / (r.wallMs / r.ticks), 0);
      const failures = res.reduce((a, r) => a + r.failures, 0);
      if (n === 1) {
        one = sustained;
        // At the target's own scale: 5,000 calls (10,000 sessions, ~21 MB of core memory) in one
        // worker, on CPU time (the process's: the main thread only waits), so the figure carries
        // the cache and TLB misses of that many sessions, which 1,500 calls mostly do not.
        ctx.progress("MediaWorkerPool, 1 worker, 5,000 calls (CPU time)");
        const [r] = await pool.load({ calls: 5000, ms: 3000, payload: 160, rtcpEvery: 250 });
        ctx.rowPeers("G.711 calls per core, measured in a media worker (CPU time)", "calls", (r!.calls * r!.ticks * HEADROOM * 20) / r!.cpuMs, [{ name: "target", value: 5000 }],
          { note: `5,000 calls at once, ${r!.ticks} ticks in ${Math.round(r!.cpuMs)} ms CPU / ${Math.round(r!.wallMs)} ms wall; ${r!.failures} failures` });
      }
      ctx.rowPeers(`G.711 calls sustained, ${n} media worker${n > 1 ? "s" : ""} (measured, wall clock)`, "calls", sustained,
        n === 1 ? [{ name: "target", value: 5000 }] : [{ name: "1 worker", value: one }, { name: "target", value: 5000 }],
        { note: `wall clock; ${perWorker} calls per worker, ticks back to back, 80% of each 20 ms tick; ${failures} failures` });
    } finally {
      await pool.close();
    }
  }

  // ---- UDP on loopback ----
  const raw = await udpMax(false, ctx);
  const srtp = await udpMax(true, ctx);
  // Which side fell short at the first rate not sustained: the sending thread could not offer it,
  // or the receiving thread did not take all that was offered.
  const side = (r: { lastRate: number; lastOffered: number }, what: [string, string]) =>
    r.lastOffered < 0.95 * r.lastRate ? `the sending thread (${what[0]})` : `the receiving thread (${what[1]})`;
  const limit = srtp.rate >= raw.rate
    ? `the socket layer limits, SRTP adds nothing measurable at this step size; ${side(srtp, ["protect + dgram.send", "dgram receive + unprotect"])} fell short first`
    : `SRTP's cost on top of dgram's lowers the limit: ${side(srtp, ["protect + dgram.send", "dgram receive + unprotect"])} fell short first; raw dgram: ${side(raw, ["dgram.send", "dgram receive"])} fell short at ${raw.lastRate.toLocaleString("en-US")}`;
  ctx.rowPeers("UDP loopback: highest rate delivered with SRTP", "pps", srtp.rate, [{ name: "raw dgram", value: raw.rate }], {
    note: `>= 95% delivered, 1 s steps; ${limit}; above it: offered ${Math.round(srtp.lastOffered).toLocaleString("en-US")}, delivered ${Math.round(srtp.lastDelivered).toLocaleString("en-US")}`,
  });
}
