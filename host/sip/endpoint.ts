// A SIP endpoint for a trunk: several connections (outbound to the Mediation pool members through
// an injected connection factory, inbound from a listener), request dispatch to calls and dialogs,
// OPTIONS answered and sent as health probes, and failover between pool members.
//
//   const ep = new SipEndpoint({ local: { host: "gw.example.com", port: 5067 },
//                                pool: { fqdn: "pool.example.com", port: 5067, resolve },
//                                connect: (m) => mtlsConnect(m) });
//   await ep.start();
//   ep.on("invite", (call) => { ... call.accept(answerSdp) ... });
//   const out = ep.invite({ to: "+14255550100", from: "+12065550100", body: offerSdp });
//   await out.result;
//   server.on("secureConnection", (s) => ep.accept(s));
import { EventEmitter } from "node:events";
import { lookup } from "node:dns/promises";
import type { Duplex } from "node:stream";
import { SipError } from "./errors.js";
import { SipConnection, type ServerTransaction } from "./connection.js";
import { ALLOW, IncomingCall, OutgoingCall, type CallHost, type InviteOptions, type PoolMemberRef, type SipCall } from "./call.js";
import { dialogKey, type LocalIdentity } from "./dialog.js";
import { SipRequest, createResponse, formatVia, newBranch, newCallId, newTag, type SipResponse } from "./message.js";
import type { SipLimits } from "./parser.js";
import { resolveTimers, type SipTimers } from "./timers.js";

export interface SipPoolOptions {
  /** The pool FQDN: used in Request-URIs and To, and resolved to members when `members` is absent. */
  fqdn?: string;
  /** Port of every resolved member (default 5067, the Mediation Server's TLS port). */
  port?: number;
  /** A static member list (tests; or the sim board's hosts map already applied). */
  members?: PoolMemberRef[];
  /** FQDN → addresses (default: every A/AAAA record from the system resolver). */
  resolve?: (fqdn: string) => Promise<string[]>;
}

export interface SipHealthOptions {
  /** OPTIONS probe interval per member (default 30000 ms). */
  intervalMs?: number;
  /** Consecutive failures that mark a member down (default 5, as the Mediation Server does). */
  failuresToDown?: number;
  /** A probe without a final response after this long is a failure (default 5000 ms). */
  timeoutMs?: number;
}

export interface SipEndpointOptions {
  local: { host: string; port: number; transport?: "TLS" | "TCP"; contactUser?: string };
  pool?: SipPoolOptions;
  /** Opens a connection to a member (our MTLS client in production; net/tls in tests). */
  connect?: (member: PoolMemberRef) => Promise<Duplex>;
  /** Connect timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  timers?: Partial<SipTimers>;
  limits?: Partial<SipLimits>;
  /** OPTIONS probing of pool members; false to disable (default enabled when a pool is set). */
  health?: SipHealthOptions | false;
  /** CRLF keep-alive on our outbound connections (default off; RFC 5626 suggests 95-120 s on TCP). */
  keepAlive?: { intervalMs: number; pongTimeoutMs?: number } | false;
  userAgent?: string;
  /** Inbound connections accepted at once (default 64); more are closed at accept. */
  maxInboundConnections?: number;
  /** Server transactions open at once per connection (default 256); more are answered 503. */
  maxServerTransactions?: number;
  /** A message begun on a connection must be complete within this (default 64·T1); else the connection closes. */
  readTimeoutMs?: number;
}

export interface MemberStatus {
  host: string;
  port: number;
  up: boolean;
  /** Consecutive failures (probe or call attempt). */
  failures: number;
  lastError?: string;
  probes: number;
}

class Member implements PoolMemberRef {
  up = true;
  failures = 0;
  probes = 0;
  lastError: string | undefined;
  conn: SipConnection | undefined;
  connecting: Promise<SipConnection> | undefined;
  probing = false;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}
}

