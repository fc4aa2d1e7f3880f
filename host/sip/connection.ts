// One SIP connection over a reliable byte stream (any Node Duplex: a TLS socket, a TCP socket, a
// test pair): framing, CRLF keep-alive, and the RFC 3261 §17 transaction layer for reliable
// transports (no request retransmission; timers B, F, H; ACK for non-2xx built here).
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { SipError } from "./errors.js";
import { SipFramer } from "./framer.js";
import { SipRequest, SipResponse, createResponse, parseVia, type SipMessage } from "./message.js";
import { DEFAULT_SIP_LIMITS, serializeMessage, type SipLimits } from "./parser.js";
import { resolveTimers, type SipTimers } from "./timers.js";

export interface SipConnectionOptions {
  limits?: Partial<SipLimits>;
  timers?: Partial<SipTimers>;
  /** Where the peer is (for logs and for routing in-dialog requests back). */
  remote?: { host: string; port: number };
  /** Send CRLFCRLF every intervalMs; close when no CRLF pong comes within pongTimeoutMs (RFC 5626 §4.4.1: 10 s). */
  keepAlive?: { intervalMs: number; pongTimeoutMs?: number };
  /** Send 100 Trying as soon as an INVITE arrives (default true). */
  send100?: boolean;
  /** Server transactions open at once on this connection (default 256); more get 503. */
  maxServerTransactions?: number;
  /**
   * A message that has begun to arrive must be complete within this time (default 32000 ms, 64·T1),
   * else the connection is closed (ERR_SIP_TIMEOUT): a slow-loris peer trickling bytes cannot hold a
   * connection and its buffer forever.
   */
  readTimeoutMs?: number;
}

export interface SendRequestOptions {
  /** Overrides Timer B / F for this request. */
  timeoutMs?: number;
  onProvisional?: (res: SipResponse) => void;
}

function txKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/** Client transaction (RFC 3261 §17.1), reliable transport. */
class ClientTransaction {
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  readonly promise: Promise<SipResponse>;
  private resolve!: (r: SipResponse) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly conn: SipConnection,
    readonly key: string,
    readonly request: SipRequest,
    timeoutMs: number,
    private readonly onProvisional?: (res: SipResponse) => void,
  ) {
    this.promise = new Promise<SipResponse>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.timer = setTimeout(() => this.fail(new SipError("ERR_SIP_TIMEOUT", `${request.method} timed out (no ${request.method === "INVITE" ? "response" : "final response"})`)), timeoutMs);
  }

  receive(res: SipResponse): void {
    if (this.settled) return;
    if (res.status < 200) {
      // Timer B only runs while no provisional has come (Calling state); Timer F runs on.
      if (this.request.method === "INVITE" && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      try {
        this.onProvisional?.(res);
      } catch {
        /* the TU's problem */
      }
      return;
    }
    if (this.request.method === "INVITE" && res.status >= 300) this.conn.send(ackForNon2xx(this.request, res));
    this.settled = true;
    this.clear();
    this.resolve(res);
  }

  fail(e: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.clear();
    this.reject(e);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.conn.dropClient(this.key);
  }
}

/** RFC 3261 §17.1.1.3: the ACK for a non-2xx final response is part of the INVITE transaction. */
function ackForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const ack = new SipRequest("ACK", invite.uri);
  ack.add("Via", invite.getList("Via")[0]!);
  for (const r of invite.getAll("Route")) ack.add("Route", r);
  ack.add("Max-Forwards", "70");
  ack.add("From", invite.get("From")!);
  ack.add("To", res.get("To") ?? invite.get("To")!);
  ack.add("Call-ID", invite.callId);
  ack.add("CSeq", `${invite.cseq.seq} ACK`);
  return ack;
}

/** Server transaction (RFC 3261 §17.2), reliable transport. */
export class ServerTransaction {
  private lastResponse: Buffer | undefined;
  private timerH: NodeJS.Timeout | undefined;
  finalStatus = 0;
  terminated = false;
  /** Set when a CANCEL arrived for this INVITE. */
  cancelled = false;

  constructor(
    readonly conn: SipConnection,
    readonly key: string,
    readonly request: SipRequest,
  ) {}

  get isInvite(): boolean {
    return this.request.method === "INVITE";
  }

  /** Sends a response. Provisional after final, or a second final, is refused (ERR_SIP_STATE). */
  respond(res: SipResponse): void {
    if (this.finalStatus) throw new SipError("ERR_SIP_STATE", `a final response (${this.finalStatus}) was already sent`);
    const bytes = serializeMessage(res);
    this.lastResponse = bytes;
    this.conn.writeRaw(bytes);
    if (res.status < 200) return;
    this.finalStatus = res.status;
    if (this.isInvite && res.status >= 300) {
      // Wait for the ACK (Timer H); the ACK ends the transaction (Timer I = 0 on reliable).
      this.timerH = setTimeout(() => this.terminate(), this.conn.timers.timerH);
    } else {
      // 2xx to INVITE: the UAS core re-sends it until the ACK. Non-INVITE: Timer J = 0.
      this.terminate();
    }
  }

