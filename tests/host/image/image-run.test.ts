// A flashed firmware image runs the gateway (audit 8.1). The image is built and flashed into a device
// directory outside the repository (so the slot's bundled host cannot fall back on the repository's
// boards, schemas, cores or node_modules); its boot installs the image's trust anchor into the
// device's store in DEVICE/data; the store is enrolled through `gwsdk image run -- cert ...` (CSR
// signed by a test CA, the way a technician enrols a device); then `gwsdk image run -- gateway
// --config ...` — the slot's own host, its own board, schemas and cores — connects to a Mediation
// pool simulator with our MTLS and completes a call with SRTP. Later boots neither duplicate the
// image's anchor nor put it back after the operator removed it, and never touch the operator's own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { generateKeyPairSync, X509Certificate, createHash } from "node:crypto";
import { REPO_ROOT } from "../../helpers/paths.js";
import { buildImage } from "../../../host/image/build.js";
import { createDemoCa, demoKey, issuePoolCertificate, signGatewayCsr, type DemoCa } from "../../../host/sim/demo-pki.js";
import { SIM_NAMES } from "../../../host/sim/state.js";
import { MediationPool } from "../../../host/sim/mediation/pool.js";
import { jsonOf } from "./json-schemas.js";
import type { PeerCall } from "../../../host/sim/mediation/peer.js";

const CLI = join(REPO_ROOT, "dist", "host", "cli", "main.js");
let dir: string;
let device: string;
let ca: DemoCa;
let caPem: string;
let image: string;
let pubPem: string;

function gwsdk(args: string[], opts: { cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000, cwd: opts.cwd ?? dir });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `gwsdk image run --device DEVICE -- args` */
function onDevice(...args: string[]): { status: number; stdout: string; stderr: string } {
  return gwsdk(["image", "run", "--device", device, "--", ...args]);
}

function fingerprint(pem: string): string {
  return createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");
}