export interface SipEndpointEvents {
  invite: [call: IncomingCall];
  memberDown: [m: MemberStatus];
  memberUp: [m: MemberStatus];
  connection: [conn: SipConnection, direction: "inbound" | "outbound"];
  /** Hostile or broken input on a connection (already answered or the connection closed). */
  protocolError: [e: SipError, conn: SipConnection];
}

export class SipEndpoint extends EventEmitter<SipEndpointEvents> implements CallHost {
  readonly local: LocalIdentity;
  readonly timers: SipTimers;
  private readonly opts: SipEndpointOptions;
  private members: Member[] = [];
  private readonly dialogs = new Map<string, SipCall>();
  private readonly inbound = new Set<SipConnection>();
  /** INVITEs we have not answered finally yet, by their server transaction (for CANCEL). */
  private readonly pendingInvites = new Map<ServerTransaction, IncomingCall>();
  private healthTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Counters for stats and tests. */
  readonly counters = { optionsAnswered: 0, optionsSent: 0, protocolErrors: 0, rejectedConnections: 0 };

  constructor(opts: SipEndpointOptions) {
    super();
    this.opts = opts;
    this.timers = resolveTimers(opts.timers);
    const transport = opts.local.transport ?? "TLS";
    this.local = {
      host: opts.local.host,
      port: opts.local.port,
      transport,
      contact: `sip:${opts.local.contactUser ? `${opts.local.contactUser}@` : ""}${opts.local.host}:${opts.local.port};transport=${transport.toLowerCase()}`,
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    };
    if (opts.pool?.members) this.members = opts.pool.members.map((m) => new Member(m.host, m.port));
  }

  /** Resolves the pool (when given as an FQDN) and starts OPTIONS probing. */
  async start(): Promise<void> {
    await this.refreshMembers();
    const h = this.opts.health;
    if (h !== false && this.opts.pool && this.members.length) {
      const every = h?.intervalMs ?? 30000;
      this.healthTimer = setInterval(() => this.probeAll(), every);
      this.healthTimer.unref?.();
    }
  }

  /** Re-resolves the pool FQDN; members that stay keep their state. */
  async refreshMembers(): Promise<void> {
    const p = this.opts.pool;
    if (!p || p.members || !p.fqdn) return;
    const resolve = p.resolve ?? (async (fqdn: string) => (await lookup(fqdn, { all: true })).map((a) => a.address));
    const addrs = await resolve(p.fqdn);
    const port = p.port ?? 5067;
    const next: Member[] = [];
    for (const a of addrs) {
      const old = this.members.find((m) => m.host === a && m.port === port);
      next.push(old ?? new Member(a, port));
    }
    this.members = next;
  }

  memberStatus(): MemberStatus[] {
    return this.members.map((m) => this.status(m));
  }

  private status(m: Member): MemberStatus {
    return { host: m.host, port: m.port, up: m.up, failures: m.failures, probes: m.probes, ...(m.lastError ? { lastError: m.lastError } : {}) };
  }

  private find(ref: PoolMemberRef): Member | undefined {
    return this.members.find((m) => m.host === ref.host && m.port === ref.port);
  }

  // ---- CallHost ---------------------------------------------------------------------------

  inviteTargets(): PoolMemberRef[] {
    // Members that are up, in order; then the ones marked down as a last resort.
    return [...this.members.filter((m) => m.up), ...this.members.filter((m) => !m.up)];
  }

