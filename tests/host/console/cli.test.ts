// `gwsdk console`: off on boards with console.enabled = false (unless --enable), on for sim; serves
// HTTPS on the management address until SIGTERM. Runs the real CLI in a child process.
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
import { httpsGet, tmpDir } from "./helpers.js";

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
