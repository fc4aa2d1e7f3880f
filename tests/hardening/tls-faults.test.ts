// Transport faults against the gateway's mutual-TLS listener, many at once, while a legitimate
// Mediation Server keeps exchanging data over its own connection:
//   - peers that vanish (RST) at a random byte of the handshake or of a record after it,
//   - half-open peers that go silent without closing (a dead host, a dropped NAT entry),
//   - slow-loris peers that trickle a ClientHello a byte at a time.
// Every fault must end in a refused/closed connection within the handshake deadline or the idle
// timeout; the legitimate connection must never fail; afterwards no connection, file descriptor or
// arena byte is left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { loadCore } from "../../host/core/load-core.js";
import { createMtlsServer } from "../../host/tls/mtls-server.js";
import { requireCommand } from "../helpers/system.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, keyPem, tlsPki } from "../helpers/tls-pki.js";
import { arenaBaseline, echoRoundTrip } from "../host/tls/mtls-helpers.js";

const openssl = requireCommand("openssl", ["version"], "openssl");
const HANDSHAKE_MS = 1500;
const IDLE_MS = 2000;
const FAULTS = Number(process.env.GWSDK_HARDENING_TLS_FAULTS ?? 60);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fds = () => readdirSync("/proc/self/fd").length;

type Mode = "vanish" | "half-open";

/**
 * A TCP proxy in front of the server that lets a real OpenSSL client talk through it, but after
 * `cutAfter` bytes from the client either resets both sides ("vanish") or stops forwarding in both
 * directions while keeping the sockets open ("half-open").
 */
