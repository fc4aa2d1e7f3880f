// The gateway under load (load.test.ts): `Gateway.start` from a board and a config exactly as
// `gwsdk gateway` boots it, in its own process, reporting samples of its own health once a second
// over IPC (RSS, heap, the core's arena and memory, event-loop delay, CPU, active calls, links up)
// and placing calls towards the pool when told to. Logs (JSON, info) go to the file argv[3].
// argv[2]: config file.
import { createWriteStream } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadBoard } from "../../../host/boards/board.js";
import { readConfigFile, resolveConfig } from "../../../host/gateway/config.js";
import { Gateway, type GatewayCallRecord } from "../../../host/gateway/gateway.js";
import { Logger } from "../../../host/gateway/log.js";
import { recordIo } from "../../../host/tls/record-io.js";
import { ToneSource, type PstnPort } from "../../../host/media/pstn.js";
import { encodeG711 } from "../../../host/media/g711.js";

const [configPath, logPath] = process.argv.slice(2) as [string, string];
const send = (m: unknown) => process.send!(m);
const logFile = createWriteStream(logPath, { flags: "a" });
const board = loadBoard("sim");
const config = resolveConfig(board, readConfigFile(configPath));
// The PSTN side of each call: a tone out, received frames dropped, as a hardware PSTN port does (the
// sim board's default SimPstnPort records every frame for the simulator's audio checks, which would
// be most of this process's memory after a minute of hundreds of calls).
class TonePort implements PstnPort {
  private readonly tone = new ToneSource(1004);
  frames = 0;
  readFrame(codec: "PCMU" | "PCMA"): Uint8Array {
    return encodeG711(codec, this.tone.next());
  }
  writeFrame(): void {
    this.frames++;
  }
}
const gw = await Gateway.start({ board, config, logger: new Logger({ format: "json", level: "info", write: (l) => logFile.write(l + "\n") }), mediaTimeoutMs: 15_000, pstn: () => new TonePort() });
const ports = new Map<string, number>();
gw.on("call", (r) => r.call && ports.set(r.id, r.call.media.localRtpPort));

const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
let cpu = process.cpuUsage();
const sampler = setInterval(() => {
  const c = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const m = process.memoryUsage();
  send({
    type: "sample",
    at: Date.now(),
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arenaInUse: gw.core.arena.inUse,
    coreMemory: gw.core.memory.buffer.byteLength,
    eldP50: eld.percentile(50) / 1e6,
    eldP99: eld.percentile(99) / 1e6,
    eldMax: eld.max / 1e6,
    cpuMs: (c.user + c.system) / 1000,
    activeCalls: gw.calls().filter((r) => r.outcome === "active" && r.call).length,
    linksUp: gw.links().filter((l) => l.state === "up").length,
  });
  eld.reset();
}, 1000);

function report(): unknown[] {
  return gw.calls().map((r: GatewayCallRecord) => {
    const s = r.call && r.outcome === "active" ? r.call.media.snapshot() : r.stats;
    return { id: r.id, direction: r.direction, outcome: r.outcome, member: r.member, port: ports.get(r.id), error: r.error, stats: s ? { rtpSent: s.rtpSent, rtpReceived: s.rtpReceived, lost: s.lost, authFailures: s.authFailures, replays: s.replays, rtcpSent: s.rtcpSent, rtcpReceived: s.rtcpReceived, rtcpAuthFailures: s.rtcpAuthFailures, malformed: s.malformed } : null };
  });
}

process.on("message", (msg: { cmd: string; count?: number; spacingMs?: number }) => {
  void (async () => {
    if (msg.cmd === "place") {
      for (let i = 0; i < msg.count!; i++) {
        const n = String(i).padStart(4, "0");
        void gw.place(`+1425555${n}`, `+1206555${n}`).catch(() => undefined);
        await new Promise((r) => setTimeout(r, msg.spacingMs ?? 20));
      }
      send({ type: "placed" });
    } else if (msg.cmd === "report") {
      send({ type: "report", calls: report() });
    } else if (msg.cmd === "stop") {
      await gw.stop("completed");
      clearInterval(sampler);
      // sockets finish closing on later turns of the event loop
      for (let i = 0; i < 50 && gw.links().some((l) => l.state === "up"); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1000));
      const arena = gw.core.arena;
      const arenaAfter = arena.inUse;
      // What is still allocated, by block size. The per-core staging buffers (TLS records, SRTP
      // packets) are kept for the core's lifetime; anything beyond them is a leak.
      const blocks: Record<string, number> = {};
      for (const size of (arena as unknown as { used: Map<number, number> }).used.values()) blocks[size] = (blocks[size] ?? 0) + 1;
      const io = recordIo(gw.core);
      const sb = gw.core.srtp.buffers as unknown as { io: number; scratchPtr: number; batchPtr: number };
      const shared = [io.open, io.sealIn, io.sealOut, sb.io, sb.scratchPtr, sb.batchPtr].reduce((n, p) => n + (p ? (arena.sizeOf(p) ?? 0) : 0), 0);
      send({ type: "blocks", blocks, shared });
      send({ type: "stopped", calls: report(), arenaAfter });
      await new Promise<void>((r) => logFile.end(() => r()));
      process.exit(0);
    }
  })();
});
send({ type: "ready", port: gw.listenPort, arenaInUse: gw.core.arena.inUse });
