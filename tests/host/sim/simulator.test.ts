// The simulator end to end: the Mediation pool on Node's tls (OpenSSL) and node-srtp, the gateway on
// our MTLS and the core's SRTP, calls both ways. Each run is short (2 calls, 2 s of media) and is
// judged by its JSON report, validated against docs/schemas/sim-report.schema.json, and by what the
// two sides saw independently (OpenSSL's view of each link, node-srtp's counters, audio frames).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { runSimulator, type SimOptions } from "../../../host/sim/simulator.js";
import type { SimReport } from "../../../host/sim/report.js";
import { formatReport } from "../../../host/sim/report.js";
import { Logger } from "../../../host/gateway/log.js";
import { readPcap } from "../../../host/gateway/pcap.js";
import { CheckedPstnPort } from "../../../host/sim/audio-check.js";
import type { GatewayCallRecord } from "../../../host/gateway/gateway.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const MAIN = join(REPO_ROOT, "dist", "host", "cli", "main.js");
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "docs", "schemas", "sim-report.schema.json"), "utf8")) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

let dir: string;
let state: string;

before(() => {
  dir = tmpDir("sim");
  state = join(dir, "state");
});
after(() => rmTmp(dir));

function assertSchema(r: unknown): void {
  assert.ok(validate(r), `report does not match its schema: ${JSON.stringify(validate.errors)}`);
}

function cli(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
    });
  });
}

/** Every completed call: SRTP both ways, decrypted audio both ways, SRTCP both ways, no failures. */
function assertCallsGood(r: SimReport, expect: { profile: string | null; mki: string | null }): void {
  for (const c of r.calls.filter((x) => x.outcome === "completed")) {
    const what = `${c.id} (${c.direction})`;
    assert.equal(c.profile, expect.profile, `${what} profile`);
    assert.equal(c.mki, expect.mki, `${what} MKI`);
    assert.ok(c.sent.packets >= 40, `${what} sent ${c.sent.packets}`);
    assert.ok(c.received.packets >= 40, `${what} received ${c.received.packets}`);
    assert.equal(c.sent.bytes, c.sent.packets * 160, `${what}: G.711 20 ms frames`);
    assert.equal(c.received.authFailures, 0);
    assert.equal(c.received.replays, 0);
    assert.ok(c.rtcp.sent >= 2 && c.rtcp.received >= 2, `${what} SRTCP ${c.rtcp.sent}/${c.rtcp.received}`);
    assert.equal(c.rtcp.authFailures, 0);
    assert.ok(c.peer && c.peer.received.packets >= 40 && c.peer.received.authFailures === 0, `${what}: the pool decrypted our media`);
    assert.ok(c.peer!.rtcp.received >= 2, `${what}: the pool received our SRTCP`);
    assert.equal(c.audio.received.matched, c.audio.received.frames, `${what}: every frame at the gateway equals one the pool sent`);
    assert.equal(c.audio.peerReceived.matched, c.audio.peerReceived.frames, `${what}: every frame at the pool equals one the gateway sent`);
    assert.ok(c.audio.received.frames >= 40 && c.audio.peerReceived.frames >= 40);
  }
}

function hexes(b: Uint8Array): string[] {
  const x = Buffer.from(b);
  return [x.toString("hex"), x.toString("base64").replace(/=+$/, "")];
}

