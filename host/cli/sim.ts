// `gwsdk sim` (`npm start`): the desktop simulator. See docs/simulator.md.
import { parseArgs } from "node:util";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { SimDirection, SimProgress } from "../sim/simulator.js";
import type { SimReport } from "../sim/report.js";
import type { SimConsole } from "../sim/console.js";
import { Logger, type LogFormat, type LogLevel } from "../gateway/log.js";
import { loadBoard } from "../boards/board.js";

/** Where the simulator keeps its state unless --state says otherwise (host/sim/state.ts). */
const DEFAULT_SIM_STATE_DIR = ".gwsdk/sim";
const SRTP_MODES: Record<string, "required" | "optional" | "notSupported"> = { required: "required", optional: "optional", "not-supported": "notSupported", notSupported: "notSupported" };

const USAGE = `usage: gwsdk sim [options]

Runs the whole product on this machine: a demo enterprise CA, a Mediation Server pool of two members
(Node/OpenSSL TLS), and the gateway booted from the board (our MTLS, our SRTP), with calls both ways.
Prints a report; exit status 0 only when every call set up and its media decrypted both ways.

options:
  --calls N                 calls in all (default 2; with --direction both they alternate, outbound first)
  --duration S              seconds of media per call (default 5)
  --direction in|out|both   in: the Mediation Server calls the gateway; out: the gateway calls it (default both)
  --board NAME|FILE         board definition (default sim)
  --srtp-mode MODE          required | optional | not-supported (default: the board's, required)
  --no-mki                  keys without the MKI, both ways (default: Skype's |2^31|1:1 form)
  --tls1.2                  the gateway speaks TLS 1.2 only (the pool offers 1.3 and 1.2)
  --fips                    FIPS mode: approved algorithms only (P-256/P-384 ECDHE, AES-GCM); refuses --keylog
  --failover                stop pool member 1 half-way: its calls fail over to member 2
  --json                    the report as JSON on stdout (progress stays on stderr)
  --state DIR               state directory (default ${DEFAULT_SIM_STATE_DIR}): CA, pool certificate, gateway store
  --pcap FILE               the media as sent and received (SRTP), libpcap
  --pcap-decrypted FILE     the same media after SRTP (plain RTP/RTCP), for listening in Wireshark
  --keylog FILE             the gateway's TLS secrets (SSLKEYLOGFILE format), for Wireshark
  --log-format text|json    gateway logs as text or one JSON object per line (default text)
  --log-level LEVEL         debug | info | warn | error (default: warn on the terminal, info into --log-file)
  --log-file FILE           write the gateway's logs to FILE instead of stderr
  --no-console              do not start the web console even when the board enables it
  --no-progress             no progress line
`;

function fail(message: string): number {
  process.stderr.write(`gwsdk sim: ${message}\n`);
  return 2;
}

function progressText(p: SimProgress): string {
  const s = (p.elapsedMs / 1000).toFixed(1);
  switch (p.phase) {
    case "state":
      return `preparing state…`;
    case "boot":
      return `booting the gateway and the Mediation pool… ${s} s`;
    case "links":
      return `bringing up MTLS both ways… ${s} s`;
    case "calls":
      return `calls up ${p.callsUp}/${p.callsPlanned} · ${p.packetsPerSecond} packets/s · ${p.linksUp} MTLS links · ${s} s`;
    case "hangup":
      return `hanging up… ${s} s`;
    case "done":
      return `done in ${s} s`;
  }
}

