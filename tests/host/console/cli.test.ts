// `gwsdk console`: off on boards with console.enabled = false (unless --enable), on for sim; serves
// HTTPS on the management address until SIGTERM; with --demo, shows the simulator's gateway (our MTLS,
// the core's SRTP) over its own store. Runs the real CLI in a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { rmSync, statSync, writeFileSync } from "node:fs";
import { PasswordFile } from "../../../host/console/auth.js";
import { loadBoard } from "../../../host/boards/board.js";
import { startBoardConsole } from "../../../host/console/server.js";
import { ConsoleError } from "../../../host/console/errors.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { prepareSimState } from "../../../host/sim/state.js";
import { httpsGet, httpsJson, tmpDir } from "./helpers.js";

const CLI = join(REPO_ROOT, "dist", "host", "cli", "main.js");

test("boards: the console is off on real boards and on for sim", async () => {
  assert.equal(loadBoard("base").console.enabled, false);
  assert.equal(loadBoard("arm64-linux").console.enabled, false);
  assert.equal(loadBoard("sim").console.enabled, true);
  await assert.rejects(startBoardConsole(loadBoard("arm64-linux"), { stateDir: "/nonexistent" }), (e: unknown) => e instanceof ConsoleError && e.code === "ERR_CONSOLE_DISABLED");
  const dir = tmpDir("console-cli");
  try {
    const r = spawnSync(process.execPath, [CLI, "console", "--board", "arm64-linux", "--store", join(dir, "store"), "--port", "0"], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ERR_CONSOLE_DISABLED/);
    const u = spawnSync(process.execPath, [CLI, "console", "--port", "99999"], { encoding: "utf8" });
    assert.equal(u.status, 2);
    // provisioning the password without starting the console
    writeFileSync(join(dir, "pw.txt"), "provisioned password 1\n");
    const p = spawnSync(process.execPath, [CLI, "console", "--board", "arm64-linux", "--store", join(dir, "store"), "--set-password-file", join(dir, "pw.txt")], { encoding: "utf8" });
    assert.equal(p.status, 0, p.stderr);
    const pf = await PasswordFile.open(join(dir, "console", "console-auth.json"));
    assert.equal(await pf.verify("provisioned password 1"), true);
    assert.equal(statSync(join(dir, "console", "console-auth.json")).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gwsdk console on the sim board: HTTPS on 127.0.0.1, first-use state, stops on SIGTERM", async (t) => {
  const dir = tmpDir("console-cli");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [CLI, "console", "--store", join(dir, "store"), "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => (out += d));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in: ${out}`)), 15000);
    child.stdout.on("data", () => {
      const m = /open (https:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const port = Number(/:(\d+)\/$/.exec(url)![1]);
  const r = await httpsGet(port, "/api/session", { host: `127.0.0.1:${port}` });
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).passwordSet, false);
  assert.match(out, /console state .*console-cli-[^/]+\/console/);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});

/** Starts `gwsdk console ARGS` and resolves with the URL it prints. */
function startConsole(args: string[]): Promise<{ child: ReturnType<typeof spawn>; port: number; output: () => string }> {
  const child = spawn(process.execPath, [CLI, "console", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in: ${out}`)), 30_000);
    child.stdout!.on("data", () => {
      const m = /open https:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out });
      }
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

test("gwsdk console --demo: the simulator's gateway (our MTLS both ways, SRTP calls) over its own store", { timeout: 60_000 }, async (t) => {
  const dir = tmpDir("console-demo");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // --store and --sim-state are refused where they make no sense
  const bad = spawnSync(process.execPath, [CLI, "console", "--demo", "--store", join(dir, "x")], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--sim-state instead of --store/);
  assert.equal(spawnSync(process.execPath, [CLI, "console", "--sim-state", dir], { encoding: "utf8" }).status, 2);

  // A state made beforehand with P-256 keys (the CLI's first run makes RSA 2048 ones, slower).
  const simState = join(dir, "sim");
  await prepareSimState(simState, { keyType: "p256" });
  const { child, port, output } = await startConsole(["--demo", "--sim-state", simState, "--port", "0"]);
  t.after(() => child.kill("SIGKILL"));
  const s0 = await httpsJson(port, "GET", "/api/session");
  assert.equal(s0.status, 200);
  const setup = await httpsJson(port, "POST", "/api/setup", { cookie: s0.cookie, csrf: s0.json.csrfToken, json: { password: "demo console password" } });
  assert.equal(setup.status, 200, JSON.stringify(setup.json));
  const st = await httpsJson(port, "GET", "/api/status", { cookie: setup.cookie });
  assert.equal(st.status, 200, JSON.stringify(st.json));
  assert.equal(st.json.gateway.name, "gw1.sim.gwsdk.test");
  const up = st.json.links.filter((l: { state: string }) => l.state === "up");
  assert.equal(up.length, 4, JSON.stringify(st.json.links));
  for (const l of up) {
    assert.equal(l.tlsVersion, "TLSv1.3");
    assert.match(l.cipherSuite, /^TLS_AES_/);
    assert.equal(l.peerSubject, "CN=mspool.sim.gwsdk.test");
  }
  assert.deepEqual(st.json.calls.map((c: { direction: string }) => c.direction).sort(), ["inbound", "outbound"]);
  for (const c of st.json.calls) {
    assert.equal(c.state, "confirmed");
    assert.equal(c.srtp.profile, "AES_CM_128_HMAC_SHA1_80");
    assert.ok(c.tx.packets > 0 && c.rx.packets > 0);
  }
  // the console serves the gateway's own store: its enrolled identity
  const certs = await httpsJson(port, "GET", "/api/certs", { cookie: setup.cookie });
  assert.equal(certs.status, 200);
  assert.match(JSON.stringify(certs.json), /gw1\.sim\.gwsdk\.test/);
  assert.match(output(), new RegExp(`console state ${join(simState, "console").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  assert.equal(await exited, 0, output());
  assert.match(output(), /demo trunk stopped: 4 MTLS links, calls: c1 outbound AES_CM_128_HMAC_SHA1_80 \d+\/\d+ packets, c2 inbound/);
});
