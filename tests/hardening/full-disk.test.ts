// A full disk during certificate-store writes and image updates. The test mounts a small tmpfs
// (root only; where mounting is not permitted the suite is reported skipped with the reason), fills
// it to within a few bytes of full, and runs updates: each must fail with a clear, typed error
// (ERR_CERT_STORE_IO / ERR_IMAGE_IO naming the file), leave no temporary file behind, and leave the
// store and the device exactly as they were; once space is freed the same updates succeed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, createPublicKey } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CertStore } from "../../host/certs/cert-store.js";
import { CertError } from "../../host/certs/errors.js";
import { MemoryDeviceKey } from "../../host/certs/device-key.js";
import { ImageError } from "../../host/image/format.js";
import { buildImage } from "../../host/image/build.js";
import { bootDevice, checkSlot, flashImage, readBootRecord } from "../../host/image/flash.js";
import { requireCommand } from "../helpers/system.js";
import { TestCa, rmTmp, tmpDir } from "../host/certs/pki.js";

let dir: string;
let mnt: string;
let mounted = false;
let skip: string | undefined;

before(() => {
  dir = tmpDir("full-disk");
  mnt = join(dir, "mnt");
  mkdirSync(mnt);
  if (process.getuid?.() !== 0) {
    skip = "mounting a tmpfs needs root (run as root, or in CI)";
    return;
  }
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", mnt], { encoding: "utf8" });
  if (r.status !== 0) skip = `mounting a tmpfs is not permitted here: ${(r.stderr || r.error?.message || "").trim()}`;
  else mounted = true;
});

after(() => {
  if (mounted) spawnSync("umount", [mnt]);
  rmTmp(dir);
});

/** Fills the file system of `where` until fewer than `leave` bytes are free; returns the filler's path. */
function fill(where: string, leave: number): string {
  const f = join(where, `filler-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(f, "w");
  try {
    for (const chunk of [1 << 20, 64 << 10, 4096, 512, 64, 1]) {
      const b = Buffer.alloc(chunk, 0x5a);
      for (;;) {
        const st = statfsSync(where);
        const avail = st.bavail * st.bsize;
        if (avail <= leave + chunk) break;
        try {
          writeSync(fd, b);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return f;
}

function stray(d: string): string[] {
  const out: string[] = [];
  const walk = (x: string) => {
    for (const e of readdirSync(x, { withFileTypes: true })) {
      const p = join(x, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tmp/.test(e.name)) out.push(p);
    }
  };
  if (existsSync(d)) walk(d);
  return out;
}

const openssl = requireCommand("openssl", ["version"], "openssl");

test("certificate store on a full disk: typed errors, nothing half-written, the same store afterwards", { skip: openssl.skip }, async (t) => {
  if (skip) return t.skip(skip);
  const a = TestCa.root(dir, "A", { subject: "/CN=Disk A" });
  const b = TestCa.root(dir, "B", { subject: "/CN=Disk B" });
  const storeDir = join(mnt, "store");
  const deviceKey = new MemoryDeviceKey(new Uint8Array(32).fill(3));
  const s0 = await CertStore.open(storeDir, { deviceKey });
  await s0.trustAdd(a.cert.der);
  await s0.init({ fqdn: "gw1.contoso.com", key: "p256" });
  const state = async (s: CertStore) => JSON.stringify({ l: (await s.list()).identities.map((i) => [i.name, i.state, i.csrPending]), a: (await s.trustList()).map((x) => x.fingerprintSha256), p: s.revocationPolicy });
  const before = await state(s0);
  s0.close();

  let refused = 0;
  for (const leave of [0, 200, 1000, 3000, 9000]) {
    const filler = fill(mnt, leave);
    const s = await CertStore.open(storeDir, { deviceKey });
    try {
      const ops: [string, () => Promise<unknown>][] = [
        ["trust add", () => s.trustAdd(b.cert.der)],
        ["init", () => s.init({ fqdn: "gw2.contoso.com", key: "p256", name: "two" })],
        ["renew", () => s.init({ fqdn: "gw1.contoso.com", key: "p256", renew: true })],
        ["policy", () => s.setRevocationPolicy("strict")],
      ];
      for (const [name, op] of ops) {
        try {
          await op();
          // it fitted (enough was left for this one): undo it so every case starts from the same store
          if (name === "trust add") await s.trustRemove((await s.trustList()).find((x) => x.subject === "CN=Disk B")!.fingerprintSha256);
          if (name === "policy") await s.setRevocationPolicy("default");
        } catch (e) {
          assert.ok(e instanceof CertError, `${name} with ${leave} bytes free threw ${String(e)}`);
          assert.equal(e.code, "ERR_CERT_STORE_IO", `${name}: ${e.message}`);
          assert.match(e.message, /no space|ENOSPC/i, "the error says the disk is full");
          refused++;
        }
        assert.deepEqual(stray(storeDir), [], `${name}: a temporary file was left behind`);
      }
    } finally {
      s.close();
    }
    rmSync(filler);
    const again = await CertStore.open(storeDir, { deviceKey });
    try {
      assert.deepEqual(await again.verifyIntegrity(), []);
      const now = await state(again);
      // operations that fitted were undone above, except new identities: allow "two" to exist
      assert.equal(JSON.parse(now).a.join(), JSON.parse(before).a.join(), "trust anchors unchanged");
      assert.ok(JSON.parse(now).p === "default");
    } finally {
      again.close();
    }
  }
  assert.ok(refused >= 8, `${refused} updates refused for lack of space`);
  const s = await CertStore.open(storeDir, { deviceKey });
  await s.trustAdd(b.cert.der); // with space again, the update goes through
  assert.equal((await s.trustList()).length, 2);
  s.close();
  console.log(`# full disk: ${refused} store updates refused with ERR_CERT_STORE_IO, store intact each time`);
});

test("image flash on a full disk: a typed error, the active slot untouched and still booting", { timeout: 10 * 60_000 }, async (t) => {
  if (skip) return t.skip(skip);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const keyFile = join(dir, "sign.key");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  const v5 = join(dir, "v5.gwimg");
  const v6 = join(dir, "v6.gwimg");
  await buildImage({ board: "sim", signKey: keyFile, out: v5, imageVersion: 5 });
  await buildImage({ board: "sim", signKey: keyFile, out: v6, imageVersion: 6 });
  const device = join(mnt, "device");
  assert.equal(flashImage({ image: readFileSync(v5), device, pubkey: createPublicKey(privateKey) }).booted, true);
  const bootBefore = JSON.stringify(readBootRecord(device));
  const filler = fill(mnt, 4096);
  try {
    flashImage({ image: readFileSync(v6), device });
    assert.fail("flashing onto a full disk succeeded");
  } catch (e) {
    assert.ok(e instanceof ImageError, `flash on a full disk threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} instead of an ImageError`);
    assert.equal((e as ImageError).code, "ERR_IMAGE_IO");
  }
  assert.equal(JSON.stringify(readBootRecord(device)), bootBefore, "the boot record is unchanged");
  checkSlot(device, readBootRecord(device).active!);
  assert.equal(bootDevice(device).booted, true, "the device still boots its active slot");
  rmSync(filler);
  const r = flashImage({ image: readFileSync(v6), device });
  assert.equal(r.booted, true, "with space again, the update goes through");
});
