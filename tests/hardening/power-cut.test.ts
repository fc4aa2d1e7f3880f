// Power cuts during certificate-store and firmware-image updates: a child process updates in a loop
// and is SIGKILLed (its whole process group) at a random moment, many times; after every cut the
// device "powers on" and must find a valid store (every file authenticates, every anchor whole) and
// a bootable image (the boot record readable, the active slot complete and good after the boot
// self-test, the data partition untouched), and must still accept the next update.
//
// The store child is tests/host/certs/crash-child.ts (the loop of `npm test`'s crash test, reused
// with more kills and wider timing here). A SIGKILL does not drop the page cache the way a real
// power loss does; what covers that is the fsync / rename / fsync-directory order of every write,
// exercised step by step by the store's fault-injection test (tests/host/certs/crash.test.ts) and
// described in docs/hardening.md.
//
// GWSDK_HARDENING_POWER_CUTS (default 40): cuts per loop.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CertStore } from "../../host/certs/cert-store.js";
import { buildImage } from "../../host/image/build.js";
import { bootDevice, checkSlot, dataFiles, flashImage, readBootRecord } from "../../host/image/flash.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { requireCommand } from "../helpers/system.js";
import { TestCa, rmTmp, tmpDir } from "../host/certs/pki.js";

const CUTS = Number(process.env.GWSDK_HARDENING_POWER_CUTS ?? 40);
const STORE_CHILD = join(REPO_ROOT, "dist", "tests", "host", "certs", "crash-child.js");
const FLASH_CHILD = fileURLToPath(new URL("./flash-child.js", import.meta.url));
const openssl = requireCommand("openssl", ["version"], "openssl");

let dir: string;
before(() => {
  dir = tmpDir("power-cut");
});
after(() => rmTmp(dir));

/** Starts a child in its own process group; resolves once it printed "ready". */
async function startChild(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((res, rej) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && res());
    child.on("exit", (code) => rej(new Error(`child exited early (${code}): ${err}`)));
  });
  return child;
}

/** The power cut: SIGKILL to the child's whole process group (it and anything it spawned). */
async function cut(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    /* already gone */
  }
  await exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`certificate store: ${CUTS} power cuts during updates leave it valid (old or new state, never broken)`, { skip: openssl.skip, timeout: 30 * 60_000 }, async () => {
  const a = TestCa.root(dir, "A", { subject: "/CN=Anchor A" });
  const b = TestCa.root(dir, "B", { subject: "/CN=Anchor B" });
  writeFileSync(join(dir, "a.der"), a.cert.der);
  writeFileSync(join(dir, "b.der"), b.cert.der);
  const storeDir = join(dir, "device", "data", "store");
  let midWrite = 0;
  for (let k = 0; k < CUTS; k++) {
    const child = await startChild([STORE_CHILD, storeDir, join(dir, "a.der"), join(dir, "b.der")]);
    await sleep(Math.floor(Math.random() * 400));
    await cut(child);
    if (walk(storeDir).some((f) => f.includes(".tmp-"))) midWrite++;
    const store = await CertStore.open(storeDir);
    try {
      assert.deepEqual(await store.verifyIntegrity(), [], `after cut ${k}`);
      const list = await store.list();
      assert.deepEqual(list.problems, [], `after cut ${k}`);
      for (const t of list.anchors) assert.ok(["CN=Anchor A", "CN=Anchor B"].includes(t.subject), t.subject);
      for (const i of list.identities) assert.match(await store.csr(i.name), /^-----BEGIN CERTIFICATE REQUEST-----/);
      assert.ok(!walk(storeDir).some((f) => f.includes(".tmp-")), "temporary files are cleaned on open");
      await store.trustAdd(a.cert.der); // and it takes the next update
    } finally {
      store.close();
    }
  }
  console.log(`# store: ${CUTS} power cuts, ${midWrite} landed in the middle of a write`);
});

test(`firmware images: ${CUTS} power cuts during A/B updates; every power-on boots a complete, good slot`, { timeout: 30 * 60_000 }, async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const keyFile = join(dir, "sign.key");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  const junk = join(dir, "junk.wasm");
  writeFileSync(junk, randomBytes(512));
  const img = (v: number) => join(dir, `v${v}.gwimg`);
  await buildImage({ board: "sim", signKey: keyFile, out: img(5), imageVersion: 5 });
  await buildImage({ board: "sim", signKey: keyFile, out: img(6), imageVersion: 6 });
  // validly signed, but its core cannot pass the boot self-test: exercises the roll-back path too
  await buildImage({ board: "sim", signKey: keyFile, out: img(7), imageVersion: 7, coreOverride: { simd: junk, scalar: junk } });
  const device = join(dir, "device-img");
  mkdirSync(join(device, "data"), { recursive: true });
  writeFileSync(join(device, "data", "keep.json"), '{"keep":true}');
  const pub = (await import("node:crypto")).createPublicKey(privateKey);
  const first = flashImage({ image: readFileSync(img(5)), device, pubkey: pub });
  assert.equal(first.booted, true);
  const data = dataFiles(device);

  let midFlash = 0;
  let rolledBack = 0;
  const t0 = performance.now();
  for (let k = 0; k < CUTS; k++) {
    const child = await startChild([FLASH_CHILD, device, img(6), img(7), img(5)]);
    await sleep(Math.floor(Math.random() * 2500));
    await cut(child);
    if (existsSync(join(device, ".slot-a.tmp")) || existsSync(join(device, ".slot-b.tmp")) || existsSync(join(device, ".slot-a.old")) || existsSync(join(device, ".slot-b.old"))) midFlash++;
    // power-on
    const rec = readBootRecord(device); // must not throw: the boot record is written atomically
    assert.ok(rec.active, `after cut ${k}: no active slot`);
    const r = bootDevice(device);
    if (!r.booted) rolledBack++;
    const boot = readBootRecord(device);
    assert.ok(boot.active, `after cut ${k}: nothing bootable (${r.bootLog ?? ""})`);
    assert.equal(boot.slots[boot.active]!.state, "good", `after cut ${k}: the active slot is not good`);
    checkSlot(device, boot.active); // every part of the active slot matches its manifest
    if (!r.booted) {
      // the roll-back landed on a slot that must itself boot
      const again = bootDevice(device);
      assert.equal(again.booted, true, `after cut ${k}: the slot rolled back to does not boot`);
    }
    assert.deepEqual(dataFiles(device), data, "the data partition is untouched");
  }
  const next = flashImage({ image: readFileSync(img(6)), device, allowDowngrade: true });
  assert.equal(next.booted, true, "the device still takes an update after the cuts");
  console.log(`# images: ${CUTS} power cuts in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${midFlash} in the middle of writing a slot, ${rolledBack} power-ons rolled back`);
});

function walk(d: string): string[] {
  if (!existsSync(d)) return [];
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...walk(join(d, e.name)));
    else out.push(join(d, e.name));
  }
  return out;
}
