// Worker thread of `npm run fuzz`: runs one target's loop and reports crashes, new inputs and stats
// to main.ts, which watches its heartbeat (a target that stops returning is a hang).
import { parentPort, workerData } from "node:worker_threads";
import { target } from "./targets/index.js";
import { fuzzLoop } from "./engine/loop.js";

interface Data {
  target: string;
  seconds: number;
  maxRuns?: number;
  seed: number;
  variant: "simd" | "scalar";
  ctl: SharedArrayBuffer;
  buf: SharedArrayBuffer;
}

const d = workerData as Data;
const t = target(d.target);
if (!t) throw new Error(`unknown target ${d.target}`);

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.stack ?? e.cause.message}` : "";
    return `${e.stack ?? `${e.name}: ${e.message}`}${cause}`;
  }
  return String(e);
}

const stats = await fuzzLoop(t, {
  seconds: d.seconds,
  ...(d.maxRuns !== undefined ? { maxRuns: d.maxRuns } : {}),
  seed: d.seed,
  variant: d.variant,
  shared: { ctl: new Int32Array(d.ctl), buf: new Uint8Array(d.buf) },
  onCrash: (input, error, signature) => parentPort!.postMessage({ type: "crash", input, signature, detail: describe(error) }),
  onNewInput: (input, why) => parentPort!.postMessage({ type: "input", input, why }),
  onProgress: (s) => parentPort!.postMessage({ type: "progress", stats: s }),
});
parentPort!.postMessage({ type: "done", stats });
// Targets may hold servers or sockets open (mtls-server): end the thread explicitly.
process.exit(0);