export async function simCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        calls: { type: "string" },
        duration: { type: "string" },
        direction: { type: "string" },
        board: { type: "string" },
        fips: { type: "boolean" },
        "tls1.2": { type: "boolean" },
        "srtp-mode": { type: "string" },
        "no-mki": { type: "boolean" },
        failover: { type: "boolean" },
        json: { type: "boolean" },
        state: { type: "string" },
        pcap: { type: "string" },
        "pcap-decrypted": { type: "string" },
        keylog: { type: "string" },
        "log-format": { type: "string" },
        "log-level": { type: "string" },
        "log-file": { type: "string" },
        "no-console": { type: "boolean" },
        "no-progress": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`gwsdk sim: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const calls = v.calls !== undefined ? Number(v.calls) : 2;
  if (!Number.isInteger(calls) || calls < 0 || calls > 1000) return fail("--calls must be an integer from 0 to 1000");
  const durationS = v.duration !== undefined ? Number(v.duration) : 5;
  if (!Number.isFinite(durationS) || durationS < 0.2 || durationS > 86400) return fail("--duration must be a number of seconds from 0.2 to 86400");
  const direction = (v.direction ?? "both") as SimDirection;
  if (!["in", "out", "both"].includes(direction)) return fail("--direction must be in, out or both");
  let srtpMode;
  if (v["srtp-mode"] !== undefined) {
    srtpMode = SRTP_MODES[v["srtp-mode"]];
    if (!srtpMode) return fail("--srtp-mode must be required, optional or not-supported");
  }
  if (v.fips && v.keylog) return fail("--fips refuses --keylog: FIPS mode never writes key material (ERR_SIM_OPTIONS)");
  const logFormat = (v["log-format"] ?? "text") as LogFormat;
  if (logFormat !== "text" && logFormat !== "json") return fail("--log-format must be text or json");
  const logLevel = (v["log-level"] ?? (v["log-file"] ? "info" : "warn")) as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(logLevel)) return fail("--log-level must be debug, info, warn or error");
  // The board is read once here too: its console section decides whether the console starts.
  const board = loadBoard(v.board ?? "sim");

  // stderr: progress line (redrawn in place on a terminal) and, without --log-file, the logs.
  const tty = process.stderr.isTTY === true && !v["no-progress"];
  let shown = false;
  const clearLine = () => {
    if (shown) {
      process.stderr.write("\r\x1b[K");
      shown = false;
    }
  };
  let logFile: WriteStream | undefined;
  if (v["log-file"]) {
    mkdirSync(dirname(v["log-file"]), { recursive: true });
    logFile = createWriteStream(v["log-file"], { flags: "a" });
  }
  const logger = new Logger({
    format: logFormat,
    level: logLevel,
    write: logFile
      ? (line) => logFile!.write(line)
      : (line) => {
          clearLine();
          process.stderr.write(line);
        },
  });
  let lastPlain = 0;
  let lastPhase = "";
  const progress = (p: SimProgress) => {
    if (v["no-progress"]) return;
    const text = `gwsdk sim: ${progressText(p)}`;
    if (tty) {
      process.stderr.write(`\r\x1b[K${text}`);
      shown = p.phase !== "done";
      if (p.phase === "done") process.stderr.write("\n");
      return;
    }
    // Not a terminal: a line per phase, and one a second while calls run.
    const now = Date.now();
    if (p.phase !== lastPhase || (p.phase === "calls" && now - lastPlain >= 1000)) {
      process.stderr.write(text + "\n");
      lastPlain = now;
      lastPhase = p.phase;
    }
  };

  const ac = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    clearLine();
    process.stderr.write("gwsdk sim: stopping (Ctrl-C again to quit at once)…\n");
    ac.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // The stacks load only now that the options are good.
  const [{ runSimulator }, { formatReport }, { startSimConsole }] = await Promise.all([import("../sim/simulator.js"), import("../sim/report.js"), import("../sim/console.js")]);
  let console_: SimConsole | undefined;
  let report: SimReport;
  try {
    report = await runSimulator({
      stateDir: v.state ?? DEFAULT_SIM_STATE_DIR,
      board: v.board ?? "sim",
      calls,
      durationS,
      direction,
      fips: !!v.fips,
      tls12: !!v["tls1.2"],
      ...(srtpMode ? { srtpMode } : {}),
      mki: !v["no-mki"],
      failover: !!v.failover,
      ...(v.pcap ? { pcap: v.pcap } : {}),
      ...(v["pcap-decrypted"] ? { pcapDecrypted: v["pcap-decrypted"] } : {}),
      ...(v.keylog ? { keylog: v.keylog } : {}),
      logger,
      progress,
      note: (m) => {
        clearLine();
        process.stderr.write(`gwsdk sim: first run: ${m}\n`);
      },
      signal: ac.signal,
      onGateway: async (gw, pool) => {
        if (v["no-console"] || !board.console.enabled) return;
        try {
          console_ = await startSimConsole({ board, gateway: gw, pool, stateDir: v.state ?? DEFAULT_SIM_STATE_DIR });
          if (console_) {
            clearLine();
            process.stderr.write(`gwsdk sim: web console at ${console_.url}\n`);
          }
        } catch (e) {
          logger.warn("console.failed", { code: (e as { code?: string }).code, msg: (e as Error).message });
        }
      },
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await console_?.close().catch(() => undefined);
    clearLine();
    if (logFile) await new Promise<void>((r) => logFile!.end(() => r()));
  }
  process.stdout.write(v.json ? JSON.stringify(report, null, 2) + "\n" : formatReport(report));
  return report.ok ? 0 : report.interrupted ? 130 : 1;
}
