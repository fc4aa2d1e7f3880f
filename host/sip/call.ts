// Calls: the INVITE dialog usage for a UAC (OutgoingCall) and a UAS (IncomingCall), with CANCEL,
// BYE, re-INVITE both ways (glare: 491 and retry), 2xx retransmission until ACK (RFC 3261 §13.3.1.4)
// and ACK re-sending for re-sent 2xx (§13.2.2.4). SDP is opaque here: bodies are strings.
import { EventEmitter } from "node:events";
import { randomInt } from "node:crypto";
import { SipError } from "./errors.js";
import type { ServerTransaction, SipConnection } from "./connection.js";
import { Dialog, type LocalIdentity } from "./dialog.js";
import { SipRequest, SipResponse, createResponse, formatVia, newBranch, newCallId, newTag, parseNameAddr } from "./message.js";
import { serializeMessage } from "./parser.js";
import type { SipTimers } from "./timers.js";

/** The methods we implement; REFER and the rest are answered 501 with this Allow list. */
export const ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS";

export interface PoolMemberRef {
  host: string;
  port: number;
}

export interface CallEnd {
  /** Why the call ended. */
  reason: "bye" | "cancel" | "rejected" | "timeout" | "transport" | "no-ack" | "failed";
  /** Who ended it. */
  by: "local" | "remote";
  status?: number;
}

/** What a re-INVITE handler answers. Status 2xx needs a body (our SDP answer or offer). */
export interface ReinviteReply {
  status?: number;
  body?: string;
  /** The ACK of our 2xx (it carries the answer when the re-INVITE had no offer). */
  onAck?: (ack: SipRequest) => void;
}

export interface CallHost {
  readonly local: LocalIdentity;
  readonly timers: SipTimers;
  registerDialog(call: SipCall): void;
  unregisterDialog(call: SipCall): void;
  connectionForDialog(call: SipCall): Promise<SipConnection>;
  /** Outbound only: the members to try, in order. */
  inviteTargets(): PoolMemberRef[];
  connectionTo(member: PoolMemberRef): Promise<SipConnection>;
  memberFailed(member: PoolMemberRef, why: string): void;
  memberOk(member: PoolMemberRef): void;
  inviteUris(member: PoolMemberRef, to: string, from: string): { requestUri: string; toUri: string; fromUri: string };
}

export interface SipCallEvents {
  /** A provisional response (UAC) — 180/183, with the early-media SDP in the body when any. */
  progress: [res: SipResponse];
  /** The dialog is confirmed (UAC: 2xx received and ACKed; UAS: ACK received). */
  established: [];
  ended: [end: CallEnd];
}

export abstract class SipCall extends EventEmitter<SipCallEvents> {
  abstract readonly direction: "outbound" | "inbound";
  readonly callId: string;
  readonly localTag: string;
  dialog: Dialog | undefined;
  state: "init" | "early" | "confirmed" | "terminated" = "init";
  /** Handles an incoming re-INVITE; without one we answer 488. */
  onReinvite: ((req: SipRequest) => ReinviteReply | Promise<ReinviteReply>) | undefined;
  /** The member an outbound call went to (for in-dialog reconnects). */
  member: PoolMemberRef | undefined;
  endInfo: CallEnd | undefined;

  /** Our client INVITE transaction is running (an incoming re-INVITE then gets 491). */
  private ourReinviteFlag = false;
  /** An incoming re-INVITE is being answered (until its ACK). */
  private theirReinviteFlag = false;
  /** One local re-INVITE at a time. */
  private localLock = false;
  private waiters: (() => void)[] = [];