test("first run: state made, MTLS both ways (our TLS ⇄ OpenSSL), calls both ways with SRTP (core ⇄ node-srtp), pcap, keylog, no key material in logs or report", async () => {
  const logs: string[] = [];
  const poolKeylog: string[] = [];
  const records: GatewayCallRecord[] = [];
  const o: SimOptions = {
    stateDir: state,
    calls: 2,
    durationS: 2,
    logger: new Logger({ format: "json", level: "debug", write: (l) => logs.push(l) }),
    pcap: join(dir, "media.pcap"),
    pcapDecrypted: join(dir, "media-plain.pcap"),
    keylog: join(dir, "keys.log"),
    poolKeylog: (l) => poolKeylog.push(l.trim()),
    onGateway: async (gw) => {
      gw.on("call", (r) => records.push(r));
    },
  };
  const r = await runSimulator(o);
  assertSchema(r);
  assert.equal(r.ok, true, formatReport(r));
  assert.equal(r.state.firstRun, true);
  assert.deepEqual(r.state.made, ["ca", "pool-certificate", "trust-anchor", "gateway-identity"]);
  for (const f of ["state.json", "ca/ca.pem", "ca/ca-key.pem", "pool/pool.pem", "pool/pool-key.pem", "device.key"]) assert.ok(existsSync(join(state, f)), f);
  // The gateway identity came through our store, signed by the demo CA.
  assert.equal(r.gateway!.certificate.subject, "CN=gw1.sim.gwsdk.test");
  assert.equal(r.gateway!.certificate.issuer, "CN=gwsdk Sim Enterprise Root CA");

  // Links: both directions with both members, TLS 1.3, and OpenSSL saw the same version and suite.
  const pairs = new Set(r.links.map((l) => `${l.direction} ${l.peer}`));
  assert.deepEqual([...pairs].sort(), ["inbound ms1.sim.gwsdk.test", "inbound ms2.sim.gwsdk.test", "outbound ms1.sim.gwsdk.test", "outbound ms2.sim.gwsdk.test"]);
  for (const l of r.links) {
    assert.equal(l.version, "TLSv1.3");
    assert.match(l.suite!, /^TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)$/);
    assert.equal(l.peerSubject, "CN=mspool.sim.gwsdk.test");
    assert.ok(l.peerNotAfter && new Date(l.peerNotAfter) > new Date());
    assert.ok(l.openssl, "the pool's view of the link");
    assert.equal(l.openssl!.version, l.version);
    assert.equal(l.openssl!.suite, l.suite);
  }
  assert.ok(r.sipOptions.sent >= 2 && r.sipOptions.answered >= 2, "OPTIONS both ways");

  // Calls: one each way, SRTP AES_CM_128_HMAC_SHA1_80 with the Skype MKI 1:1.
  assert.deepEqual(r.calls.map((c) => c.direction), ["outbound", "inbound"]);
  assert.ok(r.calls.every((c) => c.outcome === "completed" && c.peerKeyForm === "mki:01"));
  assertCallsGood(r, { profile: "AES_CM_128_HMAC_SHA1_80", mki: "01" });
  assert.equal(r.totals.completed, 2);
  assert.equal(r.totals.packetsSent, r.calls.reduce((n, c) => n + c.sent.packets, 0));

  // Keylog: our handshake's secrets are exactly those OpenSSL logged for the same connections.
  const ours = readFileSync(o.keylog!, "utf8").trim().split("\n");
  assert.ok(ours.length >= 4 * 4, `${ours.length} keylog lines for 4 TLS 1.3 links`);
  const openssl = new Set(poolKeylog);
  for (const line of ours) {
    assert.match(line, /^(CLIENT|SERVER)_(HANDSHAKE_)?TRAFFIC_SECRET(_0)? [0-9a-f]{64} [0-9a-f]{64,96}$/);
    assert.ok(openssl.has(line), `OpenSSL logged the same secret: ${line.slice(0, 40)}…`);
  }

  // pcap: real IPv4/UDP records of SRTP; the decrypted capture holds the same packets as RTP with the audio.
  const enc = readPcap(readFileSync(o.pcap!));
  const dec = readPcap(readFileSync(o.pcapDecrypted!));
  assert.equal(enc.linkType, 101);
  const rtpSentRecv = r.calls.reduce((n, c) => n + c.sent.packets + c.received.packets, 0);
  assert.ok(enc.records.length >= rtpSentRecv, `${enc.records.length} records for ${rtpSentRecv} RTP packets (+ RTCP, STUN)`);
  const srtp = enc.records.map((x) => x.data.subarray(28)).filter((p) => p[0] === 0x80 && (p[1]! & 0x7f) === 0);
  const rtp = dec.records.map((x) => x.data.subarray(28)).filter((p) => p[0] === 0x80 && (p[1]! & 0x7f) === 0);
  assert.ok(srtp.length >= rtpSentRecv, `${srtp.length} SRTP records for ${rtpSentRecv} RTP packets counted`);
  // Every packet the gateway accepted is in the decrypted capture (a packet that arrives before the
  // answer is applied is captured as received but not decrypted: early media racing the 183).
  assert.ok(rtp.length >= rtpSentRecv && rtp.length <= srtp.length, `${rtp.length} decrypted of ${srtp.length}`);
  assert.ok(srtp.every((p) => p.length === 12 + 160 + 1 + 10), "SRTP: header + payload + MKI + 80-bit tag");
  assert.ok(rtp.every((p) => p.length === 12 + 160), "RTP after SRTP");
  const audio = new Set(records.flatMap((rec) => [...(rec.pstn as CheckedPstnPort).distinctSent]));
  const ourRtp = rtp.filter((p) => audio.has(Buffer.from(p.subarray(12)).toString("base64")));
  assert.ok(ourRtp.length >= 80, `the decrypted capture carries the gateway's audio (${ourRtp.length} packets)`);
  const v4 = enc.records[0]!.data;
  assert.equal(v4[0], 0x45);
  assert.equal(v4[9], 17);

  // No key material in the logs or the report: the SDES keys (ours and the pool's) and the TLS secrets.
  const secrets: string[] = [];
  for (const rec of records) {
    const s = rec.call!.media.negotiated!.srtp!;
    for (const k of [s.tx, ...s.rx]) secrets.push(...hexes(k.masterKey), ...hexes(k.masterSalt), ...hexes(Buffer.concat([k.masterKey, k.masterSalt])));
  }
  for (const line of ours) secrets.push(line.split(" ")[2]!);
  assert.ok(secrets.length >= 30);
  const haystack = logs.join("") + JSON.stringify(r) + formatReport(r);
  assert.ok(logs.length > 20, "the run logged");
  for (const line of logs) JSON.parse(line);
  for (const s of secrets) assert.ok(!haystack.includes(s), `key material ${s.slice(0, 8)}… leaked into the logs or the report`);
});

