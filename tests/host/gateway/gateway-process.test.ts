// `gwsdk gateway --board sim --config FILE` as a separate process, the way a device runs it, against
// a standalone Mediation pool simulator (Node's tls with requestCert + rejectUnauthorized, node-srtp):
// it boots from the config, brings MTLS up both ways, answers the pool's call and places its own
// test call, logs one JSON object per line without key material, refuses a foreign client
// certificate, and stops cleanly on SIGTERM.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import tls from "node:tls";
import { generateKeyPairSync } from "node:crypto";
import { prepareSimState } from "../../../host/sim/state.js";
import { createDemoCa, issuePoolCertificate } from "../../../host/sim/demo-pki.js";
import { MediationPool } from "../../../host/sim/mediation/pool.js";
import type { PeerCall } from "../../../host/sim/mediation/peer.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const MAIN = join(REPO_ROOT, "dist", "host", "cli", "main.js");
const dir = tmpDir("gwproc");
after(() => rmTmp(dir));

interface LogRecord {
  time: string;
  level: string;
  event: string;
  [k: string]: unknown;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("gwsdk gateway --config against a standalone Mediation pool: MTLS both ways, a call each way with SRTP, JSON logs, SIGTERM", async () => {
  const state = await prepareSimState(join(dir, "state"), { keyType: "p256" });
  const pool = new MediationPool({
    names: { pool: state.names.pool, members: state.names.members },
    tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem },
    optionsIntervalMs: 1000,
    rtcpIntervalMs: 500,
  });
  await pool.listen();
  const cfgPath = join(dir, "gateway.json");
  writeFileSync(
    cfgPath,
    JSON.stringify({
      $schema: "../docs/schemas/gateway-config.schema.json",
      fqdn: state.names.gateway,
      store: state.storeDir,
      listen: { host: "127.0.0.1", port: 0 },
      pool: {
        fqdn: state.names.pool,
        members: pool.members.map((m) => ({ fqdn: m.fqdn, host: m.fqdn, port: m.port })),
        hosts: Object.fromEntries(pool.members.map((m) => [m.fqdn, ["127.0.0.1"]])),
      },
      trunk: { srtpMode: "required", mki: true, optionsIntervalMs: 1000 },
      media: { address: "127.0.0.1", portMin: 41000, portMax: 41999, rtcpIntervalMs: 500 },
      log: { format: "json", level: "debug" },
    }),
  );
  const child = spawn(process.execPath, [MAIN, "gateway", "--board", "sim", "--config", cfgPath, "--call", "+14255550199", "--call-duration", "2", "--no-console"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const records: LogRecord[] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    let i: number;
    while ((i = out.indexOf("\n")) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      records.push(JSON.parse(line) as LogRecord); // every line is one JSON object
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const peerCalls: PeerCall[] = [];
  pool.on("call", (_m, c) => peerCalls.push(c));
  try {
    await until(() => records.some((r) => r.event === "gateway.ready"), 20_000, `gateway.ready (stderr: ${err})`);
    const listen = records.find((r) => r.event === "tls.listen")!;
    const port = listen.port as number;
    assert.ok(port > 0);
    pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port });

    // A client from a foreign CA is refused by the gateway's listener (and the gateway carries on).
    const stranger = await createDemoCa({ commonName: "stranger CA" });
    const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const cert = issuePoolCertificate(stranger, { poolFqdn: state.names.pool, memberFqdns: state.names.members, key });
    await new Promise<void>((resolve) => {
      const s = tls.connect({ host: "127.0.0.1", port, servername: state.names.gateway, key: key.export({ type: "pkcs8", format: "pem" }), cert: cert.pem, ca: state.ca.cert.pem });
      s.on("error", () => resolve());
      s.on("close", () => resolve());
    });
    await until(() => records.some((r) => r.event === "tls.refused"), 5000, "tls.refused");
    assert.equal(records.find((r) => r.event === "tls.refused")!.code, "ERR_TLS_CERT_UNTRUSTED");

    // The pool calls the gateway; the gateway's own test call reaches the pool.
    await until(() => records.filter((r) => r.event === "tls.up").length >= 4, 10_000, "4 MTLS links");
    const inbound = await pool.call(1, "+12065550123", "+14255550123");
    await until(() => peerCalls.length >= 2, 10_000, "the gateway's test call reached the pool");
    await new Promise((r) => setTimeout(r, 2000));
    await inbound.hangup();
    await until(() => records.filter((r) => r.event === "call.end").length >= 2, 10_000, "both calls ended");

    for (const c of peerCalls) {
      const s = c.media.snapshot();
      assert.ok(s.rtpReceived >= 40, `the pool received ${s.rtpReceived} packets from the gateway`);
      assert.equal(s.authFailures, 0);
      assert.ok(s.rtcpReceived >= 1, "SRTCP from the gateway");
    }
    const ends = records.filter((r) => r.event === "call.end");
    for (const e of ends) {
      assert.equal(e.outcome, "completed");
      assert.ok((e.rtpReceived as number) >= 40 && (e.rtpSent as number) >= 40, JSON.stringify(e));
      assert.equal(e.authFailures, 0);
      assert.ok((e.rtcpReceived as number) >= 1);
    }
    assert.deepEqual(ends.map((e) => e.direction).sort(), ["inbound", "outbound"]);
    const up = records.filter((r) => r.event === "call.up");
    assert.ok(up.every((u) => u.srtp === "AES_CM_128_HMAC_SHA1_80" && u.mki === "01"));
    assert.ok(up.every((u) => /^127\.0\.0\.1:41\d{3}$/.test(u.localRtp as string)), "media ports from the configured range");
    const links = records.filter((r) => r.event === "tls.up");
    assert.ok(links.some((l) => l.direction === "outbound") && links.some((l) => l.direction === "inbound"));
    assert.ok(links.every((l) => l.version === "TLSv1.3" && l.peerSubject === "CN=mspool.sim.gwsdk.test"));
    const boot = records.find((r) => r.event === "core.ready")!;
    assert.equal(boot.selfTest, "passed");
    assert.ok(records.every((r) => typeof r.time === "string" && typeof r.level === "string"));

    child.kill("SIGTERM");
    assert.equal(await exited, 0, err);
    assert.ok(records.some((r) => r.event === "gateway.stopped"));

    // No key material: neither side's SDES key appears in the gateway's logs.
    const all = JSON.stringify(records);
    for (const c of peerCalls) {
      const s = c.media.negotiated!.srtp!;
      for (const k of [s.tx, ...s.rx]) {
        for (const b of [k.masterKey, k.masterSalt, Buffer.concat([k.masterKey, k.masterSalt])]) {
          assert.ok(!all.includes(Buffer.from(b).toString("hex")) && !all.includes(Buffer.from(b).toString("base64").replace(/=+$/, "")), "SDES key material in the logs");
        }
      }
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await pool.close();
  }
});

test("gwsdk gateway refuses a config error naming the field, and a store without an identity", async () => {
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ fqdn: "gw1.contoso.com", pool: { fqdn: "mspool.contoso.com" }, trunk: { srtpMode: "Required" } }));
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [MAIN, "gateway", ...args], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      c.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      c.on("exit", (code) => resolve({ code, stderr }));
    });
  const empty = join(dir, "nostore.json");
  writeFileSync(empty, JSON.stringify({ fqdn: "gw1.contoso.com", store: join(dir, "no-such-store"), listen: { host: "127.0.0.1", port: 0 }, pool: { fqdn: "mspool.contoso.com" } }));
  const [a, b] = await Promise.all([run(["--config", bad]), run(["--config", empty, "--no-console"])]);
  assert.equal(a.code, 1);
  assert.match(a.stderr, /ERR_CONFIG_INVALID: .*field \/trunk\/srtpMode: must be one of/);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /ERR_GATEWAY_IDENTITY/);
});
