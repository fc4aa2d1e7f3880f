// `gwsdk conformance ...`: the conformance kit for vendors' QA and field engineers
// (docs/conformance.md). Exit status: 0 when nothing failed (WARN and SKIP allowed), 1 when a check
// failed or is not implemented, 2 for a usage error. `--json` prints one JSON document
// (docs/schemas/conformance-<command>.schema.json); `--junit FILE` also writes JUnit XML.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { runCoreConformance, coreSuiteIds } from "../conformance/core.js";
import { coreReportText, coreReportJunit } from "../conformance/core-output.js";
import { runPeerConformance } from "../conformance/peer/index.js";
import { runSrtpConformance } from "../conformance/srtp.js";
import { srtpReportText, srtpReportJunit } from "../conformance/srtp-output.js";
import { peerReportText, peerReportJunit } from "../conformance/peer-output.js";
import { exitStatusOf, type Verdict } from "../conformance/report.js";

export interface ConformanceIo {
  stdout(s: string): void;
  stderr(s: string): void;
  writeFile(path: string, data: string): Promise<void>;
}

const USAGE = `usage: gwsdk conformance <command> [options]

commands:
  core [--wasm FILE | --variant simd|scalar] [--suite ID]... [--vectors DIR]
        every known-answer vector the SDK ships and the power-on self-test, against a core build
        (a shipped one, or the .wasm built for a board)
  srtp --libsrtp [--wasm FILE | --variant simd|scalar] [--packets N]
        byte-for-byte SRTP/SRTCP differential of the core's SRTP engine against the system
        libsrtp, every profile both support (skipped, with the install command, without libsrtp)
  peer HOST:PORT --store DIR --servername FQDN [--identity NAME] [--device-key FILE] [--timeout MS]
       [--call [--to NUMBER] [--from NUMBER] [--call-seconds N] [--answer-timeout MS]]
        probe a peer (Mediation Server): TCP, TLS versions, certificate, mutual TLS, SIP OPTIONS,
        and with --call a test call (INVITE with SDES, SRTP both ways, BYE)

options for every command:
  --json          print the report as JSON (docs/schemas/conformance-<command>.schema.json)
  --junit FILE    also write the report as JUnit XML to FILE

exit status: 0 nothing failed (WARN/SKIP allowed), 1 a check failed or is not implemented, 2 usage
`;

class UsageError extends Error {}

const COMMON = {
  json: { type: "boolean" },
  junit: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const OPTIONS: Record<string, NonNullable<ParseArgsConfig["options"]>> = {
  core: { wasm: { type: "string" }, variant: { type: "string" }, suite: { type: "string", multiple: true }, vectors: { type: "string" } },
  srtp: { libsrtp: { type: "boolean" }, wasm: { type: "string" }, variant: { type: "string" }, packets: { type: "string" } },
  peer: {
    store: { type: "string" },
    "device-key": { type: "string" },
    servername: { type: "string" },
    identity: { type: "string" },
    timeout: { type: "string" },
    call: { type: "boolean" },
    to: { type: "string" },
    from: { type: "string" },
    "call-seconds": { type: "string" },
    "answer-timeout": { type: "string" },
  },
};

function defaultIo(): ConformanceIo {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    writeFile: (p, d) => writeFile(p, d, "utf8"),
  };
}

interface Rendered {
  status: Verdict;
  json: unknown;
  text: string;
  junit: string;
}

export async function conformanceCommand(argv: string[], ioOverride: Partial<ConformanceIo> = {}): Promise<number> {
  const io = { ...defaultIo(), ...ioOverride };
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
      io.stdout(USAGE);
      return cmd ? 0 : 2;
    }
    const opts = OPTIONS[cmd];
    if (!opts) throw new UsageError(`unknown command "conformance ${cmd}"`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...COMMON, ...opts }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (v.help) {
      io.stdout(USAGE);
      return 0;
    }
    let rendered: Rendered;
    switch (cmd) {
      case "core":
        rendered = await core(v, parsed.positionals);
        break;
      case "peer":
        rendered = await peer(v, parsed.positionals);
        break;
      case "srtp":
        rendered = await srtp(v, parsed.positionals);
        break;
      default:
        throw new UsageError(`unknown command "conformance ${cmd}"`);
    }
    if (typeof v.junit === "string") await io.writeFile(resolve(v.junit), rendered.junit);
    io.stdout(v.json ? JSON.stringify(rendered.json, null, 2) + "\n" : rendered.text);
    return exitStatusOf(rendered.status);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gwsdk conformance: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function coreChoice(cmd: string, v: Record<string, string | boolean | string[] | undefined>): { wasm?: string; variant?: "simd" | "scalar" } {
  if (v.wasm !== undefined && v.variant !== undefined) throw new UsageError(`conformance ${cmd}: give --wasm FILE or --variant, not both`);
  if (v.variant !== undefined && v.variant !== "simd" && v.variant !== "scalar") throw new UsageError(`conformance ${cmd}: --variant must be simd or scalar`);
  return { ...(typeof v.wasm === "string" ? { wasm: v.wasm } : {}), ...(typeof v.variant === "string" ? { variant: v.variant as "simd" | "scalar" } : {}) };
}