test("--failover (CLI, second run reuses the state): calls on the stopped member fail over to the next member and complete; exit 0", async () => {
  const res = await cli(["sim", "--state", state, "--calls", "2", "--duration", "2", "--failover", "--json", "--no-progress", "--no-console"]);
  assert.equal(res.code, 0, res.stderr + res.stdout.slice(0, 3000));
  const r = JSON.parse(res.stdout) as SimReport;
  assertSchema(r);
  assert.equal(r.ok, true);
  assert.equal(r.state.firstRun, false);
  assert.deepEqual(r.state.made, [], "later runs reuse the state");
  assert.deepEqual(r.pool.members.map((m) => m.state), ["stopped", "running"]);
  const failed = r.calls.filter((c) => c.outcome === "failover");
  assert.ok(failed.length >= 1, "a call was on member 1");
  for (const f of failed) {
    assert.equal(f.member, "ms1.sim.gwsdk.test");
    const again = r.calls.find((c) => c.replaces === f.id);
    assert.ok(again, `${f.id} was placed again`);
    assert.equal(again!.outcome, "completed");
    assert.equal(again!.member, "ms2.sim.gwsdk.test");
    assert.equal(again!.direction, f.direction);
  }
  assertCallsGood(r, { profile: "AES_CM_128_HMAC_SHA1_80", mki: "01" });
  assert.equal(r.totals.failover, failed.length);
  assert.ok(r.links.some((l) => l.peer === "ms1.sim.gwsdk.test" && l.state === "down"));
});

