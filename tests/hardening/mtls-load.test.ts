// Mutual-TLS connection load on the gateway's listener (our handshake and record core): a separate
// process of OpenSSL clients opens GWSDK_HARDENING_MTLS_RATE connections per second (default 200)
// for GWSDK_HARDENING_MTLS_SECONDS (default 30); a tenth present a bad certificate (expired,
// revoked, a name not in allowedPeers, an untrusted issuer, none at all). Every bad one must be
// refused without being served a byte, every good one served (its line echoed back), and when it is
// over no connection, file descriptor or arena byte may be left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type net from "node:net";
import { loadCore } from "../../host/core/load-core.js";
import { createMtlsServer } from "../../host/tls/mtls-server.js";
import { requireCommand } from "../helpers/system.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, keyPem, tlsPki } from "../helpers/tls-pki.js";
import { arenaBaseline } from "../host/tls/mtls-helpers.js";

const RATE = Number(process.env.GWSDK_HARDENING_MTLS_RATE ?? 200);
const SECONDS = Number(process.env.GWSDK_HARDENING_MTLS_SECONDS ?? 30);
const CLIENTS = Number(process.env.GWSDK_HARDENING_MTLS_CLIENTS ?? 2);
const CHILD = fileURLToPath(new URL("./mtls-client-child.js", import.meta.url));
const openssl = requireCommand("openssl", ["version"], "openssl");

interface ClientReport {
  attempts: number; good: number; goodServed: number; goodFailed: number; bad: number; badRefused: number; badServed: number;
  failures: Record<string, number>; seconds: number; p50Ms: number; p99Ms: number; maxMs: number; cpuMs: number;
}

function merge(rs: ClientReport[]): ClientReport {
  const sum = (k: keyof ClientReport) => rs.reduce((a, r) => a + (r[k] as number), 0);
  const failures: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
  const max = (k: keyof ClientReport) => Math.max(...rs.map((r) => r[k] as number));
  return {
    attempts: sum("attempts"), good: sum("good"), goodServed: sum("goodServed"), goodFailed: sum("goodFailed"), bad: sum("bad"), badRefused: sum("badRefused"), badServed: sum("badServed"),
    failures, seconds: max("seconds"), p50Ms: max("p50Ms"), p99Ms: max("p99Ms"), maxMs: max("maxMs"), cpuMs: sum("cpuMs"),
  };
}

const fds = () => readdirSync("/proc/self/fd").length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`${RATE} mutual-TLS connection attempts per second for ${SECONDS} s, a tenth with bad certificates`, { skip: openssl.skip, timeout: (SECONDS + 120) * 1000 }, async () => {
  const pki = tlsPki("p256");
  const gw = await gatewayStore(pki);
  const core = await loadCore();
  const baseline = arenaBaseline(core);
  const refused: Record<string, number> = {};
  let served = 0;
  const server = createMtlsServer({ store: gw.store, allowedPeers: [POOL, ...POOL_MEMBERS], core }, (s) => {
    served++;
    s.on("data", (d: Buffer) => s.write(d));
    s.on("end", () => s.end());
    s.on("error", () => undefined);
  });
  server.on("tlsClientError", (e: { code: string }) => (refused[e.code] = (refused[e.code] ?? 0) + 1));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  await sleep(200);
  const fd0 = fds();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();

  const params = {
    port, rate: RATE, seconds: SECONDS, badEvery: 10, ca: pki.rootPem, servername: GATEWAY,
    good: { name: "pool", key: keyPem(pki.pool), cert: pki.pool.chainPem },
    bad: [
      { name: "expired", key: keyPem(pki.expired), cert: pki.expired.chainPem },
      { name: "revoked", key: keyPem(pki.revoked), cert: pki.revoked.chainPem },
      { name: "wrong-name", key: keyPem(pki.wrongName), cert: pki.wrongName.chainPem },
      { name: "untrusted", key: keyPem(pki.untrusted), cert: pki.untrusted.chainPem },
      { name: "no-certificate" },
    ],
  };
  // The clients run in CLIENTS processes (OpenSSL's client side costs about as much CPU as ours),
  // each at RATE / CLIENTS.
  const runs = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const child = spawn(process.execPath, [CHILD, JSON.stringify({ ...params, rate: RATE / CLIENTS })], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const [code] = (await once(child, "exit")) as [number];
      assert.equal(code, 0, "a client process failed");
      return JSON.parse(out.trim().split("\n").pop()!) as ClientReport;
    }),
  );
  delay.disable();
  const cpu = process.cpuUsage(cpu0);
  const r = merge(runs);
  // every connection ends: none left open on the server
  for (let i = 0; i < 100 && server.connections > 0; i++) await sleep(100);
  const open = server.connections;
  await new Promise<void>((res) => server.close(() => res(), true));
  await sleep(300);
  const fd1 = fds();
  const inUse = core.arena.inUse;
  const refusedTotal = Object.values(refused).reduce((a, b) => a + b, 0);
  console.log(
    `# ${r.attempts} attempts in ${r.seconds.toFixed(1)} s (${(r.attempts / r.seconds).toFixed(0)}/s): good ${r.goodServed}/${r.good} served, bad ${r.badRefused}/${r.bad} refused (${r.badServed} served); ` +
      `round trip p50 ${r.p50Ms.toFixed(0)} ms p99 ${r.p99Ms.toFixed(0)} ms max ${r.maxMs.toFixed(0)} ms; server refusals ${JSON.stringify(refused)}; ` +
      `event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms max ${(delay.max / 1e6).toFixed(0)} ms; ` +
      `CPU per connection: gateway ${((cpu.user + cpu.system) / 1000 / r.attempts).toFixed(1)} ms, clients ${(r.cpuMs / r.attempts).toFixed(1)} ms; fds ${fd0} → ${fd1}; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  if (r.goodFailed) console.log(`# good connections that failed: ${JSON.stringify(r.failures)}`);
  assert.equal(r.badServed, 0, "a connection with a bad certificate was served");
  assert.equal(r.badRefused, r.bad, "every bad certificate refused");
  assert.equal(r.goodServed, r.good, `every good connection served (${JSON.stringify(r.failures)})`);
  assert.ok(refusedTotal >= r.bad, `the server reported ${refusedTotal} refusals for ${r.bad} bad certificates`);
  assert.equal(served, r.good, "the server saw exactly the good connections");
  assert.equal(open, 0, "connections left open on the server");
  assert.ok(fd1 <= fd0 + 2, `file descriptors: ${fd0} before, ${fd1} after`);
  assert.equal(inUse, baseline, "arena bytes left behind by connections");
  gw.store.close();
});