async function srtp(v: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<Rendered> {
  if (positionals.length) throw new UsageError(`conformance srtp: unexpected argument "${positionals[0]}"`);
  if (!v.libsrtp) throw new UsageError("conformance srtp: --libsrtp is required (libsrtp is the reference this differential runs against)");
  const packets = intOption(v, "packets", 8, 100000);
  const report = await runSrtpConformance({ ...coreChoice("srtp", v), ...(packets !== undefined ? { packets } : {}) });
  return { status: report.summary.status, json: report, text: srtpReportText(report), junit: srtpReportJunit(report) };
}

async function core(v: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<Rendered> {
  if (positionals.length) throw new UsageError(`conformance core: unexpected argument "${positionals[0]}"`);
  coreChoice("core", v);
  const suites = v.suite as string[] | undefined;
  if (suites) {
    const known = coreSuiteIds();
    for (const s of suites) if (!known.includes(s)) throw new UsageError(`conformance core: unknown suite "${s}" (one of ${known.join(", ")})`);
  }
  const report = await runCoreConformance({
    ...(typeof v.wasm === "string" ? { wasm: v.wasm } : {}),
    ...(typeof v.variant === "string" ? { variant: v.variant as "simd" | "scalar" } : {}),
    ...(typeof v.vectors === "string" ? { vectorsDir: v.vectors } : {}),
    ...(suites ? { suites } : {}),
  });
  return { status: report.summary.status, json: report, text: coreReportText(report), junit: coreReportJunit(report) };
}

function intOption(v: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** HOST:PORT, [IPv6]:PORT, or HOST (port 5067, the Mediation Server's TLS port). */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m || !m[1]) throw new UsageError(`conformance peer: "${s}" is not HOST:PORT`);
  const port = m[2] === undefined ? 5067 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`conformance peer: bad port in "${s}"`);
  return { host: m[1], port };
}

async function peer(v: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<Rendered> {
  if (positionals.length !== 1) throw new UsageError("conformance peer: expected HOST:PORT");
  const { host, port } = parseHostPort(positionals[0]!);
  if (typeof v.store !== "string") throw new UsageError("conformance peer: --store DIR is required (the gateway's certificate store)");
  if (typeof v.servername !== "string") throw new UsageError("conformance peer: --servername FQDN is required (the Mediation pool FQDN its certificate carries)");
  for (const o of ["to", "from", "call-seconds", "answer-timeout"]) if (v[o] !== undefined && !v.call) throw new UsageError(`conformance peer: --${o} goes with --call`);
  const timeoutMs = intOption(v, "timeout", 100, 120000);
  const callSeconds = intOption(v, "call-seconds", 1, 60);
  const answerTimeoutMs = intOption(v, "answer-timeout", 1000, 300000);
  const report = await runPeerConformance({
    host,
    port,
    servername: v.servername,
    store: resolve(v.store),
    ...(typeof v.identity === "string" ? { identity: v.identity } : {}),
    ...(typeof v["device-key"] === "string" ? { deviceKey: resolve(v["device-key"]) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(v.call ? { call: true } : {}),
    ...(typeof v.to === "string" ? { to: v.to } : {}),
    ...(typeof v.from === "string" ? { from: v.from } : {}),
    ...(callSeconds !== undefined ? { callSeconds } : {}),
    ...(answerTimeoutMs !== undefined ? { answerTimeoutMs } : {}),
  });
  return { status: report.summary.status, json: report, text: peerReportText(report), junit: peerReportJunit(report) };
}
