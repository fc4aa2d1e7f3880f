// Test plumbing for SIP: loopback listeners, raw SIP clients that speak bytes, waiting helpers.
import net from "node:net";
import { once } from "node:events";

export interface Listener {
  server: net.Server;
  port: number;
  sockets: Set<net.Socket>;
  /** Stops listening and destroys every accepted socket (a pool member going away). */
  stop(): Promise<void>;
}

/** A TCP listener on 127.0.0.1 with an ephemeral port (or `port` to reuse one). */
export async function listen(onSocket: (s: net.Socket) => void, port = 0): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    onSocket(s);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address() as net.AddressInfo;
  return {
    server,
    port: addr.port,
    sockets,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function connectTcp(m: { host: string; port: number }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(m.port, m.host);
    s.once("connect", () => {
      s.removeListener("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** A port nothing listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const l = await listen(() => undefined);
  const p = l.port;
  await l.stop();
  return p;
}

/** A raw byte-level SIP client for wire tests: collects complete messages as text. */
export class RawClient {
  buf = "";
  messages: string[] = [];
  raw = "";
  closed = false;
  private waiters: (() => void)[] = [];
  constructor(readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      this.raw += d;
      this.buf += d;
      this.split();
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }
  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await connectTcp({ host: "127.0.0.1", port }));
  }
  private split(): void {
    for (;;) {
      while (this.buf.startsWith("\r\n")) this.buf = this.buf.slice(2);
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buf.slice(0, end);
      const m = /\r\nContent-Length:\s*(\d+)/i.exec(head);
      const n = m ? Number(m[1]) : 0;
      if (this.buf.length < end + 4 + n) return;
      this.messages.push(this.buf.slice(0, end + 4 + n));
      this.buf = this.buf.slice(end + 4 + n);
    }
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  send(s: string | Buffer): void {
    this.socket.write(s);
  }
  /** Waits for a message matching `re` (searching from message index `from`). */
  async waitFor(re: RegExp, timeoutMs = 2000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find((m) => re.test(m));
      if (hit) return hit;
      if (this.closed) throw new Error(`connection closed while waiting for ${re}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${re}; got:\n${this.messages.map((m) => m.split("\r\n")[0]).join("\n")}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async waitClosed(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("the connection stayed open");
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  count(re: RegExp): number {
    return this.messages.filter((m) => re.test(m)).length;
  }
  close(): void {
    this.socket.destroy();
  }
}

export function header(msg: string, name: string): string | undefined {
  const m = new RegExp(`\\r\\n${name}:\\s*([^\\r\\n]*)`, "i").exec(msg);
  return m?.[1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function until(cond: () => boolean, timeoutMs = 2000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await sleep(5);
  }
}

/** A request as a gateway peer would send it, with Content-Length computed. */
export function rawRequest(o: {
  method: string;
  uri?: string;
  branch?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  cseq?: number;
  cseqMethod?: string;
  body?: string;
  extra?: string[];
  omit?: string[];
}): string {
  const body = o.body ?? "";
  const h: [string, string][] = [
    ["Via", `SIP/2.0/TCP 127.0.0.1:5099;branch=${o.branch ?? "z9hG4bK" + Math.random().toString(16).slice(2)}`],
    ["Max-Forwards", "70"],
    ["From", `<sip:+12065550100@mediation.example.com>;tag=${o.fromTag ?? "ms1"}`],
    ["To", `<sip:+14255550100@gw.example.com>${o.toTag ? `;tag=${o.toTag}` : ""}`],
    ["Call-ID", o.callId ?? `call-${Math.random().toString(16).slice(2)}@mediation.example.com`],
    ["CSeq", `${o.cseq ?? 1} ${o.cseqMethod ?? o.method}`],
    ["Contact", "<sip:mediation.example.com:5099;transport=tcp>"],
  ];
  const lines = [`${o.method} ${o.uri ?? "sip:+14255550100@gw.example.com:5067;transport=tcp"} SIP/2.0`];
  for (const [n, v] of h) if (!o.omit?.includes(n)) lines.push(`${n}: ${v}`);
  for (const e of o.extra ?? []) lines.push(e);
  if (body) lines.push("Content-Type: application/sdp");
  if (!o.omit?.includes("Content-Length")) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join("\r\n") + "\r\n\r\n" + body;
}