  /** A retransmitted request: repeat the last response (RFC 3261 §17.2.1/§17.2.2). */
  retransmitted(): void {
    if (this.lastResponse) this.conn.writeRaw(this.lastResponse);
  }

  ackReceived(): void {
    this.terminate();
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    if (this.timerH) clearTimeout(this.timerH);
    this.conn.dropServer(this.key);
  }
}

export interface SipConnectionEvents {
  /** A new request (not a retransmission). `tx` is undefined for an ACK to a 2xx. */
  request: [req: SipRequest, tx: ServerTransaction | undefined];
  /** A response no client transaction owns (typically a re-sent 2xx to an INVITE). */
  strayResponse: [res: SipResponse];
  /** A message we refused (hostile or broken input); `fatal` closes the connection. */
  protocolError: [e: SipError, fatal: boolean];
  close: [err: SipError | undefined];
}

let nextConnId = 1;

export class SipConnection extends EventEmitter<SipConnectionEvents> {
  readonly id = nextConnId++;
  readonly timers: SipTimers;
  readonly limits: SipLimits;
  readonly remote: { host: string; port: number } | undefined;
  private readonly framer: SipFramer;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly send100: boolean;
  private readonly maxServerTransactions: number;
  private readonly readTimeoutMs: number;
  private readTimer: NodeJS.Timeout | undefined;
  private delivered = 0;
  private isClosed = false;
  /** Protocol errors seen on this connection (for stats and tests). */
  protocolErrors = 0;

  constructor(
    readonly socket: Duplex,
    opts: SipConnectionOptions = {},
  ) {
    super();
    this.timers = resolveTimers(opts.timers);
    this.limits = { ...DEFAULT_SIP_LIMITS, ...opts.limits };
    this.remote = opts.remote;
    this.send100 = opts.send100 ?? true;
    this.maxServerTransactions = opts.maxServerTransactions ?? 256;
    this.readTimeoutMs = opts.readTimeoutMs ?? 64 * this.timers.t1;
    this.framer = new SipFramer(
      {
        message: (m) => {
          this.delivered++;
          try {
            this.onMessage(m);
          } catch (e) {
            // A message that passed validation but still broke dispatch must not take the process
            // down with it (this runs inside the socket's data event): refuse it and drop the link.
            const err = e instanceof SipError ? e : new SipError("ERR_SIP_PARSE", `message could not be dispatched: ${(e as Error).message}`, { cause: e });
            this.onFramingError(err, true);
          }
        },
        ping: () => this.writeRaw(Buffer.from("\r\n")),
        pong: () => {
          if (this.pongTimer) clearTimeout(this.pongTimer);
          this.pongTimer = undefined;
        },
        error: (e, fatal, partial) => this.onFramingError(e, fatal, partial),
      },
      this.limits,
    );
    socket.on("data", (d: Buffer | string) => this.onData(typeof d === "string" ? Buffer.from(d) : d));
    socket.on("error", (e: Error) => this.close(new SipError("ERR_SIP_TRANSPORT", `transport error: ${e.message}`, { cause: e })));
    socket.on("close", () => this.close(new SipError("ERR_SIP_TRANSPORT", "connection closed")));
    socket.on("end", () => this.close(new SipError("ERR_SIP_TRANSPORT", "connection ended by the peer")));
    if (opts.keepAlive) this.startKeepAlive(opts.keepAlive.intervalMs, opts.keepAlive.pongTimeoutMs ?? 10000);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  private onData(d: Buffer): void {
    const before = this.delivered;
    this.framer.push(d);
    if (this.isClosed) return;
    if (!this.framer.partial) {
      if (this.readTimer) clearTimeout(this.readTimer);
      this.readTimer = undefined;
      return;
    }
    // The deadline runs from the first byte of the incomplete message: more trickling bytes do not
    // extend it; a message completing (and the next one starting) does.
    if (this.readTimer && this.delivered === before) return;
    if (this.readTimer) clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => {
      const e = new SipError("ERR_SIP_TIMEOUT", `a message stayed incomplete for ${this.readTimeoutMs} ms`, { status: 408 });
      this.protocolErrors++;
      this.emit("protocolError", e, true);
      this.close(e);
    }, this.readTimeoutMs);
    this.readTimer.unref?.();
  }

  private startKeepAlive(intervalMs: number, pongTimeoutMs: number): void {
    this.keepAliveTimer = setInterval(() => {
      if (this.isClosed || this.pongTimer) return;
      this.framer.expectingPong = true;
      this.writeRaw(Buffer.from("\r\n\r\n"));
      this.pongTimer = setTimeout(() => this.close(new SipError("ERR_SIP_TIMEOUT", "no CRLF pong to our keep-alive ping")), pongTimeoutMs);
    }, intervalMs);
    this.keepAliveTimer.unref?.();
  }

