// Helpers for the mutual-TLS suites: Node `tls` peers on loopback, reading the alert an OpenSSL
// peer reports, round trips with deadlines, and a byte-level TCP proxy for man-in-the-middle tests.
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Core } from "../../../host/core/load-core.js";
import { recordIo } from "../../../host/tls/record-io.js";

/**
 * Arena bytes in use once the core's shared record staging buffers (host/tls/record-io.ts, kept
 * for the core's lifetime) are at their largest: the level every test must return to after its
 * connections close.
 */
export function arenaBaseline(core: Core): number {
  recordIo(core).ensureSeal(65536, 70000);
  return core.arena.inUse;
}

/** Fails after `ms` with `what` in the message. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface NodePeer<T> {
  port: number;
  /** Connections' errors (server side) in arrival order. */
  errors: (Error & { code?: string })[];
  /** Resolves with the next error (tlsClientError or a socket error). */
  nextError(): Promise<Error & { code?: string }>;
  secure: T[];
  close(): Promise<void>;
}

/** A Node tls server (the Mediation Server's stand-in) that echoes every connection. */
export async function nodeEchoServer(opts: tls.TlsOptions): Promise<NodePeer<tls.TLSSocket>> {
  const errors: (Error & { code?: string })[] = [];
  const waiters: ((e: Error) => void)[] = [];
  const unclaimed: Error[] = [];
  const secure: tls.TLSSocket[] = [];
  const push = (e: Error) => {
    errors.push(e);
    const w = waiters.shift();
    if (w) w(e);
    else unclaimed.push(e);
  };
  const server = tls.createServer(opts, (s) => {
    secure.push(s);
    s.on("data", (d) => s.write(d));
    s.on("end", () => s.end());
    s.on("error", push);
  });
  server.on("tlsClientError", push);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    errors,
    secure,
    nextError: () => (unclaimed.length ? Promise.resolve(unclaimed.shift()!) : new Promise((r) => waiters.push(r))),
    close: () =>
      new Promise((resolve) => {
        for (const s of secure) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The alert an OpenSSL peer (Node tls) received, from its error: Node's codes are
 * ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA,
 * ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED... → "certificate_expired", "unknown_ca", ...
 */
export function receivedAlert(e: { code?: string; message?: string } | undefined): string | undefined {
  const m = /_ALERT_([A-Z_]+)$/.exec(e?.code ?? "") ?? /alert ([a-z ]+?)(?:\s*\(|:|$)/i.exec(e?.message ?? "");
  return m ? m[1]!.toLowerCase().replace(/ /g, "_") : undefined;
}

/** Writes `data` and reads until the same number of bytes came back (the peer echoes). */
export async function echoRoundTrip(s: Duplex, data: Uint8Array, ms = 10_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  const done = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      chunks.push(d);
      n += d.length;
      if (n >= data.length) {
        s.off("data", onData);
        s.off("error", reject);
        resolve();
      }
    };
    s.on("data", onData);
    s.once("error", reject);
  });
  s.write(data);
  await within(done, ms, `echo of ${data.length} bytes`);
  return Buffer.concat(chunks);
}

export function randomPayload(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

/** Waits for a Node TLS client to fail; returns its error (TLS 1.3 clients may fail after secureConnect). */
export async function nodeClientFailure(c: tls.TLSSocket, ms = 10_000): Promise<Error & { code?: string }> {
  return within(
    new Promise((resolve, reject) => {
      c.once("error", resolve);
      c.once("close", () => setImmediate(() => reject(new Error("the Node client closed without an error"))));
      c.once("secureConnect", () => c.write("x")); // a TLS 1.3 client learns of a refused certificate on its next read
    }),
    ms,
    "Node client failure",
  );
}

export interface Proxy {
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy to 127.0.0.1:target. `toServer`/`toClient` may rewrite each chunk (the proxy first
 * reassembles whole TLS records, so a rewrite sees records, never fragments).
 */
export async function recordProxy(target: number, hooks: { toServer?: (rec: Buffer) => Buffer; toClient?: (rec: Buffer) => Buffer }): Promise<Proxy> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((a) => {
    const b = net.connect(target, "127.0.0.1");
    conns.add(a).add(b);
    const pipe = (from: net.Socket, to: net.Socket, fn?: (rec: Buffer) => Buffer) => {
      let buf = Buffer.alloc(0);
      from.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 5) {
          const len = buf.readUInt16BE(3);
          if (buf.length < 5 + len) break;
          const rec = buf.subarray(0, 5 + len);
          buf = buf.subarray(5 + len);
          to.write(fn ? fn(Buffer.from(rec)) : rec);
        }
      });
      from.on("end", () => to.end());
      from.on("error", () => to.destroy());
    };
    pipe(a, b, hooks.toServer);
    pipe(b, a, hooks.toClient);
    b.on("error", () => a.destroy());
    a.on("close", () => conns.delete(a));
    b.on("close", () => conns.delete(b));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs tasks with at most `n` at once. */
export async function limited<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return out;
}
