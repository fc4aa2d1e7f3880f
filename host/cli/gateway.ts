// `gwsdk gateway --board NAME --config FILE`: runs the gateway alone, the way a device runs it, until
// SIGINT/SIGTERM. See docs/gateway-config.md and docs/skype-for-business.md.
import { parseArgs } from "node:util";
import { createWriteStream, type WriteStream } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadBoard } from "../boards/board.js";
import { readConfigFile, resolveConfig } from "../gateway/config.js";
import { Gateway, type GatewayCallRecord } from "../gateway/gateway.js";
import { Logger, type LogFormat, type LogLevel } from "../gateway/log.js";
import { PcapWriter } from "../gateway/pcap.js";

const USAGE = `usage: gwsdk gateway --board NAME --config FILE [options]

Runs the gateway: listens for the Mediation Server (MTLS), connects to the pool members (MTLS,
OPTIONS health, failover), answers and places calls with SDES-keyed SRTP. Stops on Ctrl-C/SIGTERM.

options:
  --board NAME|FILE        board definition (default sim)
  --config FILE            deployment config (JSON, docs/schemas/gateway-config.schema.json)
  --log-format text|json   override the config's log.format (json: one object per line)
  --log-level LEVEL        override the config's log.level
  --call NUMBER            place a test call to NUMBER once the pool answers (repeatable)
  --call-from NUMBER       caller number of test calls (default +10000000000)
  --call-duration S        hang test calls up after S seconds (default 10)
  --pcap FILE              the media as sent and received (SRTP), libpcap
  --pcap-decrypted FILE    the same media after SRTP
  --keylog FILE            TLS secrets (SSLKEYLOGFILE format), for Wireshark; refused in FIPS mode
  --no-console             do not start the web console even when the board enables it
  --console-state DIR      the console's password file and HTTPS identity (default: beside the store)
`;

export async function gatewayCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        board: { type: "string" },
        config: { type: "string" },
        "log-format": { type: "string" },
        "log-level": { type: "string" },
        call: { type: "string", multiple: true },
        "call-from": { type: "string" },
        "call-duration": { type: "string" },
        pcap: { type: "string" },
        "pcap-decrypted": { type: "string" },
        keylog: { type: "string" },
        "no-console": { type: "boolean" },
        "console-state": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`gwsdk gateway: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!v.config) {
    process.stderr.write(`gwsdk gateway: --config FILE is required\n${USAGE}`);
    return 2;
  }
  const callDuration = v["call-duration"] !== undefined ? Number(v["call-duration"]) : 10;
  if (!Number.isFinite(callDuration) || callDuration <= 0) {
    process.stderr.write("gwsdk gateway: --call-duration must be a positive number of seconds\n");
    return 2;
  }
  const board = loadBoard(v.board ?? "sim");
  const config = resolveConfig(board, readConfigFile(v.config));
  if (v["log-format"] !== undefined) {
    if (v["log-format"] !== "text" && v["log-format"] !== "json") {
      process.stderr.write("gwsdk gateway: --log-format must be text or json\n");
      return 2;
    }
    config.log.format = v["log-format"] as LogFormat;
  }
  if (v["log-level"] !== undefined) {
    if (!["debug", "info", "warn", "error"].includes(v["log-level"])) {
      process.stderr.write("gwsdk gateway: --log-level must be debug, info, warn or error\n");
      return 2;
    }
    config.log.level = v["log-level"] as LogLevel;
  }
  if (v.keylog && config.tls.fips) {
    process.stderr.write("gwsdk gateway: ERR_GATEWAY_STATE: FIPS mode refuses --keylog\n");
    return 2;
  }
  const log = new Logger({ format: config.log.format, level: config.log.level });
  let keylog: WriteStream | undefined;
  if (v.keylog) keylog = createWriteStream(v.keylog, { flags: "a", mode: 0o600 });
  const pcap = v.pcap ? new PcapWriter(v.pcap) : undefined;
  const pcapPlain = v["pcap-decrypted"] ? new PcapWriter(v["pcap-decrypted"]) : undefined;

  const gw = await Gateway.start({
    board,
    config,
    logger: log,
    ...(keylog ? { keylog: (line: string) => keylog!.write(line + "\n") } : {}),
    ...(pcap || pcapPlain
      ? {
          tap: (p) => {
            const [src, dst] = p.direction === "tx" ? [p.local, p.remote] : [p.remote, p.local];
            pcap?.udp(src, dst, p.wire);
            if (p.plain) pcapPlain?.udp(src, dst, p.plain);
          },
        }
      : {}),
  });

  // The web console, when the board enables it, over this gateway's data source and store.
  let console_: { url: string; close(): Promise<void> } | undefined;
  if (board.console.enabled && !v["no-console"]) {
    try {
      const { startBoardConsole } = await import("../console/server.js");
      const { GatewayDataSource } = await import("../gateway/console-source.js");
      const source = new GatewayDataSource(gw);
      const server = await startBoardConsole(board, { stateDir: v["console-state"] ?? join(dirname(resolve(config.store)), "console"), store: gw.store, dataSource: source });
      console_ = { url: server.url, close: async () => (await server.close(), source.close()) };
      log.info("console.ready", { url: server.url });
    } catch (e) {
      log.warn("console.failed", { code: (e as { code?: string }).code, msg: (e as Error).message });
    }
  }

  let stopping = false;
  const done = new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      log.info("gateway.stopping", { signal: sig });
      resolve();
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });

  // Test calls: once a pool member answered OPTIONS (or after 2 s), each for --call-duration.
  const tests: Promise<void>[] = [];
  if (v.call?.length) {
    const t0 = Date.now();
    while (!stopping && Date.now() - t0 < 2000 && !gw.links().some((l) => l.direction === "outbound" && l.state === "up")) await new Promise((r) => setTimeout(r, 50));
    for (const to of v.call) {
      tests.push(
        (async () => {
          const r: GatewayCallRecord = await gw.place(to, v["call-from"] ?? "+10000000000");
          if (r.outcome !== "active") return;
          const end = Date.now() + callDuration * 1000;
          while (!stopping && r.outcome === "active" && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
          if (r.outcome === "active") await gw.hangup(r, "completed");
        })(),
      );
    }
  }
  await done;
  await console_?.close().catch(() => undefined);
  await gw.stop("interrupted");
  await Promise.all(tests).catch(() => undefined);
  pcap?.close();
  pcapPlain?.close();
  if (keylog) await new Promise<void>((r) => keylog!.end(() => r()));
  const failed = gw.calls().filter((c) => !["completed", "interrupted"].includes(c.outcome));
  log.info("gateway.exit", { calls: gw.calls().length, failed: failed.length });
  return 0;
}
