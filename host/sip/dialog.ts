// Dialog state (RFC 3261 §12): identifiers, sequence numbers, remote target and route set, and the
// construction of requests inside the dialog (§12.2.1.1).
import { randomInt } from "node:crypto";
import type { SipConnection } from "./connection.js";
import { SipRequest, formatVia, newBranch } from "./message.js";

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our URI (From of our requests) and the peer's (To), without tags. */
  localUri: string;
  remoteUri: string;
  localDisplay?: string;
  remoteDisplay?: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq?: number;
  remoteSeq?: number;
  conn: SipConnection;
}

export interface LocalIdentity {
  host: string;
  port: number;
  transport: "TLS" | "TCP";
  /** Our Contact URI. */
  contact: string;
  userAgent?: string;
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly localDisplay: string | undefined;
  readonly remoteDisplay: string | undefined;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  /** Highest CSeq seen from the peer (-1: none yet). */
  remoteSeq: number;
  conn: SipConnection;
  state: "early" | "confirmed" | "terminated" = "early";

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.localDisplay = init.localDisplay;
    this.remoteDisplay = init.remoteDisplay;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq ?? randomInt(1, 10000);
    this.remoteSeq = init.remoteSeq ?? -1;
    this.conn = init.conn;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * A request inside the dialog. ACK reuses the CSeq number it acknowledges; every other method
   * takes the next local CSeq.
   */
  createRequest(method: string, local: LocalIdentity, opts: { ackSeq?: number } = {}): SipRequest {
    const seq = method === "ACK" ? opts.ackSeq! : ++this.localSeq;
    const req = new SipRequest(method, this.remoteTarget);
    req.add("Via", formatVia({ transport: local.transport, host: local.host, port: local.port, branch: newBranch() }));
    for (const r of this.routeSet) req.add("Route", r);
    req.add("Max-Forwards", "70");
    req.add("From", `${this.localDisplay ? `"${this.localDisplay}" ` : ""}<${this.localUri}>;tag=${this.localTag}`);
    req.add("To", `${this.remoteDisplay ? `"${this.remoteDisplay}" ` : ""}<${this.remoteUri}>;tag=${this.remoteTag}`);
    req.add("Call-ID", this.callId);
    req.add("CSeq", `${seq} ${method}`);
    if (method === "INVITE") req.add("Contact", `<${local.contact}>`);
    if (local.userAgent && method !== "ACK") req.add("User-Agent", local.userAgent);
    return req;
  }
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}
