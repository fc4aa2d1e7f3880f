// `gwsdk conformance ...`: the conformance kit for vendors' QA and field engineers
// (docs/conformance.md). Exit status: 0 when nothing failed (WARN and SKIP allowed), 1 when a check
// failed or is not implemented, 2 for a usage error. `--json` prints one JSON document
// (docs/schemas/conformance-<command>.schema.json); `--junit FILE` also writes JUnit XML.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { runCoreConformance, coreSuiteIds } from "../conformance/core.js";
import { coreReportText, coreReportJunit } from "../conformance/core-output.js";
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
  srtp --libsrtp
        byte-for-byte SRTP/SRTCP differential against the system libsrtp, every common profile
  peer HOST:PORT --store DIR --servername FQDN [--call] [--identity NAME] [--timeout MS]
        probe a peer (Mediation Server): TCP, TLS versions, certificate, mutual TLS, SIP OPTIONS,
        and with --call an SRTP call

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

async function core(v: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<Rendered> {
  if (positionals.length) throw new UsageError(`conformance core: unexpected argument "${positionals[0]}"`);
  if (v.wasm !== undefined && v.variant !== undefined) throw new UsageError("conformance core: give --wasm FILE or --variant, not both");
  if (v.variant !== undefined && v.variant !== "simd" && v.variant !== "scalar") throw new UsageError("conformance core: --variant must be simd or scalar");
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