async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gwsdk-imgrun-"));
  device = join(dir, "device");
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  writeFileSync(join(dir, "sign.key"), privateKey.export({ type: "pkcs8", format: "pem" }) as string);
  pubPem = join(dir, "sign.pub");
  writeFileSync(pubPem, publicKey.export({ type: "spki", format: "pem" }) as string);
  ca = await createDemoCa({ commonName: "gwsdk Image Test Enterprise Root CA", key: await demoKey("p256") });
  caPem = join(dir, "enterprise-root.pem");
  writeFileSync(caPem, ca.cert.pem);
  image = join(dir, "fw.gwimg");
  await buildImage({ board: "sim", signKey: join(dir, "sign.key"), out: image, imageVersion: 11, trust: [caPem] });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("flash → boot installs the image's trust anchor; image run enrols the device's store; the slot's gateway completes a call", async () => {
  // Flash: the boot self-tests the slot and installs trust/enterprise-root.pem into DEVICE/data/store.
  let r = gwsdk(["image", "flash", image, "--device", device, "--pubkey", pubPem, "--json"]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  let j = jsonOf("image-flash", r.stdout);
  assert.equal(j.booted, true);
  assert.deepEqual(j.trust, { installed: 1, alreadyTrusted: 0, skipped: 0, failed: [] }, r.stdout);
  assert.ok(existsSync(join(device, "data", "store")), "the store lives in the data partition");
  assert.ok(existsSync(join(device, "data", "device.key")), "the sim board's device key (file) beside it");

  // The operator trusts another CA of their own.
  const other = await createDemoCa({ commonName: "Operator Other Root CA", key: await demoKey("p256") });
  writeFileSync(join(dir, "other.pem"), other.cert.pem);
  r = onDevice("cert", "trust", "add", join(dir, "other.pem"));
  assert.equal(r.status, 0, r.stderr);

  // Enrolment on the device, through the slot's own host: key + CSR, signed by the enterprise CA, imported.
  r = onDevice("cert", "init", "--fqdn", SIM_NAMES.gateway, "--key", "p256", "--json");
  assert.equal(r.status, 0, r.stderr);
  const csrPem = JSON.parse(r.stdout).csrPem as string;
  const signed = signGatewayCsr(ca, csrPem, { fqdn: SIM_NAMES.gateway });
  writeFileSync(join(dir, "gw1.pem"), signed.pem);
  r = onDevice("cert", "import", join(dir, "gw1.pem"), "--json");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).trust, "trusted", "the chain verifies against the anchor the image installed");

  // A second boot (power cycle): nothing is installed twice.
  r = gwsdk(["image", "boot", "--device", device, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsonOf("image-boot", r.stdout).trust, { installed: 0, alreadyTrusted: 0, skipped: 1, failed: [] });
  // install-trust by hand (what boot runs in the slot's host) reports the same, per anchor.
  r = gwsdk(["image", "install-trust", "--device", device, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const it = jsonOf<{ installed: unknown[]; skipped: { sha256: string; part: string }[] }>("image-install-trust", r.stdout);
  assert.equal(it.installed.length, 0);
  assert.deepEqual(it.skipped.map((a) => [a.sha256, a.part]), [[fingerprint(ca.cert.pem), "trust/enterprise-root.pem"]]);
  r = onDevice("cert", "trust", "list", "--json");
  let anchors = (JSON.parse(r.stdout).anchors as { fingerprintSha256: string }[]).map((a) => a.fingerprintSha256);
  assert.deepEqual(anchors.sort(), [fingerprint(ca.cert.pem), fingerprint(other.cert.pem)].sort());

  // The Mediation pool (Node tls = OpenSSL, node-srtp), trusting the enterprise CA.
  const poolKey = await demoKey("p256");
  const poolCert = issuePoolCertificate(ca, { poolFqdn: SIM_NAMES.pool, memberFqdns: SIM_NAMES.members, key: poolKey });
  const pool = new MediationPool({
    names: { pool: SIM_NAMES.pool, members: SIM_NAMES.members },
    tls: { key: poolKey.export({ type: "pkcs8", format: "pem" }) as string, cert: poolCert.pem + ca.cert.pem, ca: ca.cert.pem },
    optionsIntervalMs: 0,
    rtcpIntervalMs: 300,
  });
  await pool.listen();
  const peerCalls: PeerCall[] = [];
  pool.on("call", (_m, c) => peerCalls.push(c));
  // The deployment config names no store: the gateway uses the device's (DEVICE/data/store).
  const cfg = join(dir, "gateway.json");
  writeFileSync(
    cfg,
    JSON.stringify({
      fqdn: SIM_NAMES.gateway,
      listen: { host: "127.0.0.1", port: 0 },
      pool: {
        fqdn: SIM_NAMES.pool,
        members: pool.members.map((m) => ({ fqdn: m.fqdn, host: m.fqdn, port: m.port })),
        hosts: Object.fromEntries(pool.members.map((m) => [m.fqdn, ["127.0.0.1"]])),
      },
      trunk: { srtpMode: "required", mki: true, optionsIntervalMs: 1000 },
      media: { address: "127.0.0.1", portMin: 46000, portMax: 46999, rtcpIntervalMs: 300 },
      log: { format: "json", level: "info" },
    }),
  );
  const child = spawn(process.execPath, [CLI, "image", "run", "--device", device, "--", "gateway", "--config", cfg, "--call", "+14255550142", "--call-duration", "1.2", "--no-console"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const records: Record<string, unknown>[] = [];
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    let i: number;
    while ((i = out.indexOf("\n")) >= 0) {
      records.push(JSON.parse(out.slice(0, i)) as Record<string, unknown>);
      out = out.slice(i + 1);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  try {
    await until(() => records.some((x) => x.event === "gateway.ready") || child.exitCode !== null, 20_000, () => `gateway.ready (stderr: ${err})`);
    assert.equal(child.exitCode, null, `the slot's gateway exited: ${err}`);
    const store = records.find((x) => x.event === "store.ready")!;
    assert.equal(store.store, join(device, "data", "store"), "the device's store, from the data partition");
    assert.equal(store.trust, "trusted");
    const core = records.find((x) => x.event === "core.ready")!;
    assert.equal(core.selfTest, "passed");
    const port = records.find((x) => x.event === "tls.listen")!.port as number;
    pool.connectGateway({ fqdn: SIM_NAMES.gateway, address: "127.0.0.1", port });

    await until(() => records.some((x) => x.event === "call.end"), 20_000, () => `the test call ended (stderr: ${err})`);
    const end = records.find((x) => x.event === "call.end")!;
    assert.equal(end.outcome, "completed", JSON.stringify(end));
    assert.equal(end.direction, "outbound");
    assert.ok((end.rtpSent as number) >= 30 && (end.rtpReceived as number) >= 30, JSON.stringify(end));
    assert.equal(end.authFailures, 0);
    const up = records.find((x) => x.event === "call.up")!;
    assert.equal(up.srtp, "AES_CM_128_HMAC_SHA1_80");
    assert.equal(peerCalls.length, 1);
    const s = peerCalls[0]!.media.snapshot();
    assert.ok(s.rtpReceived >= 30, `the pool received ${s.rtpReceived} SRTP packets from the device`);
    assert.equal(s.authFailures, 0);
    const links = records.filter((x) => x.event === "tls.up");
    assert.ok(links.some((l) => l.direction === "outbound" && l.version === "TLSv1.3" && l.peerSubject === `CN=${SIM_NAMES.pool}`), JSON.stringify(links));

    child.kill("SIGTERM"); // image run passes it on to the slot's host
    assert.equal(await exited, 0, err);
    assert.ok(records.some((x) => x.event === "gateway.stopped"));
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await pool.close();
  }

  // The operator removes the image's anchor: later boots do not put it back, and leave theirs alone.
  r = onDevice("cert", "trust", "remove", fingerprint(ca.cert.pem));
  assert.equal(r.status, 0, r.stderr);
  r = gwsdk(["image", "boot", "--device", device, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  j = jsonOf("image-boot", r.stdout);
  assert.equal((j.trust as { installed: number }).installed, 0);
  r = onDevice("cert", "trust", "list", "--json");
  anchors = (JSON.parse(r.stdout).anchors as { fingerprintSha256: string }[]).map((a) => a.fingerprintSha256);
  assert.deepEqual(anchors, [fingerprint(other.cert.pem)]);
});

test("image run refuses a device without a good slot, and needs `--`", () => {
  const empty = join(dir, "empty-device");
  let r = gwsdk(["image", "run", "--device", empty, "--", "selftest"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ERR_IMAGE_DEVICE/);
  r = gwsdk(["image", "run", "--device", device, "selftest"]);
  assert.equal(r.status, 2, "usage: the host's arguments come after --");
  // The slot's host run directly (no image run, no environment): it still finds its board and the
  // config schema in its slot — a config error names the field, an unknown board names the image's.
  const slot = JSON.parse(readFileSync(join(device, "boot.json"), "utf8")).active as string;
  const host = join(device, `slot-${slot}`, "gwsdk.mjs");
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ fqdn: SIM_NAMES.gateway, pool: { fqdn: SIM_NAMES.pool }, trunk: { srtpMode: "Required" } }));
  const env = { ...process.env, GWSDK_CORE_DIR: "", GWSDK_DEVICE_DIR: "" };
  let d = spawnSync(process.execPath, [host, "gateway", "--config", bad], { encoding: "utf8", cwd: dir, env });
  assert.equal(d.status, 1);
  assert.match(d.stderr, /ERR_CONFIG_INVALID: .*field \/trunk\/srtpMode: must be one of/);
  d = spawnSync(process.execPath, [host, "gateway", "--board", "arm64-linux", "--config", bad], { encoding: "utf8", cwd: dir, env });
  assert.equal(d.status, 1);
  assert.match(d.stderr, /ERR_BOARD_NOT_FOUND: no board "arm64-linux": this firmware image carries board "sim" only/);
});