  inviteUris(member: PoolMemberRef, to: string, from: string): { requestUri: string; toUri: string; fromUri: string } {
    const t = this.local.transport.toLowerCase();
    const domain = this.opts.pool?.fqdn ?? member.host;
    const phone = (u: string) => (/^\+?[0-9*#]+$/.test(u) ? ";user=phone" : "");
    if (/^sips?:/i.test(to)) return { requestUri: to, toUri: to, fromUri: `sip:${from}@${this.local.host}${phone(from)}` };
    return {
      requestUri: `sip:${to}@${domain}:${member.port};transport=${t}${phone(to)}`,
      toUri: `sip:${to}@${domain}${phone(to)}`,
      fromUri: `sip:${from}@${this.local.host}${phone(from)}`,
    };
  }

  registerDialog(call: SipCall): void {
    if (call.dialog) this.dialogs.set(dialogKey(call.callId, call.localTag, call.dialog.remoteTag), call);
  }

  unregisterDialog(call: SipCall): void {
    if (call.dialog) this.dialogs.delete(dialogKey(call.callId, call.localTag, call.dialog.remoteTag));
  }

  memberFailed(ref: PoolMemberRef, why: string): void {
    const m = this.find(ref);
    if (!m) return;
    m.failures++;
    m.lastError = why;
    const n = this.opts.health === false ? 1 : (this.opts.health?.failuresToDown ?? 5);
    if (m.up && m.failures >= n) {
      m.up = false;
      this.emit("memberDown", this.status(m));
    }
  }

  memberOk(ref: PoolMemberRef): void {
    const m = this.find(ref);
    if (!m) return;
    m.failures = 0;
    if (!m.up) {
      m.up = true;
      delete (m as { lastError?: string }).lastError;
      this.emit("memberUp", this.status(m));
    }
  }

  /** An open connection to a member, connecting when there is none. */
  connectionTo(ref: PoolMemberRef): Promise<SipConnection> {
    if (this.closed) return Promise.reject(new SipError("ERR_SIP_CLOSED", "the endpoint is closed"));
    const m = this.find(ref) ?? new Member(ref.host, ref.port);
    if (m.conn && !m.conn.closed) return Promise.resolve(m.conn);
    if (m.connecting) return m.connecting;
    const connect = this.opts.connect;
    if (!connect) return Promise.reject(new SipError("ERR_SIP_TRANSPORT", "no connection factory"));
    const timeout = this.opts.connectTimeoutMs ?? 5000;
    m.connecting = new Promise<SipConnection>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SipError("ERR_SIP_TIMEOUT", `connect to ${m.host}:${m.port} timed out`)), timeout);
      connect({ host: m.host, port: m.port }).then(
        (socket) => {
          clearTimeout(timer);
          if (this.closed) {
            socket.destroy();
            reject(new SipError("ERR_SIP_CLOSED", "the endpoint is closed"));
            return;
          }
          const conn = this.adopt(socket, "outbound", { host: m.host, port: m.port });
          m.conn = conn;
          conn.on("close", () => {
            if (m.conn === conn) m.conn = undefined;
          });
          resolve(conn);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(new SipError("ERR_SIP_TRANSPORT", `connect to ${m.host}:${m.port} failed: ${(e as Error).message}`, { cause: e }));
        },
      );
    }).finally(() => {
      m.connecting = undefined;
    });
    return m.connecting;
  }

  async connectionForDialog(call: SipCall): Promise<SipConnection> {
    const d = call.dialog;
    if (!d) throw new SipError("ERR_SIP_STATE", "no dialog");
    if (!d.conn.closed) return d.conn;
    // The connection went away: reach the peer again (its member, or the host in its Contact).
    let target: PoolMemberRef | undefined = call.member;
    if (!target) {
      const m = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;>]+)(?::(\d+))?/i.exec(d.remoteTarget);
      if (m) target = { host: m[1]!.replace(/^\[|\]$/g, ""), port: m[2] ? Number(m[2]) : 5067 };
    }
    if (!target) throw new SipError("ERR_SIP_TRANSPORT", "cannot reach the peer of this dialog");
    d.conn = await this.connectionTo(target);
    return d.conn;
  }

  // ---- public API ---------------------------------------------------------------------------

  /** Adopts an inbound connection (from our listener). */
  accept(socket: Duplex, remote?: { host: string; port: number }): SipConnection | undefined {
    if (this.closed || this.inbound.size >= (this.opts.maxInboundConnections ?? 64)) {
      this.counters.rejectedConnections++;
      socket.destroy();
      return undefined;
    }
    const conn = this.adopt(socket, "inbound", remote);
    this.inbound.add(conn);
    conn.on("close", () => this.inbound.delete(conn));
    return conn;
  }

  /** Starts an outbound call through the pool (failover on connect failure, timeout, 5xx). */
  invite(opts: InviteOptions): OutgoingCall {
    if (this.closed) throw new SipError("ERR_SIP_CLOSED", "the endpoint is closed");
    return new OutgoingCall(this, opts);
  }

  /** Sends OPTIONS to one member; resolves with the final response. */
  async options(ref: PoolMemberRef, timeoutMs?: number): Promise<SipResponse> {
    const conn = await this.connectionTo(ref);
    const t = this.local.transport.toLowerCase();
    const uri = `sip:${this.opts.pool?.fqdn ?? ref.host}:${ref.port};transport=${t}`;
    const req = new SipRequest("OPTIONS", uri);
    req.add("Via", formatVia({ transport: this.local.transport, host: this.local.host, port: this.local.port, branch: newBranch() }));
    req.add("Max-Forwards", "70");
    req.add("From", `<sip:${this.local.host}>;tag=${newTag()}`);
    req.add("To", `<${uri.replace(/;transport=\w+$/, "")}>`);
    req.add("Call-ID", newCallId(this.local.host));
    req.add("CSeq", "1 OPTIONS");
    req.add("Contact", `<${this.local.contact}>`);
    req.add("Accept", "application/sdp");
    if (this.local.userAgent) req.add("User-Agent", this.local.userAgent);
    this.counters.optionsSent++;
    return conn.sendRequest(req, timeoutMs !== undefined ? { timeoutMs } : {});
  }

  /** One round of OPTIONS probes (also run by the health timer). */
  probeAll(): Promise<void> {
    return Promise.all(this.members.map((m) => this.probe(m))).then(() => undefined);
  }

  private async probe(m: Member): Promise<void> {
    if (m.probing || this.closed) return;
    m.probing = true;
    m.probes++;
    const timeout = this.opts.health === false ? 5000 : (this.opts.health?.timeoutMs ?? 5000);
    try {
      const res = await this.options(m, timeout);
      // Any final answer but a 5xx means the member's SIP stack is alive.
      if (res.status >= 500) this.memberFailed(m, String(res.status));
      else this.memberOk(m);
    } catch (e) {
      const code = (e as SipError).code;
      this.memberFailed(m, code === "ERR_SIP_TIMEOUT" ? "timeout" : code === "ERR_SIP_TRANSPORT" ? "unreachable" : String(code));
    } finally {
      m.probing = false;
    }
  }

  /** Every call with a dialog (early or confirmed). */
  calls(): SipCall[] {
    return [...new Set(this.dialogs.values())];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const calls = this.calls().filter((c) => c.state === "confirmed");
    // BYE every confirmed call, but do not wait a whole Timer F for peers that do not answer.
    const byes = Promise.all(calls.map((c) => c.hangup().catch(() => undefined)));
    await Promise.race([byes, new Promise((r) => setTimeout(r, Math.min(2000, this.timers.timerF)).unref?.())]);
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    for (const m of this.members) m.conn?.close();
    for (const c of [...this.inbound]) c.close();
  }

  // ---- dispatch -----------------------------------------------------------------------------

  private adopt(socket: Duplex, direction: "inbound" | "outbound", remote?: { host: string; port: number }): SipConnection {
    const conn = new SipConnection(socket, {
      timers: this.opts.timers ?? {},
      limits: this.opts.limits ?? {},
      ...(remote ? { remote } : {}),
      ...(direction === "outbound" && this.opts.keepAlive ? { keepAlive: this.opts.keepAlive } : {}),
      ...(this.opts.maxServerTransactions !== undefined ? { maxServerTransactions: this.opts.maxServerTransactions } : {}),
      ...(this.opts.readTimeoutMs !== undefined ? { readTimeoutMs: this.opts.readTimeoutMs } : {}),
    });
    conn.on("request", (req, tx) => {
      try {
        this.onRequest(conn, req, tx);
      } catch (e) {
        if (tx && !tx.finalStatus && !tx.terminated) tx.respond(createResponse(req, 500));
        this.emit("protocolError", e instanceof SipError ? e : new SipError("ERR_SIP_PARSE", String(e)), conn);
      }
    });
    conn.on("strayResponse", (res) => this.onStrayResponse(res));
    conn.on("protocolError", (e) => {
      this.counters.protocolErrors++;
      this.emit("protocolError", e, conn);
    });
    this.emit("connection", conn, direction);
    return conn;
  }

  private onStrayResponse(res: SipResponse): void {
    if (res.cseq.method !== "INVITE" || res.status < 200 || res.status >= 300) return;
    const call = this.dialogs.get(dialogKey(res.callId, res.from.tag ?? "", res.to.tag ?? ""));
    call?.handleStray2xx(res);
  }

  private onRequest(conn: SipConnection, req: SipRequest, tx: ServerTransaction | undefined): void {
    const fromTag = req.from.tag ?? "";
    const toTag = req.to.tag;
    if (req.method === "ACK") {
      const call = toTag ? this.dialogs.get(dialogKey(req.callId, toTag, fromTag)) : undefined;
      call?.handleAck(req);
      return;
    }
    if (!tx) return;
    if (req.method === "CANCEL") {
      const inv = conn.findServerTransaction(req.via.branch!, "INVITE");
      if (!inv) {
        tx.respond(createResponse(req, 481));
        return;
      }
      tx.respond(createResponse(req, 200));
      const call = this.pendingInvites.get(inv);
      if (call) call.handleCancel();
      else if (!inv.finalStatus) {
        inv.cancelled = true;
        inv.respond(createResponse(inv.request, 487, { toTag: newTag() }));
      }
      return;
    }
    // RFC 3261 §8.2.2.3: refuse extensions we do not support.
    const required = req.getList("Require").filter((o) => o.length > 0);
    if (required.length) {
      tx.respond(createResponse(req, 420, { toTag: newTag() }).add("Unsupported", required.join(", ")));
      return;
    }
    if (toTag) {
      const call = this.dialogs.get(dialogKey(req.callId, toTag, fromTag));
      if (!call) {
        tx.respond(createResponse(req, 481));
        return;
      }
      void call.handleInDialog(req, tx);
      return;
    }
    switch (req.method) {
      case "INVITE": {
        const ct = req.get("Content-Type");
        if (req.body.length > 0 && (!ct || ct.split(";")[0]!.trim().toLowerCase() !== "application/sdp")) {
          tx.respond(createResponse(req, 415, { toTag: newTag() }).add("Accept", "application/sdp"));
          return;
        }
        const call = new IncomingCall(this, req, tx);
        this.pendingInvites.set(tx, call);
        const forget = () => this.pendingInvites.delete(tx);
        call.once("ended", forget);
        call.once("established", forget);
        if (this.listenerCount("invite") === 0) {
          call.reject(480);
          return;
        }
        this.emit("invite", call);
        return;
      }
      case "OPTIONS": {
        this.counters.optionsAnswered++;
        const r = createResponse(req, 200, { toTag: newTag() });
        r.add("Allow", ALLOW).add("Accept", "application/sdp").add("Contact", `<${this.local.contact}>`);
        if (this.local.userAgent) r.add("Server", this.local.userAgent);
        tx.respond(r);
        return;
      }
      case "BYE":
        tx.respond(createResponse(req, 481));
        return;
      default:
        // REFER (transfer) and every other method: 501 with our Allow list (see docs/sip.md).
        tx.respond(createResponse(req, 501, { toTag: newTag() }).add("Allow", ALLOW));
    }
  }
}
