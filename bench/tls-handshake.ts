// Mutual-TLS handshakes per second, TLS 1.3, RSA-2048 and ECDSA P-256 PKIs (tests/helpers/tls-pki.ts,
// made with the openssl CLI). Client side: our connectMtls() against a Node tls server, beside a Node
// tls client against the same server. Server side: our createMtlsServer() beside a Node tls server,
// both with a Node tls client. Each handshake includes the TCP connect, both certificate chains
// verified, and a 1-byte echo (so the server has verified the client before the clock stops), then
// the connection is destroyed. One connection at a time; ours and Node's alternate, median of 5.
// Every socket has Nagle off (ours always do), so that delayed ACKs do not dominate the figures.
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { connectMtls, createMtlsServer } from "../host/index.js";
import { GATEWAY, POOL, gatewayStore, keyPem, nodeTlsOptions, tlsPki, type PkiKind } from "../tests/helpers/tls-pki.js";
import type { BenchContext } from "./harness.js";

const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 1000);
const SAMPLES = 5;

async function rate(fn: () => Promise<void>, ms: number): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - t0);
}

async function alternate(a: () => Promise<void>, b: () => Promise<void>): Promise<[number, number]> {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    ra.push(await rate(a, SAMPLE_MS));
    rb.push(await rate(b, SAMPLE_MS));
  }
  const med = (x: number[]) => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  return [med(ra), med(rb)];
}

/** A step that must finish within 5 s (a bench must fail, not hang). */
async function guard<T>(p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`tls-handshake bench: ${what} took over 5 s`)), 5000)))]);
  } finally {
    clearTimeout(t);
  }
}

async function echoOnce(s: NodeJS.ReadWriteStream & { destroy(): void; once(e: string, f: () => void): unknown }): Promise<void> {
  const closed = new Promise<never>((_, reject) => s.once("close", () => reject(new Error("tls-handshake bench: the connection closed before the echo"))));
  s.write("x");
  await guard(Promise.race([once(s, "data"), closed]), "the echo");
  s.destroy();
}

async function listen(server: net.Server | { listen(p: number, h: string): unknown; address(): unknown; once(e: string, f: () => void): unknown }): Promise<number> {
  server.listen(0, "127.0.0.1");
  await new Promise<void>((r) => (server as net.Server).once("listening", () => r()));
  return ((server as net.Server).address() as net.AddressInfo).port;
}

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("tls-handshake", "mutual-TLS handshakes per second (TLS 1.3, loopback, one at a time, + 1-byte echo)");
  for (const kind of ["rsa2048", "p256"] as PkiKind[]) {
    const pki = tlsPki(kind);
    const { store } = await gatewayStore(pki);
    const label = kind === "rsa2048" ? "RSA-2048" : "ECDSA P-256";

    // client side: the same Node tls server for both clients
    const nodeServer = tls.createServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3", noDelay: true }, (s) => {
      s.on("data", (d) => s.write(d));
      s.on("error", () => undefined);
    });
    nodeServer.on("tlsClientError", () => undefined);
    const nodePort = await listen(nodeServer);
    const gw = { key: keyPem(pki.gateway), cert: pki.gateway.chainPem, ca: [pki.rootPem] };
    const ours = async () => {
      const s = await guard(connectMtls({ host: "127.0.0.1", port: nodePort, servername: POOL, store, policy: { versions: ["TLSv1.3"] } }), "connectMtls");
      s.on("error", () => undefined);
      await echoOnce(s);
    };
    const node = async () => {
      const c = tls.connect({ ...gw, host: "127.0.0.1", port: nodePort, servername: POOL, minVersion: "TLSv1.3" });
      c.setNoDelay(true);
      c.on("error", () => undefined);
      await guard(once(c, "secureConnect"), "the Node client's handshake");
      await echoOnce(c);
    };
    const [o, n] = await alternate(ours, node);
    ctx.row(`client, ${label}: connectMtls → Node server`, "hs/s", o, { name: "Node tls client", value: n });

    // server side: our listener beside a Node tls listener, the same Node tls client. The client
    // presents the gateway-template certificate (serverAuth + clientAuth): OpenSSL as a server
    // insists on clientAuth, so it could not accept the serverAuth-only pool certificate at all.
    const ourServer = createMtlsServer({ store, allowedPeers: [GATEWAY], policy: { versions: ["TLSv1.3"] } }, (s) => {
      s.on("data", (d) => s.write(d));
      s.on("error", () => undefined);
    });
    const ourPort = await listen(ourServer as unknown as net.Server);
    const nodeGwServer = tls.createServer({ ...gw, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3", noDelay: true }, (s) => {
      s.on("data", (d) => s.write(d));
      s.on("error", () => undefined);
    });
    const nodeGwPort = await listen(nodeGwServer);
    const to = (port: number) => async () => {
      const c = tls.connect({ ...gw, host: "127.0.0.1", port, servername: GATEWAY, minVersion: "TLSv1.3" });
      c.setNoDelay(true);
      c.on("error", () => undefined);
      await guard(once(c, "secureConnect"), "the Node client's handshake");
      await echoOnce(c);
    };
    const [so, sn] = await alternate(to(ourPort), to(nodeGwPort));
    ctx.row(`server, ${label}: Node client → createMtlsServer`, "hs/s", so, { name: "Node tls server", value: sn });

    await new Promise<void>((r) => ourServer.close(() => r(), true));
    await new Promise((r) => nodeGwServer.close(r));
    await new Promise((r) => nodeServer.close(r));
    store.close();
  }
}
