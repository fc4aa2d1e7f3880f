// Subcommand dispatch for the gwsdk CLI.
import { loadCore } from "../core/load-core.js";
import { imageCommand } from "./image.js";
import { certCommand } from "./cert.js";
import { tlsCommand } from "./tls.js";
import { conformanceCommand } from "./conformance.js";

export type Command = (argv: string[]) => Promise<number>;

const USAGE = `usage: gwsdk <command> [options]

commands:
  selftest [--variant simd|scalar]   load the core, run its power-on self-test, print a report
  image build|verify|flash|boot|status   signed firmware images and A/B slots
  sim [options]                      the desktop simulator: Mediation pool + gateway, calls both ways, report
  gateway --board NAME --config FILE run the gateway (MTLS to the Mediation pool, SRTP calls) until stopped
  cert <command>                     gateway certificates: keys, CSRs, chains, trust store, CRLs
  console [--demo]                   the gateway web console (HTTPS) on the management address
  tls connect|serve                  mutual TLS to/from a Mediation Server (like openssl s_client/s_server)
  conformance core|srtp|peer         conformance kit: core vectors, libsrtp differential, peer probe
`;

async function selftestCommand(argv: string[]): Promise<number> {
  const i = argv.indexOf("--variant");
  const variant = i >= 0 ? (argv[i + 1] as "simd" | "scalar") : undefined;
  const t0 = performance.now();
  const core = await loadCore(variant ? { variant } : {});
  const ms = performance.now() - t0;
  process.stdout.write(
    [
      `gwsdk core: ${core.variant} build, ABI ${core.fn("core_abi_version")()}, SIMD ${core.fn("core_simd")() ? "yes" : "no"}`,
      `power-on self-test: passed (load + self-test ${ms.toFixed(1)} ms)`,
      `arena: ${core.arena.end - core.arena.base} bytes at ${core.arena.base}`,
      "",
    ].join("\n"),
  );
  return 0;
}

const COMMANDS: Record<string, Command> = {
  selftest: selftestCommand,
  image: imageCommand,
  // The gateway and the simulator load the SIP/media/TLS stacks only when they run.
  sim: async (argv) => (await import("./sim.js")).simCommand(argv),
  gateway: async (argv) => (await import("./gateway.js")).gatewayCommand(argv),
  cert: certCommand,
  console: async (argv) => (await import("../console/cli.js")).consoleCommand(argv), // fastify loads only for this command
  tls: (argv) => tlsCommand(argv),
  conformance: conformanceCommand,
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`gwsdk: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  return cmd(rest);
}