test("--tls1.2, --srtp-mode optional, --no-mki, --direction in", async () => {
  const poolKeylog: string[] = [];
  const keylog = join(dir, "keys12.log");
  const r = await runSimulator({ stateDir: state, calls: 2, durationS: 2, tls12: true, srtpMode: "optional", mki: false, direction: "in", keylog, poolKeylog: (l) => poolKeylog.push(l.trim()) });
  assertSchema(r);
  assert.equal(r.ok, true, formatReport(r));
  assert.deepEqual(r.calls.map((c) => c.direction), ["inbound", "inbound"]);
  assert.deepEqual(r.calls.map((c) => c.member), ["ms1.sim.gwsdk.test", "ms2.sim.gwsdk.test"], "inbound calls come from each member in turn");
  for (const l of r.links) {
    assert.equal(l.version, "TLSv1.2");
    assert.match(l.suite!, /^TLS_ECDHE_RSA_WITH_AES_(128_GCM_SHA256|256_GCM_SHA384)$/);
    assert.equal(l.openssl?.suite, l.suite);
  }
  // TLS 1.2 key log: the master secret per connection, as OpenSSL logs it.
  const ours = readFileSync(keylog, "utf8").trim().split("\n");
  assert.ok(ours.length >= 4);
  for (const line of ours) {
    assert.match(line, /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    assert.ok(poolKeylog.includes(line), "OpenSSL logged the same master secret");
  }
  // "Optional" SRTP offers (RTP/AVP with a=crypto) are answered with SRTP; keys without MKI both ways.
  assertCallsGood(r, { profile: "AES_CM_128_HMAC_SHA1_80", mki: null });
  assert.ok(r.calls.every((c) => c.peerKeyForm === "no-mki"));
});

test("--fips, --srtp-mode not-supported, --direction out: P-256 key exchange, plain RTP media", async () => {
  const r = await runSimulator({ stateDir: state, calls: 2, durationS: 2, fips: true, srtpMode: "notSupported", direction: "out" });
  assertSchema(r);
  assert.equal(r.ok, true, formatReport(r));
  assert.equal(r.gateway!.tlsPolicy.fips, true);
  for (const l of r.links) {
    assert.equal(l.version, "TLSv1.3");
    assert.ok(["secp256r1", "secp384r1"].includes(l.group!), `FIPS group ${l.group}`);
  }
  assert.deepEqual(r.calls.map((c) => c.direction), ["outbound", "outbound"]);
  assertCallsGood(r, { profile: null, mki: null });
});

test("CLI refusals: --fips with --keylog, bad options (exit 2, nothing written)", async () => {
  const k = join(dir, "never.log");
  const a = await cli(["sim", "--state", join(dir, "unused"), "--fips", "--keylog", k]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--fips refuses --keylog/);
  assert.ok(!existsSync(k) && !existsSync(join(dir, "unused")));
  const bads = [["--srtp-mode", "sometimes"], ["--direction", "sideways"], ["--calls", "-1"], ["--duration", "0"], ["--bogus"]];
  const res = await Promise.all(bads.map((bad) => cli(["sim", "--state", join(dir, "unused"), ...bad])));
  res.forEach((b, i) => assert.equal(b.code, 2, bads[i]!.join(" ")));
  assert.ok(!existsSync(join(dir, "unused")));
});

test("Ctrl-C stops cleanly: calls hung up, the report still printed, exit status 130", async () => {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [MAIN, "sim", "--state", state, "--duration", "60", "--json", "--no-console"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  const up = new Promise<void>((resolve) =>
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (/calls up 2\/2/.test(stderr)) resolve();
    }),
  );
  const exit = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  await Promise.race([up, exit]);
  await new Promise((r) => setTimeout(r, 500));
  child.kill("SIGINT");
  assert.equal(await exit, 130, stderr);
  const r = JSON.parse(stdout) as SimReport;
  assertSchema(r);
  assert.equal(r.ok, false);
  assert.equal(r.interrupted, true);
  assert.equal(r.calls.length, 2);
  for (const c of r.calls) {
    assert.ok(["completed", "interrupted"].includes(c.outcome), c.outcome);
    assert.ok(c.sent.packets > 10 && c.received.packets > 10);
    assert.ok(c.durationMs < 30_000);
  }
  assert.ok(r.links.length >= 4);
});