  writeRaw(b: Buffer): void {
    if (this.isClosed || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(b);
  }

  send(m: SipMessage): void {
    this.writeRaw(serializeMessage(m));
  }

  /**
   * Sends a request in a new client transaction and resolves with its final response. A missing
   * top Via branch is filled in. Rejects with ERR_SIP_TIMEOUT (Timer B/F) or ERR_SIP_TRANSPORT.
   */
  sendRequest(req: SipRequest, opts: SendRequestOptions = {}): Promise<SipResponse> {
    if (this.isClosed) return Promise.reject(new SipError("ERR_SIP_TRANSPORT", "the connection is closed"));
    if (req.method === "ACK") throw new SipError("ERR_SIP_STATE", "an ACK is not a transaction: use send()");
    let branch = req.getList("Via")[0] ? parseVia(req.getList("Via")[0]!).branch : undefined;
    if (!branch) throw new SipError("ERR_SIP_STATE", "the request needs a top Via with a branch");
    const key = txKey(branch, req.method);
    if (this.clients.has(key)) throw new SipError("ERR_SIP_STATE", "a transaction with this branch is already running");
    const timeout = opts.timeoutMs ?? (req.method === "INVITE" ? this.timers.timerB : this.timers.timerF);
    const tx = new ClientTransaction(this, key, req, timeout, opts.onProvisional);
    this.clients.set(key, tx);
    this.send(req);
    return tx.promise;
  }

  /** The running INVITE server transaction with this branch (for CANCEL). */
  findServerTransaction(branch: string, method: string): ServerTransaction | undefined {
    return this.servers.get(txKey(branch, method));
  }

  dropClient(key: string): void {
    this.clients.delete(key);
  }

  dropServer(key: string): void {
    this.servers.delete(key);
  }

  private onFramingError(e: SipError, fatal: boolean, partial?: SipMessage): void {
    this.protocolErrors++;
    this.emit("protocolError", e, fatal);
    // Answer a broken request when there is enough of it to route a response back.
    if (partial instanceof SipRequest && partial.method !== "ACK") {
      try {
        parseVia(partial.getList("Via")[0] ?? "");
        const res = createResponse(partial, e.status ?? 400, { reason: shortReason(e) });
        this.send(res);
      } catch {
        /* no usable Via: nothing to answer */
      }
    }
    if (fatal) {
      // Framing is lost: flush what we wrote, then close.
      this.socket.end();
      setTimeout(() => this.close(e), 50).unref?.();
    }
  }

  private onMessage(m: SipMessage): void {
    if (m instanceof SipResponse) {
      let branch: string | undefined;
      try {
        branch = m.via.branch;
      } catch {
        branch = undefined;
      }
      const method = m.cseq.method;
      const tx = branch ? this.clients.get(txKey(branch, method)) : undefined;
      if (tx) tx.receive(m);
      else this.emit("strayResponse", m);
      return;
    }
    const req = m as SipRequest;
    const branch = req.via.branch;
    if (!branch) {
      if (req.method !== "ACK") this.send(createResponse(req, 400, { reason: "Missing Via branch" }));
      return;
    }
    if (req.method === "ACK") {
      const inv = this.servers.get(txKey(branch, "INVITE"));
      if (inv) {
        inv.ackReceived();
        return;
      }
      this.emit("request", req, undefined);
      return;
    }
    const key = txKey(branch, req.method);
    const existing = this.servers.get(key);
    if (existing) {
      existing.retransmitted();
      return;
    }
    if (this.servers.size >= this.maxServerTransactions) {
      // A flood on one connection: refuse politely rather than grow without bound.
      this.send(createResponse(req, 503).add("Retry-After", "5"));
      return;
    }
    const tx = new ServerTransaction(this, key, req);
    this.servers.set(key, tx);
    if (req.method === "INVITE" && this.send100) tx.respond(createResponse(req, 100));
    this.emit("request", req, tx);
  }

  /** Closes the connection; pending client transactions fail with ERR_SIP_TRANSPORT (or `err`). */
  close(err?: SipError): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    if (this.readTimer) clearTimeout(this.readTimer);
    const e = err ?? new SipError("ERR_SIP_CLOSED", "the connection was closed");
    for (const tx of [...this.clients.values()]) tx.fail(e.code === "ERR_SIP_CLOSED" ? e : new SipError("ERR_SIP_TRANSPORT", e.message, { cause: e }));
    for (const tx of [...this.servers.values()]) tx.terminate();
    if (!this.socket.destroyed) this.socket.destroy();
    this.emit("close", err);
  }
}

function shortReason(e: SipError): string {
  switch (e.code) {
    case "ERR_SIP_MISSING_HEADER":
      return "Bad Request - Missing or Malformed Header";
    case "ERR_SIP_CONTENT_LENGTH":
      return "Bad Request - Bad Content-Length";
    case "ERR_SIP_TOO_LARGE":
      return "Message Too Large";
    default:
      return "Bad Request";
  }
}