  protected get ourReinvite(): boolean {
    return this.ourReinviteFlag;
  }
  protected set ourReinvite(v: boolean) {
    this.ourReinviteFlag = v;
    this.wake();
  }
  protected get theirReinvite(): boolean {
    return this.theirReinviteFlag;
  }
  protected set theirReinvite(v: boolean) {
    this.theirReinviteFlag = v;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `cond()` holds (re-checked on every state change), or fails after `ms`. */
  private async waitUntil(cond: () => boolean, ms: number): Promise<void> {
    // A monotonic clock: a wall-clock step (NTP, an operator setting the date) must neither cut the
    // wait short nor stretch it by the size of the step.
    const deadline = performance.now() + ms;
    while (!cond()) {
      if (this.state === "terminated") throw new SipError("ERR_SIP_STATE", "the call ended");
      const left = deadline - performance.now();
      if (left <= 0) throw new SipError("ERR_SIP_STATE", "an INVITE transaction stayed in progress on this dialog");
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Outstanding 2xx we re-send until its ACK: CSeq → state. */
  private readonly awaitingAck = new Map<number, { bytes: Buffer; timer: NodeJS.Timeout; deadline: NodeJS.Timeout; resolve: (a: SipRequest) => void; reject: (e: unknown) => void; onAck?: (ack: SipRequest) => void }>();
  /** ACKs we sent for 2xx, by CSeq, to re-send when the 2xx comes again. */
  private readonly sentAcks = new Map<number, SipRequest>();

  constructor(
    protected readonly host: CallHost,
    callId: string,
    localTag: string,
  ) {
    super();
    this.callId = callId;
    this.localTag = localTag;
  }

  get ended(): boolean {
    return this.state === "terminated";
  }

  protected end(info: CallEnd): void {
    if (this.state === "terminated") return;
    this.state = "terminated";
    this.endInfo = info;
    if (this.dialog) this.dialog.state = "terminated";
    for (const [, w] of this.awaitingAck) {
      clearTimeout(w.timer);
      clearTimeout(w.deadline);
      w.reject(new SipError("ERR_SIP_STATE", "the call ended"));
    }
    this.awaitingAck.clear();
    this.host.unregisterDialog(this);
    this.emit("ended", info);
  }

  /** Sends a 2xx on `tx` and re-sends it (T1, 2·T1 ... ≤ T2) until its ACK; resolves with the ACK. */
  protected sendReliable2xx(tx: ServerTransaction, res: SipResponse, onAck?: (ack: SipRequest) => void): Promise<SipRequest> {
    const seq = tx.request.cseq.seq;
    const bytes = serializeMessage(res);
    tx.respond(res);
    return new Promise<SipRequest>((resolve, reject) => {
      let interval = this.host.timers.t1;
      const resend = () => {
        tx.conn.writeRaw(bytes);
        interval = Math.min(interval * 2, this.host.timers.t2);
        w.timer = setTimeout(resend, interval);
      };
      const w = {
        bytes,
        timer: setTimeout(resend, interval),
        deadline: setTimeout(() => {
          clearTimeout(w.timer);
          this.awaitingAck.delete(seq);
          reject(new SipError("ERR_SIP_TIMEOUT", "no ACK for our 2xx"));
          // RFC 3261 §13.3.1.4: no ACK → the UAS ends the dialog with BYE.
          void this.sendBye().catch(() => undefined);
          this.end({ reason: "no-ack", by: "local" });
        }, this.host.timers.ackTimeout),
        resolve,
        reject,
        ...(onAck ? { onAck } : {}),
      };
      this.awaitingAck.set(seq, w);
    });
  }

  /** An ACK for one of our 2xx (routed here by the endpoint). */
  handleAck(ack: SipRequest): void {
    const w = this.awaitingAck.get(ack.cseq.seq);
    if (!w) return; // a late duplicate
    clearTimeout(w.timer);
    clearTimeout(w.deadline);
    this.awaitingAck.delete(ack.cseq.seq);
    if (this.theirReinvite) this.theirReinvite = false;
    try {
      w.onAck?.(ack);
    } catch {
      /* handler errors do not break the dialog */
    }
    w.resolve(ack);
  }

  /** A 2xx to an INVITE that no transaction owns: re-send our ACK (RFC 3261 §13.2.2.4). */
  handleStray2xx(res: SipResponse): void {
    const ack = this.sentAcks.get(res.cseq.seq);
    if (ack && this.dialog) this.dialog.conn.send(ack);
  }

  protected sendAck(seq: number, conn: SipConnection, body?: string): void {
    if (!this.dialog) return;
    const ack = this.dialog.createRequest("ACK", this.host.local, { ackSeq: seq });
    if (body) ack.setBody(body);
    this.sentAcks.set(seq, ack);
    conn.send(ack);
  }

  /** Requests inside the dialog from the peer (routed here by the endpoint). */
  async handleInDialog(req: SipRequest, tx: ServerTransaction): Promise<void> {
    const d = this.dialog!;
    if (req.method !== "CANCEL") {
      // RFC 3261 §12.2.2: a lower CSeq than the last one is out of order.
      if (d.remoteSeq >= 0 && req.cseq.seq <= d.remoteSeq) {
        tx.respond(createResponse(req, 500, { reason: "CSeq Out of Order" }));
        return;
      }
      d.remoteSeq = req.cseq.seq;
    }
    switch (req.method) {
      case "BYE":
        tx.respond(createResponse(req, 200));
        this.onRemoteBye();
        return;
      case "INVITE":
        await this.handleReinvite(req, tx);
        return;
      case "OPTIONS":
        tx.respond(this.optionsResponse(req));
        return;
      default:
        // REFER, UPDATE, INFO, PRACK, MESSAGE...: not implemented (docs/sip.md explains REFER).
        tx.respond(createResponse(req, 501).add("Allow", ALLOW));
    }
  }

  protected onRemoteBye(): void {
    this.end({ reason: "bye", by: "remote" });
  }

  optionsResponse(req: SipRequest): SipResponse {
    const r = createResponse(req, 200, { toTag: this.localTag });
    r.add("Allow", ALLOW).add("Accept", "application/sdp");
    return r;
  }

  private async handleReinvite(req: SipRequest, tx: ServerTransaction): Promise<void> {
    if (this.state !== "confirmed") {
      tx.respond(createResponse(req, 491));
      return;
    }
    if (this.ourReinvite) {
      // Glare (RFC 3261 §14.2): both sides re-INVITE at once.
      tx.respond(createResponse(req, 491));
      return;
    }
    if (this.theirReinvite) {
      tx.respond(createResponse(req, 500).add("Retry-After", String(randomInt(0, 11))));
      return;
    }
    const contact = req.get("Contact");
    if (contact) {
      try {
        this.dialog!.remoteTarget = parseNameAddr(contact).uri;
      } catch {
        /* keep the old target */
      }
    }
    this.theirReinvite = true;
    let reply: ReinviteReply;
    try {
      reply = this.onReinvite ? await this.onReinvite(req) : { status: 488 };
    } catch (e) {
      const status = (e as { sipStatus?: number; status?: number }).sipStatus ?? (e as { status?: number }).status ?? 500;
      reply = { status: status >= 300 && status < 700 ? status : 500 };
    }
    if (this.ended) return; // the call may have ended while the handler ran
    const status = reply.status ?? 200;
    if (status >= 300) {
      this.theirReinvite = false;
      tx.respond(createResponse(req, status, { toTag: this.localTag }));
      return;
    }
    const res = createResponse(req, status, { toTag: this.localTag, ...(reply.body !== undefined ? { body: reply.body } : {}) });
    res.add("Contact", `<${this.host.local.contact}>`).add("Allow", ALLOW);
    this.sendReliable2xx(tx, res, reply.onAck).catch(() => undefined);
  }

  /**
   * Sends a re-INVITE (new offer, or no body for an offer-in-2xx exchange) and resolves with the
   * 2xx once it is ACKed. `ackBody` computes the ACK's body from the 2xx (the answer, when our
   * re-INVITE carried no offer). On 491 it retries after the glare delay (RFC 3261 §14.1: longer for
   * the Call-ID's owner), up to 3 times.
   */
  async reinvite(body: string | undefined, opts: { ackBody?: (res: SipResponse) => string | undefined } = {}): Promise<SipResponse> {
    if (this.state !== "confirmed" || !this.dialog) throw new SipError("ERR_SIP_STATE", "re-INVITE needs a confirmed dialog");
    const patience = this.host.timers.ackTimeout + this.host.timers.timerB;
    await this.waitUntil(() => !this.localLock, patience);
    this.localLock = true;
    try {
      for (let attempt = 0; ; attempt++) {
        // RFC 3261 §14.1: no new INVITE while one is in progress either way.
        await this.waitUntil(() => !this.theirReinvite, patience);
        if (this.state !== "confirmed" || !this.dialog) throw new SipError("ERR_SIP_STATE", "the call ended");
        this.ourReinvite = true;
        let res: SipResponse;
        const req = this.dialog.createRequest("INVITE", this.host.local);
        if (body !== undefined) req.setBody(body);
        try {
          const conn = await this.host.connectionForDialog(this);
          res = await conn.sendRequest(req);
        } catch (e) {
          if (e instanceof SipError && e.code === "ERR_SIP_TIMEOUT") {
            // RFC 3261 §12.2.1.2: a timeout inside the dialog ends it.
            void this.sendBye().catch(() => undefined);
            this.end({ reason: "timeout", by: "local" });
          }
          throw e;
        } finally {
          this.ourReinvite = false;
        }
        if (res.status >= 200 && res.status < 300) {
          this.sendAck(req.cseq.seq, this.dialog.conn, opts.ackBody?.(res));
          return res;
        }
        if (res.status === 491 && attempt < 3) {
          // Glare: wait a random while (during which the peer's re-INVITE is answered), retry. The
          // owner of the Call-ID (the side that sent the initial INVITE) waits longer than the other
          // side (RFC 3261 §14.1), so the two retries cannot collide again.
          const [lo, hi] = this.direction === "outbound" ? this.host.timers.glareRetry : this.host.timers.glareRetryNonOwner;
          await new Promise((r) => setTimeout(r, randomInt(lo, hi + 1)));
          continue;
        }
        if (res.status === 481 || res.status === 408) this.end({ reason: "failed", by: "remote", status: res.status });
        throw new SipError("ERR_SIP_REJECTED", `re-INVITE refused: ${res.status} ${res.reason}`, { status: res.status });
      }
    } finally {
      this.localLock = false;
      this.wake();
    }
  }

  protected async sendBye(): Promise<SipResponse | undefined> {
    if (!this.dialog) return undefined;
    const req = this.dialog.createRequest("BYE", this.host.local);
    const conn = await this.host.connectionForDialog(this);
    return conn.sendRequest(req);
  }

  /** Ends a confirmed call with BYE (any response, or none, ends it: RFC 3261 §15.1.1). */
  async hangup(): Promise<void> {
    if (this.state === "terminated") return;
    if (this.state !== "confirmed") throw new SipError("ERR_SIP_STATE", "hangup() needs a confirmed call: cancel() or reject() instead");
    const p = this.sendBye();
    this.end({ reason: "bye", by: "local" });
    await p.catch(() => undefined);
  }
}

export interface InviteOptions {
  /** The callee's user part (a number: "+14255550100") or a full sip: URI. */
  to: string;
  /** Our user part (the caller's number). */
  from: string;
  fromDisplay?: string;
  /** The SDP offer (omit for an offer-in-2xx INVITE; then pass `ackBody`). */
  body?: string;
  /** For an INVITE without offer: our answer to the offer in the 2xx. */
  ackBody?: (res: SipResponse) => string | undefined;
  /** Extra headers (e.g. P-Asserted-Identity, Privacy). */
  headers?: [string, string][];
}

/** UAC side of a call. `result` resolves with the 2xx (ACK already sent) or rejects with a SipError. */
export class OutgoingCall extends SipCall {
  readonly direction = "outbound" as const;
  readonly result: Promise<SipResponse>;
  private cancelRequested = false;
  /** Any provisional (100 included) arrived: CANCEL may be sent (RFC 3261 §9.1). */
  private provisional = false;
  /** A provisional above 100 arrived: the member took the call, so no failover any more. */
  private progressed = false;
  private current: { conn: SipConnection; invite: SipRequest } | undefined;
  private inviteTimer: NodeJS.Timeout | undefined;
  private cseq = randomInt(1, 10000);
  /** The members tried, in order, and why each failed (for tests and logs). */
  readonly attempts: { member: PoolMemberRef; outcome: string }[] = [];

  constructor(
    host: CallHost,
    private readonly opts: InviteOptions,
  ) {
    super(host, newCallId(host.local.host), newTag());
    this.result = this.run();
    this.result.catch(() => undefined);
  }

  private async run(): Promise<SipResponse> {
    const targets = this.host.inviteTargets();
    let last: unknown = new SipError("ERR_SIP_NO_MEMBER", "no pool member is configured");
    for (const member of targets) {
      if (this.cancelRequested) break;
      let conn: SipConnection;
      try {
        conn = await this.host.connectionTo(member);
      } catch (e) {
        this.attempts.push({ member, outcome: "connect-failed" });
        this.host.memberFailed(member, "connect");
        last = e;
        continue;
      }
      const invite = this.buildInvite(member);
      this.current = { conn, invite };
      this.member = member;
      let res: SipResponse;
      try {
        res = await conn.sendRequest(invite, { onProvisional: (r) => this.onProvisional(r, conn, invite) });
      } catch (e) {
        this.clearInviteTimer();
        const code = (e as SipError).code;
        this.attempts.push({ member, outcome: code === "ERR_SIP_TIMEOUT" ? "timeout" : "transport" });
        last = e;
        if (!this.progressed && !this.cancelRequested) {
          this.host.memberFailed(member, code === "ERR_SIP_TIMEOUT" ? "timeout" : "transport");
          continue; // fail over
        }
        this.end({ reason: code === "ERR_SIP_TIMEOUT" ? "timeout" : "transport", by: "local" });
        throw e;
      }
      this.clearInviteTimer();
      if (res.status >= 200 && res.status < 300) {
        this.attempts.push({ member, outcome: String(res.status) });
        this.host.memberOk(member);
        this.confirm(res, conn, invite);
        if (this.cancelRequested) {
          // The 2xx crossed our CANCEL: ACK it, then BYE (RFC 3261 §9.1).
          void this.sendBye().catch(() => undefined);
          this.end({ reason: "cancel", by: "local" });
          throw new SipError("ERR_SIP_CANCELLED", "the call was answered as we cancelled it; BYE sent");
        }
        this.emit("established");
        return res;
      }
      this.attempts.push({ member, outcome: String(res.status) });
      if (res.status === 487 && this.cancelRequested) {
        this.end({ reason: "cancel", by: "local", status: 487 });
        throw new SipError("ERR_SIP_CANCELLED", "the INVITE was cancelled", { status: 487 });
      }
      const err = new SipError("ERR_SIP_REJECTED", `INVITE refused: ${res.status} ${res.reason}`, { status: res.status });
      if (res.status >= 500 && res.status < 600 && !this.progressed && !this.cancelRequested) {
        // 5xx: this member cannot serve the call now; the next one may (4xx/6xx: it is the call).
        this.host.memberFailed(member, String(res.status));
        last = err;
        continue;
      }
      this.end({ reason: "rejected", by: "remote", status: res.status });
      throw err;
    }
    if (this.cancelRequested) {
      this.end({ reason: "cancel", by: "local" });
      throw new SipError("ERR_SIP_CANCELLED", "the call was cancelled before it reached a member");
    }
    this.end({ reason: "failed", by: "local" });
    throw new SipError("ERR_SIP_NO_MEMBER", `every pool member failed (${this.attempts.map((a) => `${a.member.host}:${a.member.port} ${a.outcome}`).join(", ") || "none"})`, { cause: last });
  }

  private buildInvite(member: PoolMemberRef): SipRequest {
    const { requestUri, toUri, fromUri } = this.host.inviteUris(member, this.opts.to, this.opts.from);
    const req = new SipRequest("INVITE", requestUri);
    const l = this.host.local;
    req.add("Via", formatVia({ transport: l.transport, host: l.host, port: l.port, branch: newBranch() }));
    req.add("Max-Forwards", "70");
    req.add("From", `${this.opts.fromDisplay ? `"${this.opts.fromDisplay}" ` : ""}<${fromUri}>;tag=${this.localTag}`);
    req.add("To", `<${toUri}>`);
    req.add("Call-ID", this.callId);
    req.add("CSeq", `${this.cseq++} INVITE`);
    req.add("Contact", `<${l.contact}>`);
    req.add("Allow", ALLOW);
    if (l.userAgent) req.add("User-Agent", l.userAgent);
    for (const [n, v] of this.opts.headers ?? []) req.add(n, v);
    if (this.opts.body !== undefined) req.setBody(this.opts.body);
    return req;
  }

  private onProvisional(res: SipResponse, conn: SipConnection, invite: SipRequest): void {
    if (this.state === "terminated") return;
    if (!this.provisional) {
      this.provisional = true;
      this.inviteTimer = setTimeout(() => {
        this.cancel();
      }, this.host.timers.inviteTimeout);
    }
    if (res.status > 100) this.progressed = true;
    const toTag = res.to.tag;
    if (toTag && res.status > 100 && !this.dialog) {
      this.dialog = this.makeDialog(res, conn, invite);
      this.state = "early";
      this.host.registerDialog(this);
    }
    if (this.cancelRequested) this.sendCancel();
    if (res.status > 100) this.emit("progress", res);
  }

  private makeDialog(res: SipResponse, conn: SipConnection, invite: SipRequest): Dialog {
    const contact = res.get("Contact");
    const from = invite.from;
    const to = res.to;
    return new Dialog({
      callId: this.callId,
      localTag: this.localTag,
      remoteTag: to.tag!,
      localUri: from.uri,
      remoteUri: to.uri,
      ...(from.display ? { localDisplay: from.display } : {}),
      remoteTarget: contact ? parseNameAddr(contact).uri : invite.uri,
      routeSet: res.getList("Record-Route").reverse(),
      localSeq: invite.cseq.seq,
      conn,
    });
  }

  private confirm(res: SipResponse, conn: SipConnection, invite: SipRequest): void {
    if (!this.dialog || this.dialog.remoteTag !== res.to.tag) {
      if (this.dialog) this.host.unregisterDialog(this);
      this.dialog = this.makeDialog(res, conn, invite);
      this.host.registerDialog(this);
    } else {
      const contact = res.get("Contact");
      if (contact) this.dialog.remoteTarget = parseNameAddr(contact).uri;
      this.dialog.routeSet = res.getList("Record-Route").reverse();
    }
    this.dialog.state = "confirmed";
    this.state = "confirmed";
    this.sendAck(invite.cseq.seq, conn, this.opts.ackBody?.(res));
  }

  private cancelSent = false;

  private sendCancel(): void {
    if (this.cancelSent || !this.current) return;
    this.cancelSent = true;
    const inv = this.current.invite;
    const c = new SipRequest("CANCEL", inv.uri);
    c.add("Via", inv.getList("Via")[0]!);
    for (const r of inv.getAll("Route")) c.add("Route", r);
    c.add("Max-Forwards", "70");
    c.add("From", inv.get("From")!);
    c.add("To", inv.get("To")!);
    c.add("Call-ID", inv.callId);
    c.add("CSeq", `${inv.cseq.seq} CANCEL`);
    this.current.conn.sendRequest(c).catch(() => undefined);
  }

  /**
   * Cancels the INVITE. Before any provisional the CANCEL waits for one (RFC 3261 §9.1); the call
   * then ends with 487 and `result` rejects with ERR_SIP_CANCELLED.
   */
  cancel(): void {
    if (this.state === "terminated" || this.state === "confirmed") return;
    this.cancelRequested = true;
    if (this.provisional) this.sendCancel();
  }

  private clearInviteTimer(): void {
    if (this.inviteTimer) clearTimeout(this.inviteTimer);
    this.inviteTimer = undefined;
  }

  protected override end(info: CallEnd): void {
    this.clearInviteTimer();
    super.end(info);
  }
}

/** UAS side of a call, created by the endpoint for each new INVITE. */
export class IncomingCall extends SipCall {
  readonly direction = "inbound" as const;
  private finalSent = false;

  private unanswered: NodeJS.Timeout | undefined;

  constructor(
    host: CallHost,
    readonly request: SipRequest,
    readonly tx: ServerTransaction,
  ) {
    super(host, request.callId, newTag());
    // Nobody answers (the application never calls accept/reject): give up after inviteTimeout
    // rather than hold the transaction for ever.
    this.unanswered = setTimeout(() => {
      if (!this.finalSent && this.state !== "terminated") this.reject(480, "No Answer");
    }, host.timers.inviteTimeout);
    this.unanswered.unref?.();
    const from = request.from;
    const contact = request.get("Contact");
    this.dialog = new Dialog({
      callId: this.callId,
      localTag: this.localTag,
      remoteTag: from.tag ?? "",
      localUri: request.to.uri,
      remoteUri: from.uri,
      ...(from.display ? { remoteDisplay: from.display } : {}),
      remoteTarget: contact ? parseNameAddr(contact).uri : from.uri,
      routeSet: request.getList("Record-Route"),
      remoteSeq: request.cseq.seq,
      conn: tx.conn,
    });
  }

  /** The offer (SDP) in the INVITE, or "" for an INVITE without offer. */
  get offer(): string {
    return this.request.bodyText();
  }

  private response(status: number, body?: string): SipResponse {
    const r = createResponse(this.request, status, { toTag: this.localTag, ...(body !== undefined ? { body } : {}) });
    if (status < 300) r.add("Contact", `<${this.host.local.contact}>`).add("Allow", ALLOW);
    if (this.host.local.userAgent) r.add("Server", this.host.local.userAgent);
    return r;
  }

  /** 180 Ringing, or 183 Session Progress with early-media SDP. Not reliable (no 100rel). */
  progress(status = 180, body?: string): void {
    if (this.finalSent || this.state === "terminated") throw new SipError("ERR_SIP_STATE", "the INVITE was already answered");
    if (status <= 100 || status >= 200) throw new SipError("ERR_SIP_STATE", "progress() takes a 1xx status");
    if (this.state === "init") {
      this.state = "early";
      this.host.registerDialog(this);
    }
    this.tx.respond(this.response(status, body));
  }

  /**
   * 200 OK with our SDP; re-sent until the ACK, which resolves the promise (with the ACK, whose
   * body is the answer when the INVITE had no offer). Rejects ERR_SIP_TIMEOUT when no ACK comes
   * (the call is then ended with BYE).
   */
  async accept(body?: string): Promise<SipRequest> {
    if (this.finalSent || this.state === "terminated") throw new SipError("ERR_SIP_STATE", "the INVITE was already answered");
    this.finalSent = true;
    if (this.unanswered) clearTimeout(this.unanswered);
    if (this.state === "init") this.host.registerDialog(this);
    this.state = "confirmed";
    this.dialog!.state = "confirmed";
    const ack = await this.sendReliable2xx(this.tx, this.response(200, body));
    this.emit("established");
    return ack;
  }

  /** A final non-2xx answer (486 busy, 488 not acceptable, 603 decline...). */
  reject(status: number, reason?: string, headers: [string, string][] = []): void {
    if (this.finalSent || this.state === "terminated") return;
    if (status < 300 || status > 699) throw new SipError("ERR_SIP_STATE", "reject() takes a 3xx-6xx status");
    this.finalSent = true;
    const r = this.response(status);
    if (reason) r.reason = reason;
    for (const [n, v] of headers) r.add(n, v);
    this.tx.respond(r);
    this.end({ reason: "rejected", by: "local", status });
  }

  protected override end(info: CallEnd): void {
    if (this.unanswered) clearTimeout(this.unanswered);
    super.end(info);
  }

  /** The endpoint got a CANCEL for our INVITE: 487 it and end. */
  handleCancel(): void {
    if (this.finalSent || this.state === "terminated") return;
    this.finalSent = true;
    this.tx.cancelled = true;
    this.tx.respond(this.response(487));
    this.end({ reason: "cancel", by: "remote", status: 487 });
  }

  protected override onRemoteBye(): void {
    if (!this.finalSent) {
      this.finalSent = true;
      this.tx.respond(this.response(487));
    }
    super.onRemoteBye();
  }
}
