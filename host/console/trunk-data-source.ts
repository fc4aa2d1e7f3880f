// The console's data source over the trunk as host/sip and host/media build it: the SipEndpoint's
// connections (links, with their TLS details), its pool members' OPTIONS health, and the
// GatewayCalls the gateway glue hands over with addCall(). The gateway and the simulator use it as
// is; a gateway with its own call model implements ConsoleDataSource directly.
//
//   const source = new TrunkDataSource({ endpoint, gateway: { name: "gw1.contoso.com" } });
//   endpoint.on("invite", (inc) => GatewayCall.answer(inc, opts).then((c) => source.addCall(c)));
//   source.addCall(await GatewayCall.place(endpoint, who, opts));
import { EventEmitter } from "node:events";
import type { GatewayCall } from "../media/gateway-call.js";
import type { SipConnection } from "../sip/connection.js";
import type { MemberStatus, SipEndpoint } from "../sip/endpoint.js";
import { daysRemaining } from "../certs/x509.js";
import type { CallStatus, ConsoleDataSource, GatewayInfo, LinkStatus, PoolMemberStatus } from "./data-source.js";
import { describeTls, type TlsInfo } from "./tls-info.js";

export interface TrunkDataSourceOptions {
  endpoint: SipEndpoint;
  gateway?: GatewayInfo;
  /** How long a closed link stays listed as "down" (default 10 min; at most 32 are kept). */
  keepDownMs?: number;
  /** How long an ended call stays listed (default 60 s). */
  keepEndedMs?: number;
  now?: () => Date;
}

interface TrackedLink {
  id: string;
  conn: SipConnection;
  direction: "outbound" | "inbound";
  peer: string;
  member: string | undefined;
  upSince: Date;
  downSince?: Date;
  lastError?: string;
  /** Read once the handshake is done (the TLS details do not change afterwards). */
  tls: TlsInfo | null | undefined;
}

interface TrackedCall {
  id: string;
  call: GatewayCall;
  from: string;
  to: string;
  startedAt: Date;
  endedAt?: Date;
}

const MAX_DOWN_LINKS = 32;
let nextCallId = 1;

function userPart(uri: string | undefined): string {
  if (!uri) return "";
  const m = /^(?:sips?|tel):([^@;>]+)/i.exec(uri.replace(/^<|>$/g, ""));
  return m ? m[1]! : uri;
}

function mkiOf(k: { mki?: Uint8Array } | undefined): { value: string; length: number } | null {
  return k?.mki && k.mki.length ? { value: Buffer.from(k.mki).toString("hex"), length: k.mki.length } : null;
}

export interface TrunkDataSourceEvents {
  change: [];
}

export class TrunkDataSource extends EventEmitter<TrunkDataSourceEvents> implements ConsoleDataSource {
  private readonly endpoint: SipEndpoint;
  private readonly trackedLinks = new Map<number, TrackedLink>();
  private readonly trackedCalls: TrackedCall[] = [];
  private readonly opts: TrunkDataSourceOptions;
  private readonly onConnection = (conn: SipConnection, direction: "inbound" | "outbound") => this.addLink(conn, direction);
  private readonly onMember = () => this.emit("change");

  constructor(opts: TrunkDataSourceOptions) {
    super();
    this.opts = opts;
    this.endpoint = opts.endpoint;
    this.endpoint.on("connection", this.onConnection);
    this.endpoint.on("memberUp", this.onMember);
    this.endpoint.on("memberDown", this.onMember);
  }

