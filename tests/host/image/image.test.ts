// Firmware images: build → verify; any modified byte refused; A/B flash with boot self-test,
// rollback on a broken image, anti-rollback, and data surviving updates. Runs the real CLI.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { REPO_ROOT } from "../../helpers/paths.js";
import { parseImage } from "../../../host/image/format.js";
import { verifyImage } from "../../../host/image/verify.js";
import { buildImage } from "../../../host/image/build.js";
import { readBootRecord, dataFiles } from "../../../host/image/flash.js";

const CLI = join(REPO_ROOT, "dist", "host", "cli", "main.js");
let dir: string;
let ecKey: string, ecPub: string, rsaKey: string, rsaPub: string, otherPub: string, weakKey: string;
let image: string;

function gwsdk(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function writeKeyPair(name: string, type: "ec" | "rsa", opts: object): [string, string] {
  const { privateKey, publicKey } = crypto.generateKeyPairSync(type as "ec", opts as crypto.ECKeyPairKeyObjectOptions) as crypto.KeyPairKeyObjectResult;
  const k = join(dir, `${name}.key`);
  const p = join(dir, `${name}.pub`);
  writeFileSync(k, privateKey.export({ type: "pkcs8", format: "pem" }) as string);
  writeFileSync(p, publicKey.export({ type: "spki", format: "pem" }) as string);
  return [k, p];
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gwsdk-image-"));
  [ecKey, ecPub] = writeKeyPair("ec", "ec", { namedCurve: "prime256v1" });
  [rsaKey, rsaPub] = writeKeyPair("rsa", "rsa", { modulusLength: 2048 });
  [, otherPub] = writeKeyPair("other", "ec", { namedCurve: "prime256v1" });
  [weakKey] = writeKeyPair("weak", "ec", { namedCurve: "secp256k1" });
  image = join(dir, "sim-v5.gwimg");
  const r = gwsdk("image", "build", "--board", "sim", "--sign", ecKey, "--out", image, "--image-version", "5", "--json");
  assert.equal(r.status, 0, r.stderr);
});

test("build → verify: the image holds the board's cores, the bundled host, board, SBOM; signed", () => {
  const r = gwsdk("image", "verify", "--pubkey", ecPub, image, "--json");
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout).manifest;
  assert.equal(m.boardId, "sim");
  assert.equal(m.imageVersion, 5);
  assert.deepEqual(m.parts.map((p: { name: string }) => p.name).sort(), ["board.json", "core-scalar.wasm", "core.wasm", "gwsdk.mjs", "sbom.json", "web/app.bundle.js"]);
  const sbom = JSON.parse(Buffer.from(verifyImage(readFileSync(image), crypto.createPublicKey(readFileSync(ecPub, "utf8"))).parts.get("sbom.json")!).toString());
  assert.equal(sbom.bomFormat, "CycloneDX");
  assert.ok(sbom.components.some((c: { name: string; licenses: unknown[] }) => c.name === "@assemblyscript/loader" && c.licenses.length === 1));
});

test("any modified byte is refused: header, manifest, signature and every part", () => {
  const bytes = readFileSync(image);
  const img = parseImage(bytes);
  const mlen = img.manifestBytes.length;
  const bodyStart = bytes.length - img.body.length;
  const offsets = new Set<number>([0, 7, 9, 12, 15, 16, 16 + Math.floor(mlen / 2), 16 + mlen - 1, 16 + mlen, 16 + mlen + 1, 18 + mlen + 3, bodyStart - 1, bytes.length - 1]);
  for (const p of img.manifest.parts) {
    offsets.add(bodyStart + p.offset);
    offsets.add(bodyStart + p.offset + Math.floor(p.size / 2));
  }
  const key = crypto.createPublicKey(readFileSync(ecPub, "utf8"));
  for (const off of offsets) {
    const t = Buffer.from(bytes);
    t[off] = t[off]! ^ 0x01;
    assert.throws(() => verifyImage(t, key), (e: unknown) => ["ERR_IMAGE_FORMAT", "ERR_IMAGE_SIGNATURE", "ERR_IMAGE_DIGEST"].includes((e as { code: string }).code), `byte ${off} flipped`);
  }
  // truncated and extended files too
  assert.throws(() => verifyImage(bytes.subarray(0, bytes.length - 1), key), (e: unknown) => (e as { code: string }).code === "ERR_IMAGE_FORMAT");
  assert.throws(() => verifyImage(Buffer.concat([bytes, Buffer.of(0)]), key), (e: unknown) => (e as { code: string }).code === "ERR_IMAGE_FORMAT");
  // and through the CLI: non-zero exit with the code on stderr
  const t = Buffer.from(bytes);
  t[bodyStart + 10] ^= 0x80;
  const tampered = join(dir, "tampered.gwimg");
  writeFileSync(tampered, t);
  const r = gwsdk("image", "verify", "--pubkey", ecPub, tampered);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ERR_IMAGE_DIGEST/);
});

