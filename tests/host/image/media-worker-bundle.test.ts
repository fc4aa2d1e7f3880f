// A firmware image's host is one bundled script (gwsdk.mjs): on a board with core.mediaWorkers the
// media workers run that same script (host/media/workers/pool.ts), whose entry starts the media
// worker instead of the CLI when its workerData says so. Here the bundle, with the cores beside it as
// in a slot, runs as a worker: it loads the slot's core, answers the pool's protocol and carries a
// synthetic SRTP load without failures — and never starts the CLI.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { bundleHost } from "../../../host/image/build.js";
import type { FromWorker, ToWorker } from "../../../host/media/workers/protocol.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const dir = tmpDir("mwbundle");
after(() => rmTmp(dir));

test("the bundled host runs as a media worker from its slot (core beside it), not as the CLI", async () => {
  const slot = join(dir, "slot-a");
  mkdirSync(slot, { recursive: true });
  const { script } = await bundleHost();
  writeFileSync(join(slot, "gwsdk.mjs"), script);
  for (const f of ["core.wasm", "core-scalar.wasm"]) copyFileSync(join(REPO_ROOT, "build", f), join(slot, f));
  const w = new Worker(join(slot, "gwsdk.mjs"), { workerData: { index: 0, variant: "scalar", gwsdkMediaWorker: true }, stdout: true, stderr: true });
  let out = "";
  w.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  w.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const replies = new Map<number, Extract<FromWorker, { type: "ok" | "error" }>>();
  let ready = false;
  w.on("message", (m: FromWorker) => {
    if (m.type === "ready") ready = true;
    else if (m.type === "ok" || m.type === "error") replies.set(m.seq, m);
  });
  const ask = async (m: ToWorker) => {
    w.postMessage(m);
    const t0 = Date.now();
    while (!replies.has(m.seq)) {
      if (Date.now() - t0 > 15_000) throw new Error(`no reply to ${m.type}; worker output: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return replies.get(m.seq)!;
  };
  try {
    const t0 = Date.now();
    while (!ready) {
      if (Date.now() - t0 > 15_000) throw new Error(`the bundled media worker did not start; output: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const s = await ask({ type: "stats", seq: 1 });
    assert.equal(s.type, "ok");
    assert.deepEqual(s.type === "ok" && s.stats, { calls: 0, sessions: 0, sent: 0, received: 0, failures: 0 });
    const l = await ask({ type: "load", seq: 2, spec: { calls: 4, ms: 30, payload: 160, rtcpEvery: 5 } });
    assert.ok(l.type === "ok" && l.load, JSON.stringify(l));
    assert.equal(l.load.failures, 0);
    assert.ok(l.load.packets >= 8, `packets ${l.load.packets}`);
    assert.doesNotMatch(out, /Usage|gwsdk:/, "the CLI did not run in the worker");
  } finally {
    await w.terminate();
  }
});