  /** Stops listening to the endpoint (the endpoint and calls are not touched). */
  close(): void {
    this.endpoint.off("connection", this.onConnection);
    this.endpoint.off("memberUp", this.onMember);
    this.endpoint.off("memberDown", this.onMember);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Adds a connection (done automatically for the endpoint's "connection" events). */
  addLink(conn: SipConnection, direction: "inbound" | "outbound"): void {
    if (this.trackedLinks.has(conn.id)) return;
    const remote = conn.remote ?? (() => {
      const s = conn.socket as { remoteAddress?: string; remotePort?: number };
      return s.remoteAddress ? { host: s.remoteAddress, port: s.remotePort ?? 0 } : undefined;
    })();
    const peer = remote ? `${remote.host.includes(":") ? `[${remote.host}]` : remote.host}:${remote.port}` : "unknown";
    const l: TrackedLink = { id: `link-${conn.id}`, conn, direction, peer, member: direction === "outbound" && conn.remote ? `${conn.remote.host}:${conn.remote.port}` : undefined, upSince: this.now(), tls: undefined };
    this.trackedLinks.set(conn.id, l);
    conn.on("close", (err) => {
      l.downSince = this.now();
      if (err) l.lastError = err.message;
      this.pruneLinks();
      this.emit("change");
    });
    this.emit("change");
  }

  /** Lists a call until it ends (and `keepEndedMs` after). `who` overrides the numbers from the dialog. */
  addCall(call: GatewayCall, who: { from?: string; to?: string } = {}): void {
    if (this.trackedCalls.some((t) => t.call === call)) return;
    const d = call.sip.dialog;
    const outbound = call.sip.direction === "outbound";
    const t: TrackedCall = {
      id: `call-${nextCallId++}`,
      call,
      from: who.from ?? userPart(outbound ? d?.localUri : d?.remoteUri),
      to: who.to ?? userPart(outbound ? d?.remoteUri : d?.localUri),
      startedAt: this.now(),
    };
    this.trackedCalls.push(t);
    const ended = () => {
      t.endedAt ??= this.now();
      this.emit("change");
    };
    if (call.sip.ended) ended();
    else call.sip.once("ended", ended);
    this.emit("change");
  }

  private pruneLinks(): void {
    const keep = this.opts.keepDownMs ?? 10 * 60_000;
    const t = this.now().getTime();
    const down = [...this.trackedLinks.values()].filter((l) => l.downSince).sort((a, b) => a.downSince!.getTime() - b.downSince!.getTime());
    for (const l of down) if (t - l.downSince!.getTime() > keep) this.trackedLinks.delete(l.conn.id);
    const left = down.filter((l) => this.trackedLinks.has(l.conn.id));
    while (left.length > MAX_DOWN_LINKS) this.trackedLinks.delete(left.shift()!.conn.id);
  }

  gateway(): GatewayInfo {
    return this.opts.gateway ?? { name: this.endpoint.local.host };
  }

  pool(): PoolMemberStatus[] {
    return this.endpoint.memberStatus().map(memberStatus);
  }

  links(): LinkStatus[] {
    this.pruneLinks();
    const now = this.now();
    const members = new Map(this.endpoint.memberStatus().map((m) => [`${m.host}:${m.port}`, m]));
    const out: LinkStatus[] = [];
    for (const l of this.trackedLinks.values()) {
      // The TLS details are final once the handshake is over; an MTLS socket handed to the
      // endpoint is already connected, so the first read is the answer.
      if (l.tls === undefined) l.tls = describeTls(l.conn.socket);
      const tls = l.tls;
      const up = !l.downSince && !l.conn.closed;
      const m = l.member ? members.get(l.member) : undefined;
      out.push({
        id: l.id,
        peer: l.peer,
        direction: l.direction,
        state: up ? "up" : "down",
        tlsVersion: tls?.version ?? null,
        cipherSuite: tls?.cipherSuite ?? null,
        group: tls?.group ?? null,
        peerSubject: tls?.peerSubject ?? null,
        peerNotAfter: tls?.peerNotAfter ? tls.peerNotAfter.toISOString() : null,
        peerDaysToExpiry: tls?.peerNotAfter ? daysRemaining(tls.peerNotAfter, now) : null,
        upSince: l.upSince.toISOString(),
        ...(l.downSince ? { downSince: l.downSince.toISOString() } : {}),
        ...(l.lastError && !up ? { lastError: l.lastError } : {}),
        ...(m ? { options: memberStatus(m) } : {}),
      });
    }
    return out.sort((a, b) => (a.state === b.state ? a.upSince.localeCompare(b.upSince) : a.state === "up" ? -1 : 1));
  }

  calls(): CallStatus[] {
    const keep = this.opts.keepEndedMs ?? 60_000;
    const t = this.now().getTime();
    for (let i = this.trackedCalls.length - 1; i >= 0; i--) {
      const c = this.trackedCalls[i]!;
      if (c.endedAt && t - c.endedAt.getTime() > keep) this.trackedCalls.splice(i, 1);
    }
    return this.trackedCalls.map(callStatus);
  }
}

function memberStatus(m: MemberStatus): PoolMemberStatus {
  return { member: `${m.host.includes(":") ? `[${m.host}]` : m.host}:${m.port}`, up: m.up, failures: m.failures, probes: m.probes, ...(m.lastError ? { lastError: m.lastError } : {}) };
}

/** Only counters, the profile and MKIs are copied out: the keys stay where they are. */
function callStatus(t: TrackedCall): CallStatus {
  const s = t.call.stats();
  const neg = t.call.media.negotiated;
  const srtp = neg?.srtp;
  const expected = s.rtpReceived + Math.max(0, s.lost);
  const state = t.endedAt || t.call.sip.ended ? "ended" : t.call.sip.state === "confirmed" ? "confirmed" : "early";
  return {
    id: t.id,
    direction: t.call.sip.direction,
    state,
    from: t.from,
    to: t.to,
    startedAt: t.startedAt.toISOString(),
    ...(t.endedAt ? { endedAt: t.endedAt.toISOString() } : {}),
    srtp: srtp ? { profile: srtp.profile, txMki: mkiOf(srtp.tx), rxMki: srtp.rx.map(mkiOf), lastRxForm: t.call.media.lastRxForm } : null,
    codec: neg ? neg.codec.name : null,
    tx: { packets: s.rtpSent, bytes: s.rtpBytesSent },
    rx: { packets: s.rtpReceived, bytes: s.rtpBytesReceived },
    authFailures: s.authFailures + s.rtcpAuthFailures,
    replays: s.replays,
    mkiUnknown: s.mkiUnknown,
    lost: Math.max(0, s.lost),
    lossFraction: expected > 0 ? Math.max(0, s.lost) / expected : 0,
    jitterMs: Math.round(s.jitterMs * 10) / 10,
    rttMs: s.rttMs ?? null,
  };
}