async function faultyProxy(target: number, mode: () => { mode: Mode; cutAfter: number }): Promise<{ port: number; sockets: Set<net.Socket>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((a) => {
    const { mode: m, cutAfter } = mode();
    const b = net.connect(target, "127.0.0.1");
    sockets.add(a).add(b);
    for (const s of [a, b]) {
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    }
    let sent = 0;
    let dead = false;
    a.on("data", (d: Buffer) => {
      if (dead) return;
      const room = cutAfter - sent;
      if (room > 0) b.write(d.subarray(0, room));
      sent += d.length;
      if (sent >= cutAfter) {
        dead = true;
        if (m === "vanish") {
          a.resetAndDestroy();
          b.resetAndDestroy();
        }
        // half-open: both sockets stay open, nothing more is forwarded either way
      }
    });
    b.on("data", (d: Buffer) => {
      if (!dead) a.write(d);
    });
    a.on("end", () => !dead && b.end());
    b.on("end", () => !dead && a.end());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () =>
      new Promise((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

test(`${FAULTS} vanishing, half-open and slow-loris peers at once; the legitimate link never fails; nothing leaks`, { skip: openssl.skip, timeout: 180_000 }, async () => {
  const pki = tlsPki("p256");
  const gw = await gatewayStore(pki);
  const core = await loadCore();
  const baseline = arenaBaseline(core);
  const refusals: Record<string, number> = {};
  const server = createMtlsServer({ store: gw.store, allowedPeers: [POOL, ...POOL_MEMBERS], core, policy: { handshakeTimeoutMs: HANDSHAKE_MS }, idleTimeoutMs: IDLE_MS }, (s) => {
    s.on("data", (d: Buffer) => s.write(d));
    s.on("end", () => s.end());
    s.on("error", (e: { code?: string }) => (refusals[`after handshake: ${e.code}`] = (refusals[`after handshake: ${e.code}`] ?? 0) + 1));
  });
  server.on("tlsClientError", (e: { code: string }) => (refusals[e.code] = (refusals[e.code] ?? 0) + 1));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  await sleep(100);
  const fd0 = fds();
  const clientOpts = { host: "127.0.0.1", servername: GATEWAY, ca: [pki.rootPem], key: keyPem(pki.pool), cert: pki.pool.chainPem, minVersion: "TLSv1.2" as const };

  // The legitimate Mediation Server: a round trip every 100 ms for the whole test (it sends data more
  // often than the idle timeout, so it is never idle).
  const legit = tls.connect({ ...clientOpts, port });
  await once(legit, "secureConnect");
  let roundTrips = 0;
  let legitError: unknown;
  let stop = false;
  const legitLoop = (async () => {
    while (!stop) {
      try {
        const payload = new Uint8Array(200).fill(roundTrips & 0xff);
        const back = await echoRoundTrip(legit, payload, 10_000);
        assert.equal(Buffer.compare(back, Buffer.from(payload)), 0);
        roundTrips++;
      } catch (e) {
        legitError = e;
        return;
      }
      await sleep(100);
    }
  })();

  // Faults: a third vanish at a random byte, a third go half-open at a random byte, a third trickle.
  let k = 0;
  const proxy = await faultyProxy(port, () => ({ mode: k++ % 2 === 0 ? "vanish" : "half-open", cutAfter: 1 + Math.floor(Math.random() * 2500) }));
  const counts = { vanish: 0, halfOpen: 0, slowLoris: 0 };
  const faults: Promise<void>[] = [];
  const hello = await captureClientHello(clientOpts);
  for (let i = 0; i < FAULTS; i++) {
    if (i % 3 === 2) {
      counts.slowLoris++;
      faults.push(
        (async () => {
          const s = net.connect(port, "127.0.0.1");
          s.on("error", () => undefined);
          await once(s, "connect").catch(() => undefined);
          for (let b = 0; b < hello.length && !s.destroyed; b++) {
            s.write(hello.subarray(b, b + 1));
            await sleep(150);
          }
          s.destroy();
        })(),
      );
    } else {
      if (i % 3 === 0) counts.vanish++;
      else counts.halfOpen++;
      faults.push(
        new Promise<void>((res) => {
          const c = tls.connect({ ...clientOpts, port: proxy.port });
          c.on("secureConnect", () => c.write(Buffer.alloc(3000, 7)));
          c.on("error", () => res());
          c.on("close", () => res());
          setTimeout(() => {
            c.destroy();
            res();
          }, HANDSHAKE_MS + IDLE_MS + 2000);
        }),
      );
    }
    await sleep(20);
  }
  await Promise.all(faults);
  // Everything faulty must be gone within the deadlines.
  const deadline = performance.now() + HANDSHAKE_MS + IDLE_MS + 3000;
  while (server.connections > 1 && performance.now() < deadline) await sleep(100);
  const leftWhileLegit = server.connections;
  stop = true;
  await legitLoop;
  legit.end();
  await proxy.close();
  for (let i = 0; i < 50 && server.connections > 0; i++) await sleep(100);
  await new Promise<void>((res) => server.close(() => res(), true));
  await sleep(300);
  const fd1 = fds();
  console.log(
    `# faults injected: ${counts.vanish} vanishing (RST at a random byte), ${counts.halfOpen} half-open (silent at a random byte), ${counts.slowLoris} slow-loris; ` +
      `server refusals ${JSON.stringify(refusals)}; legitimate round trips ${roundTrips}, none failed: ${legitError === undefined}; fds ${fd0} → ${fd1}`,
  );
  assert.equal(legitError, undefined, `the legitimate connection failed: ${String(legitError)}`);
  assert.ok(roundTrips > 10);
  assert.equal(leftWhileLegit, 1, "faulty connections outlived the handshake deadline / idle timeout");
  assert.equal(server.connections, 0);
  assert.ok(fd1 <= fd0 + 2, `file descriptors: ${fd0} before, ${fd1} after`);
  assert.equal(core.arena.inUse, baseline, "arena bytes left behind");
  gw.store.close();
});

/** The first flight of a Node TLS client (to trickle it). */
async function captureClientHello(o: tls.ConnectionOptions): Promise<Uint8Array> {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const got = new Promise<Uint8Array>((res) => srv.once("connection", (s) => s.once("data", (d: Buffer) => (res(new Uint8Array(d)), s.destroy()))));
  const c = tls.connect({ ...o, port: (srv.address() as net.AddressInfo).port });
  c.on("error", () => undefined);
  const hello = await got;
  c.destroy();
  srv.close();
  return hello;
}
