// The gateway's mutual-TLS listener as an unauthenticated attacker reaches it: whatever bytes a
// client sends first (real ClientHello flights from OpenSSL as seeds), over a real loopback
// connection, to three servers (default policy, FIPS policy — which answers X25519-only hellos with
// a HelloRetryRequest — and TLS 1.2 only). Properties: the handshake fails with a TlsError (never
// anything else, never an exception escaping the listener), the server writes only TLS records
// back, the connection is closed, and every connection gives its arena memory back.
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { loadCore, type Core } from "../../../host/core/load-core.js";
import { createMtlsServer, type MtlsServer } from "../../../host/tls/mtls-server.js";
import { TlsError } from "../../../host/tls/errors.js";
import { recordIo } from "../../../host/tls/record-io.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, keyPem, tlsPki } from "../../helpers/tls-pki.js";
import { bump, check, type FuzzTarget } from "./types.js";

interface Srv {
  name: string;
  server: MtlsServer;
  port: number;
  errors: unknown[];
}

let core: Core | undefined;
let servers: Srv[] = [];
let flights: Uint8Array[] = [];
let baseline = 0;
const counters: Record<string, number> = {};

async function captureFlight(o: tls.ConnectionOptions): Promise<Uint8Array> {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const got = new Promise<Uint8Array>((res) =>
    srv.once("connection", (s) => {
      let buf = Buffer.alloc(0);
      s.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
          res(new Uint8Array(buf));
          s.destroy();
        }
      });
    }),
  );
  const c = tls.connect({ ...o, host: "127.0.0.1", port: (srv.address() as net.AddressInfo).port });
  c.on("error", () => undefined);
  const f = await got;
  c.destroy();
  srv.close();
  return f;
}

async function setup(variant: "simd" | "scalar"): Promise<void> {
  if (core) return;
  const pki = tlsPki("p256");
  const gw = await gatewayStore(pki);
  store = gw.store;
  core = await loadCore({ variant });
  baseline = (recordIo(core).ensureSeal(65536, 70000), core.arena.inUse);
  for (const [name, policy] of [
    ["default", {}],
    ["fips", { fips: true }],
    ["tls12", { versions: ["TLSv1.2"] as ("TLSv1.2" | "TLSv1.3")[] }],
  ] as const) {
    const errors: unknown[] = [];
    const server = createMtlsServer({ store: gw.store, allowedPeers: [POOL, ...POOL_MEMBERS], core, policy: { ...policy, handshakeTimeoutMs: HANDSHAKE_MS } });
    server.on("tlsClientError", (e: unknown) => errors.push(e));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    servers.push({ name, server, port: (server.address() as net.AddressInfo).port, errors });
  }
  const base = { servername: GATEWAY, ca: [pki.rootPem], key: keyPem(pki.pool), cert: pki.pool.chainPem };
  flights = [
    await captureFlight({ ...base, minVersion: "TLSv1.2", maxVersion: "TLSv1.3" }),
    await captureFlight({ ...base, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" }),
    await captureFlight({ ...base, minVersion: "TLSv1.3", ecdhCurve: "X25519" }),
    await captureFlight({ ...base, minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA" }),
  ];
}

const HANDSHAKE_MS = 2000;

/** Sends `input`, half-closes, collects what comes back until the server closes (or the deadline passes). */
async function exchange(port: number, input: Uint8Array): Promise<{ back: Buffer; closed: boolean }> {
  const c = net.connect(port, "127.0.0.1");
  c.on("error", () => undefined);
  const got: Buffer[] = [];
  c.on("data", (d: Buffer) => got.push(d));
  await once(c, "connect");
  c.end(input);
  const closed = await new Promise<boolean>((res) => {
    const t = setTimeout(() => {
      c.destroy();
      res(false);
    }, HANDSHAKE_MS + 1500);
    c.once("close", () => {
      clearTimeout(t);
      res(true);
    });
  });
  return { back: Buffer.concat(got), closed };
}

function onlyRecords(b: Buffer): boolean {
  let off = 0;
  while (off + 5 <= b.length) {
    const type = b[off]!;
    if (type < 20 || type > 23 || b[off + 1] !== 3) return false;
    off += 5 + b.readUInt16BE(off + 3);
  }
  return off === b.length;
}

let store: { close(): void } | undefined;

async function teardown(): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((res) => s.server.close(() => res(), true))));
  servers = [];
  store?.close();
  store = undefined;
  core = undefined;
}

export const mtlsServer: FuzzTarget = {
  name: "mtls-server",
  description: "the gateway's mutual-TLS listener (handshake state machine, ClientHello processing, HRR) on the first flight an unauthenticated client sends",
  kind: "host",
  coverage: ["/dist/host/tls/"],
  maxLength: 4096,
  dictionary: [Uint8Array.of(0x16, 0x03, 0x01), Uint8Array.of(0x16, 0x03, 0x03), Uint8Array.of(0x03, 0x04), Uint8Array.of(0x00, 0x2b), Uint8Array.of(0x00, 0x33), Uint8Array.of(0x00, 0x1d), Uint8Array.of(0x00, 0x17), Uint8Array.of(0x13, 0x02), Uint8Array.of(0xc0, 0x2b), Uint8Array.of(0x00, 0x0d), Uint8Array.of(0x00, 0x29), Uint8Array.of(0x00, 0x2d)],
  counters,
  setup: (o) => setup(o.variant),
  teardown,
  seeds: () => flights,
  async run(input) {
    let h = 0;
    for (const b of input) h = (h * 31 + b) >>> 0;
    const s = servers[h % servers.length]!;
    const n = s.errors.length;
    const { back, closed } = await exchange(s.port, input);
    check(closed, `${s.name}: the server kept the connection open past its ${HANDSHAKE_MS} ms handshake deadline`);
    // the server reports every failed handshake (the EOF after our input at the latest)
    for (let i = 0; i < 200 && s.errors.length === n; i++) await new Promise((r) => setTimeout(r, 5));
    check(s.errors.length > n, `${s.name}: no tlsClientError for a connection that could not complete`);
    for (const e of s.errors.slice(n)) {
      check(e instanceof TlsError, `${s.name}: the listener reported ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a TlsError`);
      bump(counters, `${s.name}:${(e as TlsError).code}${(e as { alert?: string }).alert ? `:${(e as { alert?: string }).alert}` : ""}`);
    }
    s.errors.length = n;
    check(onlyRecords(back), `${s.name}: the server wrote something that is not TLS records`);
    for (let i = 0; i < 200 && s.server.connections > 0; i++) await new Promise((r) => setTimeout(r, 2));
    check(s.server.connections === 0, `${s.name}: a connection stayed open`);
    check(core!.arena.inUse === baseline, `${s.name}: arena ${core!.arena.inUse} bytes in use after the connection, ${baseline} before (leak)`);
  },
};