test("the wrong public key, and unacceptable signing keys, are refused", async () => {
  const r = gwsdk("image", "verify", "--pubkey", otherPub, image);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ERR_IMAGE_SIGNATURE/);
  await assert.rejects(buildImage({ board: "sim", signKey: weakKey, out: join(dir, "weak.gwimg") }), (e: unknown) => (e as { code: string }).code === "ERR_IMAGE_KEY");
});

test("RSA-PSS signed images verify too", () => {
  const out = join(dir, "rsa.gwimg");
  assert.equal(gwsdk("image", "build", "--board", "constrained", "--sign", rsaKey, "--out", out).status, 0);
  const r = gwsdk("image", "verify", "--pubkey", rsaPub, out, "--json");
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout).manifest;
  assert.equal(m.signature.algorithm, "rsa-pss-sha256");
  assert.deepEqual(m.coreVariants, ["scalar"], "the constrained board ships only the scalar core");
});

test("flash → boot; anti-rollback; broken image rolls back; data survives", () => {
  const device = join(dir, "device");
  // Data the device already holds (certificate store, device key) must survive every update.
  mkdirSync(join(device, "data", "store"), { recursive: true });
  writeFileSync(join(device, "data", "store", "identity.json"), "{\"keep\":true}");
  writeFileSync(join(device, "data", "device.key"), "k".repeat(32));
  const before = dataFiles(device);

  let r = gwsdk("image", "flash", image, "--device", device, "--pubkey", ecPub, "--json");
  assert.equal(r.status, 0, r.stderr + r.stdout);
  let j = JSON.parse(r.stdout);
  assert.equal(j.slot, "a");
  assert.equal(j.booted, true);
  assert.equal(readBootRecord(device).minImageVersion, 5);

  // v6 goes to slot b
  const v6 = join(dir, "v6.gwimg");
  assert.equal(gwsdk("image", "build", "--board", "sim", "--sign", ecKey, "--out", v6, "--image-version", "6").status, 0);
  r = gwsdk("image", "flash", v6, "--device", device, "--json");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).slot, "b");

  // an older image is refused unless --allow-downgrade
  r = gwsdk("image", "flash", image, "--device", device);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ERR_IMAGE_ROLLBACK/);
  assert.equal(readBootRecord(device).active, "b");

  // a validly signed image whose core cannot pass its boot self-test: flashed to slot a, fails, rolls back to b
  const junkCore = join(dir, "junk.wasm");
  writeFileSync(junkCore, crypto.randomBytes(512));
  const broken = join(dir, "broken.gwimg");
  return buildImage({ board: "sim", signKey: ecKey, out: broken, imageVersion: 7, coreOverride: { simd: junkCore, scalar: junkCore } }).then(() => {
    r = gwsdk("image", "flash", broken, "--device", device, "--json");
    assert.equal(r.status, 1, r.stderr);
    j = JSON.parse(r.stdout);
    assert.equal(j.slot, "a");
    assert.equal(j.booted, false);
    assert.equal(j.rolledBack, true);
    assert.equal(j.active, "b");
    const boot = readBootRecord(device);
    assert.equal(boot.active, "b");
    assert.equal(boot.slots.a!.state, "bad");
    assert.equal(boot.minImageVersion, 6, "a failed boot does not raise the anti-rollback floor");
    // the device still boots its good slot
    assert.equal(gwsdk("image", "boot", "--device", device).status, 0);
    // downgrade with the explicit flag works
    r = gwsdk("image", "flash", image, "--device", device, "--allow-downgrade", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(dataFiles(device), before, "the data partition is untouched by updates");
    assert.equal(readFileSync(join(device, "data", "store", "identity.json"), "utf8"), "{\"keep\":true}");
    assert.ok(existsSync(join(device, "keys", "image-signing.pub")));
  });
});

test("a device refuses images signed by another key than the one provisioned", () => {
  const device = join(dir, "device2");
  assert.equal(gwsdk("image", "flash", image, "--device", device, "--pubkey", ecPub).status, 0);
  const r = gwsdk("image", "flash", image, "--device", device, "--pubkey", otherPub);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ERR_IMAGE_SIGNATURE/);
});
