// The web console's data source (host/console/data-source.ts) over a running Gateway: its MTLS
// links (with the TLS details our handshake negotiated), its pool members' OPTIONS health under
// their FQDNs, and its calls with their SRTP profile, MKIs and counters. Never a key: the console's
// contract, and this file copies only names, counters and MKIs (which travel in clear).
import { EventEmitter } from "node:events";
import type { CallStatus, ConsoleDataSource, GatewayInfo, LinkStatus, PoolMemberStatus } from "../console/data-source.js";
import type { MemberStatus } from "../sip/endpoint.js";
import type { Gateway, GatewayCallRecord } from "./gateway.js";

const DAY = 86_400_000;

function mki(b: Uint8Array | undefined): { value: string; length: number } | null {
  return b && b.length ? { value: Buffer.from(b).toString("hex"), length: b.length } : null;
}

export class GatewayDataSource extends EventEmitter<{ change: [] }> implements ConsoleDataSource {
  private readonly startedAt = new Date();
  private readonly changed = () => this.emit("change");

  constructor(
    private readonly gw: Gateway,
    private readonly o: { keepEndedMs?: number; version?: string } = {},
  ) {
    super();
    for (const e of ["link", "linkDown", "call", "callEnded", "memberUp", "memberDown"] as const) gw.on(e, this.changed);
  }

  /** Stops following the gateway. */
  close(): void {
    for (const e of ["link", "linkDown", "call", "callEnded", "memberUp", "memberDown"] as const) this.gw.off(e, this.changed);
  }

  gateway(): GatewayInfo {
    return { name: this.gw.config.fqdn, board: this.gw.board.id, ...(this.o.version ? { version: this.o.version } : {}), startedAt: this.startedAt.toISOString() };
  }

  private member(m: MemberStatus): PoolMemberStatus {
    const fqdn = this.gw.config.pool.members?.find((c) => c.host === m.host && c.port === m.port)?.fqdn;
    return { member: `${fqdn ?? m.host}:${m.port}`, up: m.up, failures: m.failures, probes: m.probes, ...(m.lastError ? { lastError: m.lastError } : {}) };
  }

  pool(): PoolMemberStatus[] {
    return this.gw.endpoint.memberStatus().map((m) => this.member(m));
  }

  links(): LinkStatus[] {
    const now = Date.now();
    const health = new Map(this.pool().map((p) => [p.member, p]));
    return this.gw
      .links()
      .slice(-64)
      .map((l) => {
        const notAfter = l.tls?.peerNotAfter ?? null;
        const options = l.member ? health.get(l.member) : undefined;
        return {
          id: `link-${l.id}`,
          peer: l.member ?? l.remote,
          direction: l.direction,
          state: l.state,
          tlsVersion: l.tls?.version ?? null,
          cipherSuite: l.tls?.suite ?? null,
          group: l.tls?.group ?? null,
          peerSubject: l.tls?.peerSubject ?? null,
          peerNotAfter: notAfter,
          peerDaysToExpiry: notAfter ? Math.floor((new Date(notAfter).getTime() - now) / DAY) : null,
          upSince: l.upSince.toISOString(),
          ...(l.downSince ? { downSince: l.downSince.toISOString() } : {}),
          ...(options ? { options } : {}),
        };
      })
      .sort((a, b) => (a.state === b.state ? a.upSince.localeCompare(b.upSince) : a.state === "up" ? -1 : 1));
  }

  private call(r: GatewayCallRecord): CallStatus {
    const s = r.call ? r.call.stats() : r.stats;
    const neg = r.call?.media.negotiated;
    const expected = (s?.rtpReceived ?? 0) + Math.max(0, s?.lost ?? 0);
    const state = r.outcome !== "active" ? "ended" : r.call && r.call.sip.state === "confirmed" ? "confirmed" : "early";
    return {
      id: r.id,
      direction: r.direction,
      state,
      from: r.from,
      to: r.to,
      startedAt: r.startedAt.toISOString(),
      ...(r.endedAt ? { endedAt: r.endedAt.toISOString() } : {}),
      srtp: neg?.srtp ? { profile: neg.srtp.profile, txMki: mki(neg.srtp.tx.mki), rxMki: neg.srtp.rx.map((k) => mki(k.mki)), lastRxForm: r.call!.media.lastRxForm } : null,
      codec: neg ? neg.codec.name : null,
      tx: { packets: s?.rtpSent ?? 0, bytes: s?.rtpBytesSent ?? 0 },
      rx: { packets: s?.rtpReceived ?? 0, bytes: s?.rtpBytesReceived ?? 0 },
      authFailures: (s?.authFailures ?? 0) + (s?.rtcpAuthFailures ?? 0),
      replays: s?.replays ?? 0,
      mkiUnknown: s?.mkiUnknown ?? 0,
      lost: Math.max(0, s?.lost ?? 0),
      lossFraction: expected > 0 ? Math.max(0, s?.lost ?? 0) / expected : 0,
      jitterMs: Math.round((s?.jitterMs ?? 0) * 10) / 10,
      rttMs: s?.rttMs ?? null,
    };
  }

  calls(): CallStatus[] {
    const keep = this.o.keepEndedMs ?? 60_000;
    const now = Date.now();
    return this.gw
      .calls()
      .filter((r) => r.outcome === "active" || (r.endedAt && now - r.endedAt.getTime() <= keep))
      .map((r) => this.call(r));
  }
}
