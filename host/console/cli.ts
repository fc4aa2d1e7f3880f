// `gwsdk console`: runs the web console on its own, over the board's certificate store, until
// interrupted. With --demo it runs the simulator's gateway and Mediation pool beside it (the gateway
// as `gwsdk gateway` boots it: our MTLS both ways, the core's SRTP; one call each way) and shows
// that, over the gateway's own store, as `gwsdk sim` does. The gateway process starts the console
// itself (ConsoleServer.start / startBoardConsole) with its real data source.
import { parseArgs } from "node:util";
import { dirname, join, resolve } from "node:path";
import { CertStore, SIM_DEFAULT_STORE } from "../certs/cert-store.js";
import type { DemoTrunk } from "./demo-trunk.js";
import { loadBoard } from "../boards/board.js";
import type { ConsoleDataSource } from "./data-source.js";
import { EmptyDataSource } from "./data-source.js";
import { startBoardConsole } from "./server.js";
import type { ConsoleTlsChoice } from "./console-tls.js";

const USAGE = `usage: gwsdk console [options]

Runs the gateway web console (HTTPS) until interrupted.

options:
  --board ID|FILE       board definition (default sim); its console section gives bind, port, enabled
  --store DIR           certificate store (default: $GWSDK_STORE, else the board's, ${SIM_DEFAULT_STORE} on sim)
  --state-dir DIR       console password file and HTTPS identity (default: DIR/../console)
  --bind ADDR           management address to listen on (default: the board's console.bind)
  --port N              port (default: the board's console.port)
  --tls auto|gateway|console
                        HTTPS identity: the gateway's once enrolled (auto), only the gateway's, or the
                        console's own self-signed one (default auto)
  --allowed-host NAME   another host name the console answers to (repeatable)
  --enable              run even where the board has the console off (console.enabled = false)
  --demo                also run the simulator's trunk on loopback and show it: the gateway booted from
                        the board (our MTLS both ways, the core's SRTP), the simulated Mediation pool,
                        one call each way; the console then serves the gateway's own store
  --sim-state DIR       with --demo: the simulator's state directory (default .gwsdk/sim, as gwsdk sim
                        --state); the store is DIR/store, the console state DIR/console
  --set-password-file F set (or replace) the console password from the first line of file F and exit
                        (provisioning: a board that ships the console on should not wait for first use)
`;

export async function consoleCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        board: { type: "string" },
        store: { type: "string" },
        "state-dir": { type: "string" },
        bind: { type: "string" },
        port: { type: "string" },
        tls: { type: "string" },
        "allowed-host": { type: "string", multiple: true },
        enable: { type: "boolean" },
        demo: { type: "boolean" },
        "sim-state": { type: "string" },
        "set-password-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`gwsdk console: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const tlsChoice = (v.tls ?? "auto") as ConsoleTlsChoice;
  if (!["auto", "gateway", "console"].includes(tlsChoice as string)) {
    process.stderr.write(`gwsdk console: --tls must be auto, gateway or console\n`);
    return 2;
  }
  const port = v.port !== undefined ? Number(v.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`gwsdk console: --port must be 0..65535\n`);
    return 2;
  }
  if (v.demo && v.store !== undefined) {
    process.stderr.write(`gwsdk console: --demo serves the simulator's store (<sim-state>/store): give --sim-state instead of --store\n`);
    return 2;
  }
  if (v["sim-state"] !== undefined && !v.demo) {
    process.stderr.write(`gwsdk console: --sim-state goes with --demo\n`);
    return 2;
  }
  const board = loadBoard(v.board ?? "sim");
  const simState = resolve(v["sim-state"] ?? ".gwsdk/sim");
  const boardStore = board.id === "sim" || board.storage.kind !== "file" || !board.storage.path ? SIM_DEFAULT_STORE : board.storage.path;
  const storeDir = v.demo ? join(simState, "store") : resolve(v.store ?? process.env.GWSDK_STORE ?? boardStore);
  const stateDir = resolve(v["state-dir"] ?? join(dirname(storeDir), "console"));

  if (v["set-password-file"]) {
    const { PasswordFile } = await import("./auth.js");
    const { readFile, mkdir } = await import("node:fs/promises");
    const pw = (await readFile(v["set-password-file"], "utf8")).split(/\r?\n/)[0] ?? "";
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const pf = await PasswordFile.open(join(stateDir, "console-auth.json"));
    await pf.change(pw);
    process.stdout.write(`console password set in ${join(stateDir, "console-auth.json")}\n`);
    return 0;
  }

  let dataSource: ConsoleDataSource = new EmptyDataSource({ name: board.id, board: board.id });
  let demo: DemoTrunk | undefined;
  let store: CertStore;
  if (v.demo) {
    const { DemoTrunk } = await import("./demo-trunk.js");
    process.stdout.write(`starting the simulator's gateway and Mediation pool (state ${simState})\n`);
    demo = await DemoTrunk.start({
      stateDir: simState,
      board: v.board ?? "sim",
      note: (m) => process.stderr.write(`gwsdk console: first run: ${m}\n`),
    });
    // The gateway's own store (one CertStore per directory in a process): what the console enrols
    // into is what the gateway serves.
    store = demo.gateway.store;
    dataSource = demo.source;
  } else {
    store = await CertStore.open(storeDir, { logger: { warn: (m) => process.stderr.write(`gwsdk console: ${m}\n`) } });
  }
  const closeAll = async () => {
    if (demo) await demo.close();
    else store.close();
  };
  const logger = { info: (m: string) => process.stdout.write(`${m}\n`), warn: (m: string) => process.stderr.write(`gwsdk console: ${m}\n`) };
  let server;
  try {
    server = await startBoardConsole(board, {
      stateDir,
      store,
      dataSource,
      tls: tlsChoice,
      ...(v["allowed-host"] ? { allowedHosts: v["allowed-host"] } : {}),
      ...(v.bind ? { bind: v.bind } : {}),
      ...(port !== undefined ? { port } : {}),
      force: !!v.enable,
      logger,
    });
  } catch (e) {
    await closeAll();
    throw e;
  }
  process.stdout.write(`store ${storeDir}; console state ${stateDir}\nopen ${server.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  if (demo) {
    const r = await demo.close();
    const calls = r.calls.map((c) => `${c.id} ${c.direction} ${c.profile ?? "RTP"} ${c.sent.packets}/${c.received.packets} packets`).join(", ");
    process.stdout.write(`demo trunk stopped: ${r.links.length} MTLS links, calls: ${calls || "none"}\n`);
  } else store.close();
  return 0;
}
