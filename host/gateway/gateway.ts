// The gateway process: what `gwsdk gateway --board NAME --config FILE` runs, and what the simulator
// boots on the sim board (one code path).
//
// Boot: load the core (power-on self-test), open the certificate store and check the identity,
// resolve the TLS policy, listen for the Mediation Server with our MTLS, start the SIP endpoint
// towards the pool (our MTLS client, OPTIONS health, failover). Then it answers INVITEs from the
// pool and places calls towards it, each call with SDES-keyed SRTP on the core (GatewayCall).
//
// A call whose pool member disappears (its link closed and the member cannot be reached again) is
// ended with outcome "failover"; a call that receives no RTP/RTCP for mediaTimeoutMs is ended with
// outcome "media-timeout" (the Mediation Server does the same with RTCPActiveCalls).
//
// Media threads: with the board's core.mediaWorkers = N > 0 the gateway starts N media workers
// (host/media/workers) and each call's MediaSession runs in the one with the fewest calls, on that
// worker's own core; SIP, SDP/SDES and call control stay here. A worker that dies ends its calls
// with outcome "failed", error ERR_MEDIA_WORKER, and is replaced for the calls after. N = 0: every
// call's media runs on this thread with this thread's core.
import { EventEmitter } from "node:events";
import { isIP } from "node:net";
import { dirname, resolve } from "node:path";
import type { Board } from "../boards/board.js";
import { coreOptionsFor } from "../boards/board-core.js";
import { openBoardDeviceKey } from "../boards/device-key-source.js";
import { loadCore, type Core } from "../core/load-core.js";
import { CertStore, type CertSummary } from "../certs/cert-store.js";
import type { DeviceKey } from "../certs/device-key.js";
import { GatewayCall } from "../media/gateway-call.js";
import type { OpenCallMedia } from "../media/call-media.js";
import { SimPstnPort, ToneSource, type PstnPort } from "../media/pstn.js";
import type { MediaStats, MediaTapPacket } from "../media/session.js";
import { describePstn } from "../media/pstn-spec.js";
import { MediaWorkerPool } from "../media/workers/pool.js";
import { RemoteMediaSession } from "../media/workers/remote-session.js";
import { SipEndpoint } from "../sip/endpoint.js";
import type { SipConnection } from "../sip/connection.js";
import type { CallEnd, PoolMemberRef } from "../sip/call.js";
import type { SipTimers } from "../sip/timers.js";
import type { MtlsServer } from "../tls/mtls-server.js";
import type { MtlsSocket } from "../tls/mtls-socket.js";
import type { KeylogSink } from "../tls/keylog.js";
import type { SrtpProfile } from "../media/srtp-provider.js";
import type { GatewayConfig } from "./config.js";
import { GatewayError } from "./errors.js";
import { Logger, silentLogger } from "./log.js";
import { MediaPortRange } from "./media-ports.js";
import { CoreSrtpProvider } from "./srtp-provider.js";
import { StreamSlots } from "./stream-slots.js";
import { GatewayTls, type TlsLinkInfo } from "./tls-link.js";

export type CallDirection = "inbound" | "outbound";
export type CallOutcome = "active" | "completed" | "failover" | "failed" | "rejected" | "media-timeout" | "interrupted";

export interface GatewayOptions {
  board: Board;
  config: GatewayConfig;
  logger?: Logger;
  /**
   * The core to run on (default: loaded per the board's core.variant, with its self-test, its
   * arena capped at the board's core.arenaBytes).
   */
  core?: Core;
  /**
   * The key the certificate store is sealed under (default: the board's deviceKey source, paths
   * relative to the store's parent directory; host/boards/device-key-source.ts).
   */
  deviceKey?: DeviceKey;
  /**
   * The clock certificates are checked against (default: the system clock), and the lower bound of a
   * believable clock (default SDK_BUILD_DATE). What a clock below it does is the board's
   * time.beforeClockSet.
   */
  clock?: { now?: () => Date; buildDate?: Date };
  /** The PSTN side of a call (default: the sim board's SimPstnPort playing a 1004 Hz test tone). */
  pstn?: (c: { direction: CallDirection; from: string; to: string }) => PstnPort;
  /** Debugging: TLS secrets as SSLKEYLOGFILE lines (refused in FIPS mode). */
  keylog?: KeylogSink;
  /** Debugging: every media datagram of every call (packet captures). */
  tap?: (p: MediaTapPacket & { callId: string }) => void;
  /** Overrides config.media.mediaTimeoutMs: no RTP/RTCP for this long ends a call with outcome "media-timeout". */
  mediaTimeoutMs?: number;
  /** Overrides config.media.rtcpIntervalMs. */
  rtcpIntervalMs?: number;
  sipTimers?: Partial<SipTimers>;
  /**
   * Reconnection to a pool member that cannot be reached: after the n-th failed connection the next
   * attempt waits a random time in [d/2, d], d = min(maxMs, baseMs·2^(n-1)) (exponential backoff,
   * jitter), then is made by a timer of its own. Defaults: baseMs min(1000, trunk.optionsIntervalMs),
   * maxMs 2·trunk.optionsIntervalMs.
   */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** Records of ended calls (and of closed links) kept, the newest (default 100); active ones are always kept. */
  callHistory?: number;
}

export interface GatewayCallRecord {
  /** "c1", "c2", ... in this process. */
  id: string;
  direction: CallDirection;
  from: string;
  to: string;
  /** The pool member ("fqdn:port" or "host:port") the call went to or came from. */
  member: string | null;
  startedAt: Date;
  answeredAt?: Date;
  endedAt?: Date;
  outcome: CallOutcome;
  end?: CallEnd;
  error?: { code: string; message: string };
  call?: GatewayCall;
  pstn: PstnPort;
  /** The last statistics (kept after the call ended). */
  stats?: MediaStats;
  srtp: { profile: SrtpProfile; txMki: string | null; lastRxForm: string } | null;
  /** Holds one SRTP stream slot each way (board core.streamSlots) until it ends. */
  holdsStreamSlot: boolean;
}

export interface GatewayLinkRecord {
  id: number;
  direction: CallDirection;
  /** "address:port" of the other end of the TCP connection (for outbound links: the member's host name). */
  remote: string;
  /** TCP ports of the connection, ours and theirs. */
  localPort: number | undefined;
  remotePort: number | undefined;
  /** The pool member this link goes to (outbound), when known. */
  member: string | null;
  state: "up" | "down";
  upSince: Date;
  downSince?: Date;
  tls: TlsLinkInfo | null;
}

export interface GatewayEvents {
  ready: [];
  call: [c: GatewayCallRecord];
  callEnded: [c: GatewayCallRecord];
  link: [l: GatewayLinkRecord];
  linkDown: [l: GatewayLinkRecord];
  memberDown: [member: string];
  memberUp: [member: string];
}

function hex(b: Uint8Array | undefined): string | null {
  return b && b.length ? Buffer.from(b).toString("hex") : null;
}

function userPart(uri: string): string {
  const m = /^<?(?:sips?|tel):([^@;>]+)/i.exec(uri.trim().replace(/^"[^"]*"\s*/, ""));
  return m ? m[1]! : uri;
}

function errInfo(e: unknown): { code: string; message: string } {
  const o = e as { code?: unknown; message?: unknown };
  return { code: typeof o?.code === "string" ? o.code : "ERR_GATEWAY_CALL", message: typeof o?.message === "string" ? o.message : String(e) };
}

export class Gateway extends EventEmitter<GatewayEvents> {
  readonly board: Board;
  readonly config: GatewayConfig;
  readonly core: Core;
  readonly log: Logger;
  /** The SIP endpoint (made once the listener knows its port: Via and Contact carry it). */
  endpoint!: SipEndpoint;
  readonly store: CertStore;
  readonly srtp: CoreSrtpProvider;
  /** SRTP stream slots per direction (board core.streamSlots): one per active call each way. */
  readonly streams: StreamSlots;
  /** The media workers (board core.mediaWorkers > 0), else undefined: media on this thread. */
  mediaWorkers: MediaWorkerPool | undefined;
  private readonly tls: GatewayTls;
  private server: MtlsServer | undefined;
  private readonly ports: MediaPortRange;
  private readonly opts: GatewayOptions;
  private readonly callRecords: GatewayCallRecord[] = [];
  private readonly linkRecords: GatewayLinkRecord[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  /** Per call: the RTP/RTCP counts last seen and when they last changed (performance.now(): a wall-clock step must not stretch or cut the timeout). */
  private lastRx = new Map<GatewayCallRecord, { rtp: number; rtcp: number; at: number }>();
  /** Pool members that could not be reached ("host:port"): failures in a row, no attempt before notBefore (performance.now()), the retry timer. */
  private readonly backoff = new Map<string, { failures: number; notBefore: number; timer?: NodeJS.Timeout }>();
  private callSeq = 0;
  private linkSeq = 0;
  private stopping = false;
  /** Refused inbound TLS handshakes (codes), the newest 100, for status and tests. */
  readonly refusedHandshakes: { code: string; remote: string }[] = [];
  /** Listening port (the configured one, or the ephemeral one given for port 0). */
  listenPort = 0;
  readonly selfTestMs: number;
  /** The identity's certificate as the store reported it at boot. */
  certificate: CertSummary | null = null;

  private constructor(o: GatewayOptions, core: Core, selfTestMs: number, store: CertStore) {
    super();
    this.opts = o;
    this.board = o.board;
    this.config = o.config;
    this.core = core;
    this.selfTestMs = selfTestMs;
    this.store = store;
    this.log = o.logger ?? silentLogger;
    this.streams = new StreamSlots(o.board.core.streamSlots);
    // Each SRTP session tracks up to 8 SSRCs (one per direction, more after re-INVITEs), never more than the board's slots.
    this.srtp = new CoreSrtpProvider(core, { maxStreams: Math.min(8, o.board.core.streamSlots) });
    this.ports = new MediaPortRange(o.config.media.portMin, o.config.media.portMax);
    const c = o.config;
    this.tls = new GatewayTls({
      store,
      identity: c.identity,
      policy: { profile: c.tls.profile, versions: c.tls.versions, fips: c.tls.fips, legacyCbc: c.tls.legacyCbc, handshakeTimeoutMs: c.tls.handshakeTimeoutMs },
      core,
      beforeClockSet: o.board.time.beforeClockSet,
      ...(o.clock?.now ? { now: o.clock.now } : {}),
      ...(o.clock?.buildDate ? { buildDate: o.clock.buildDate } : {}),
      ...(o.keylog ? { keylog: o.keylog } : {}),
    });
  }

  private createEndpoint(): void {
    const c = this.config;
    const o = this.opts;
    const members = c.pool.members?.map((m) => ({ host: m.host, port: m.port }));
    this.endpoint = new SipEndpoint({
      local: { host: c.fqdn, port: this.listenPort, transport: "TLS" },
      pool: members
        ? { fqdn: c.pool.fqdn, members }
        : { fqdn: c.pool.fqdn, port: c.pool.port, resolve: async (name) => this.resolveAll(name) },
      connect: (m) => this.connectMember(m),
      health: { intervalMs: c.trunk.optionsIntervalMs, failuresToDown: c.trunk.optionsFailuresDown, timeoutMs: Math.min(5000, c.trunk.optionsIntervalMs) },
      ...(o.sipTimers ? { timers: o.sipTimers } : {}),
      userAgent: "gwsdk-gateway/0.1",
    });
    const ep = this.endpoint;
    const log = this.log;
    ep.on("invite", (inc) => void this.onInvite(inc));
    ep.on("connection", (conn, direction) => this.onConnection(conn, direction));
    ep.on("memberDown", (m) => {
      const name = this.memberName(m);
      log.warn("pool.member.down", { member: name, failures: m.failures, lastError: m.lastError });
      this.emit("memberDown", name);
    });
    ep.on("memberUp", (m) => {
      const name = this.memberName(m);
      log.info("pool.member.up", { member: name });
      this.emit("memberUp", name);
    });
    ep.on("protocolError", (e) => log.warn("sip.protocol-error", { code: e.code, msg: e.message }));
  }

  /** Boots the gateway; resolves once it listens and its SIP endpoint runs. */
  static async start(o: GatewayOptions): Promise<Gateway> {
    const log = o.logger ?? silentLogger;
    const c = o.config;
    if (o.keylog && c.tls.fips) throw new GatewayError("ERR_GATEWAY_STATE", "FIPS mode refuses to write a TLS key log");
    let core = o.core;
    let selfTestMs = 0;
    if (!core) {
      const t0 = performance.now();
      // The board's build (variant/simd), its arena capped at core.arenaBytes.
      core = await loadCore(coreOptionsFor(o.board));
      selfTestMs = performance.now() - t0;
    }
    log.info("core.ready", { variant: core.variant, selfTest: "passed", ms: Math.round(selfTestMs * 10) / 10, fips: c.tls.fips, arenaBytes: core.arena.size, streamSlots: o.board.core.streamSlots });
    // The board's device key (file / derived / secure element); paths beside the store.
    const deviceKey = o.deviceKey ?? (await openBoardDeviceKey(o.board, { stateDir: dirname(resolve(c.store)) }));
    let store: CertStore;
    try {
      store = await CertStore.open(c.store, { create: false, deviceKey, logger: { warn: (m) => log.warn("store.warning", { msg: m }) } });
    } catch (e) {
      throw new GatewayError("ERR_GATEWAY_IDENTITY", `cannot open the certificate store ${c.store}: ${(e as Error).message}`, { cause: e });
    }
    const report = await store.check(c.identity).catch((e: unknown) => {
      store.close();
      throw new GatewayError("ERR_GATEWAY_IDENTITY", `identity "${c.identity}" in ${c.store}: ${(e as Error).message}`, { cause: e });
    });
    if (report.status === "unusable") {
      store.close();
      throw new GatewayError("ERR_GATEWAY_IDENTITY", `identity "${c.identity}" cannot be used: ${report.problems.map((p) => `${p.code}: ${p.message}`).join("; ")}`);
    }
    log.info("store.ready", {
      store: c.store,
      identity: c.identity,
      subject: report.certificate?.subject,
      notAfter: report.certificate?.notAfter,
      daysRemaining: report.certificate?.daysRemaining,
      trust: report.trust,
      warnings: report.warnings.map((w) => w.code),
    });
    const gw = new Gateway(o, core, selfTestMs, store);
    gw.certificate = report.certificate;
    try {
      await gw.startMediaWorkers();
      await gw.listen();
      gw.createEndpoint();
      await gw.endpoint.start();
    } catch (e) {
      await gw.stop();
      throw e;
    }
    gw.watchdog = setInterval(() => gw.checkMedia(), 500);
    gw.watchdog.unref?.();
    log.info("gateway.ready", {
      fqdn: c.fqdn,
      listen: `${c.listen.host}:${gw.listenPort}`,
      pool: c.pool.fqdn,
      members: gw.endpoint.memberStatus().map((m) => gw.memberName(m)),
      srtpMode: c.trunk.srtpMode,
      mki: c.trunk.mki,
      tls: c.tls.versions,
      media: `${c.media.address}:${c.media.portMin}-${c.media.portMax}`,
    });
    // First OPTIONS round at once: the links come up without waiting a whole interval.
    void gw.endpoint.probeAll();
    gw.emit("ready");
    return gw;
  }

  /** Board core.mediaWorkers > 0: one worker thread per share of the calls, each with its own core (the board's build and arena cap). */
  private async startMediaWorkers(): Promise<void> {
    const n = this.board.core.mediaWorkers;
    if (!n) return;
    const t0 = performance.now();
    const opts = coreOptionsFor(this.board);
    const pool = await MediaWorkerPool.start({
      workers: n,
      ...(opts.variant ? { variant: opts.variant } : {}),
      ...(opts.arenaBytes !== undefined ? { arenaBytes: opts.arenaBytes } : {}),
      maxStreams: Math.min(8, this.board.core.streamSlots),
    });
    this.mediaWorkers = pool;
    const log = this.log;
    pool.on("workerExit", (index, calls, e) => log.error("media.worker.exit", { worker: index, calls: calls.length, code: (e as { code?: string }).code, msg: e.message }));
    pool.on("workerReplaced", (index) => log.info("media.worker.replaced", { worker: index }));
    pool.on("workerReplaceFailed", (index, e) => log.error("media.worker.replace-failed", { worker: index, msg: e.message }));
    log.info("media.workers", { workers: n, ms: Math.round(performance.now() - t0) });
  }

  private async listen(): Promise<void> {
    const c = this.config;
    try {
      this.server = await this.tls.listen(
        c.listen.host,
        c.listen.port,
        c.tls.allowedPeers,
        (s) => {
          if (this.stopping || !this.endpoint) {
            s.destroy();
            return;
          }
          this.endpoint.accept(s, s.remoteAddress && s.remotePort ? { host: s.remoteAddress, port: s.remotePort } : undefined);
        },
        (err, peer) => {
          const code = err.code ?? "ERR_TLS";
          this.refusedHandshakes.push({ code, remote: `${peer.remoteAddress}:${peer.remotePort}` });
          // the newest ones only: hostile peers must not grow this for months
          if (this.refusedHandshakes.length > 100) this.refusedHandshakes.splice(0, this.refusedHandshakes.length - 100);
          this.log.warn("tls.refused", { code, remote: `${peer.remoteAddress}:${peer.remotePort}`, msg: err.message });
        },
      );
    } catch (e) {
      throw new GatewayError("ERR_GATEWAY_LISTEN", `cannot listen on ${c.listen.host}:${c.listen.port}: ${(e as Error).message}`, { cause: e });
    }
    const addr = this.server.address();
    this.listenPort = typeof addr === "object" && addr ? addr.port : c.listen.port;
    this.log.info("tls.listen", { host: c.listen.host, port: this.listenPort, versions: c.tls.versions, profile: c.tls.profile, fips: c.tls.fips, allowedPeers: c.tls.allowedPeers });
  }

  // ---- pool members ------------------------------------------------------------------------

  private resolveAll(name: string): string[] {
    const mapped = this.config.pool.hosts[name] ?? this.config.pool.hosts[name.toLowerCase()];
    return mapped && mapped.length ? mapped : [name];
  }

  /** The configured member at host:port, if any. */
  private memberConfig(ref: PoolMemberRef): { fqdn?: string; host: string; port: number } | undefined {
    return this.config.pool.members?.find((m) => m.host.toLowerCase() === ref.host.toLowerCase() && m.port === ref.port);
  }

  private memberName(ref: PoolMemberRef): string {
    const m = this.memberConfig(ref);
    return `${m?.fqdn ?? ref.host}:${ref.port}`;
  }

  private async connectMember(ref: PoolMemberRef): Promise<MtlsSocket> {
    const m = this.memberConfig(ref);
    const isName = isIP(ref.host) === 0;
    // The name the member's certificate must carry: its own FQDN (a SAN of the pool certificate),
    // else the host name we reached it by, else the pool FQDN.
    const servername = m?.fqdn ?? (isName ? ref.host : this.config.pool.fqdn);
    const address = this.resolveAll(ref.host)[0]!;
    const key = `${ref.host.toLowerCase()}:${ref.port}`;
    const t0 = performance.now();
    const b = this.backoff.get(key);
    if (b && t0 < b.notBefore) {
      // Backing off: no connection attempt (a probe or a call fails at once; a call tries the next member).
      throw new GatewayError("ERR_GATEWAY_BACKOFF", `${this.memberName(ref)} is unreachable (${b.failures} failed connections); next attempt in ${Math.ceil(b.notBefore - t0)} ms`);
    }
    try {
      const s = await this.tls.connect(address, ref.port, servername);
      this.log.debug("tls.connected", { member: this.memberName(ref), ms: Math.round(performance.now() - t0) });
      const old = this.backoff.get(key);
      if (old) clearTimeout(old.timer);
      this.backoff.delete(key);
      return s;
    } catch (e) {
      this.log.warn("tls.connect-failed", { member: this.memberName(ref), address: `${address}:${ref.port}`, code: (e as { code?: string }).code, msg: (e as Error).message });
      this.connectFailed(key, ref);
      throw e;
    }
  }

  /** A connection to a member failed: the next attempt after an exponential, jittered delay, by a timer (probes and calls before it do not connect). */
  private connectFailed(key: string, ref: PoolMemberRef): void {
    if (this.stopping) return;
    const interval = this.config.trunk.optionsIntervalMs;
    const baseMs = this.opts.reconnect?.baseMs ?? Math.min(1000, interval);
    const maxMs = Math.max(baseMs, this.opts.reconnect?.maxMs ?? 2 * interval);
    const b = this.backoff.get(key) ?? { failures: 0, notBefore: 0 };
    b.failures++;
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(b.failures - 1, 30));
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    b.notBefore = performance.now() + delay;
    clearTimeout(b.timer);
    b.timer = setTimeout(() => {
      b.notBefore = 0;
      const known = this.endpoint?.memberStatus().some((m) => m.host.toLowerCase() === ref.host.toLowerCase() && m.port === ref.port);
      if (this.stopping || !known) return void this.backoff.delete(key);
      const timeoutMs = Math.min(5000, interval);
      this.endpoint.options(ref, timeoutMs).then(
        (res) => (res.status >= 500 ? this.endpoint.memberFailed(ref, String(res.status)) : this.endpoint.memberOk(ref)),
        (e: unknown) => this.endpoint.memberFailed(ref, (e as { code?: string }).code === "ERR_SIP_TIMEOUT" ? "timeout" : "unreachable"),
      );
    }, delay);
    b.timer.unref?.();
    this.backoff.set(key, b);
    this.log.debug("pool.member.backoff", { member: this.memberName(ref), failures: b.failures, retryMs: Math.round(delay) });
  }

  // ---- links -------------------------------------------------------------------------------

  private onConnection(conn: SipConnection, direction: CallDirection): void {
    const s = conn.socket as Partial<MtlsSocket> & { remoteAddress?: string; remotePort?: number };
    const tls = typeof s.version === "string" ? GatewayTls.describe(s as MtlsSocket) : null;
    const remote = conn.remote ? `${conn.remote.host}:${conn.remote.port}` : `${s.remoteAddress}:${s.remotePort}`;
    const member = direction === "outbound" && conn.remote ? this.memberName(conn.remote) : null;
    const rec: GatewayLinkRecord = { id: ++this.linkSeq, direction, remote, localPort: s.localPort, remotePort: s.remotePort, member, state: "up", upSince: new Date(), tls };
    this.linkRecords.push(rec);
    this.prune(this.linkRecords, (l) => l.state === "down");
    this.log.info("tls.up", { link: rec.id, direction, remote, member, ...(tls ?? {}) });
    if (tls?.warnings.includes("clock")) {
      this.log.warn("tls.clock-not-set", { link: rec.id, direction, remote, msg: "the clock is before this software's build date: the peer's certificate was checked as of the build date (board time.beforeClockSet: warn); set the time (NTP)" });
    }
    this.emit("link", rec);
    conn.on("close", () => {
      rec.state = "down";
      rec.downSince = new Date();
      this.log.info("tls.down", { link: rec.id, direction, remote, member });
      this.emit("linkDown", rec);
      if (!this.stopping) void this.checkCallsOn(conn);
    });
  }

  /** Calls whose dialog ran on a closed connection: reach their member again, or fail over. */
  private async checkCallsOn(conn: SipConnection): Promise<void> {
    for (const r of this.callRecords) {
      const call = r.call;
      if (!call || r.outcome !== "active" || call.sip.dialog?.conn !== conn) continue;
      try {
        await this.endpoint.connectionForDialog(call.sip);
        this.log.info("call.relinked", { call: r.id, member: r.member });
      } catch (e) {
        if (r.outcome !== "active") continue;
        this.log.warn("call.failover", { call: r.id, member: r.member, code: (e as { code?: string }).code, msg: `the pool member is unreachable: ${(e as Error).message}` });
        r.error = errInfo(e);
        await this.finish(r, "failover");
      }
    }
  }

  // ---- calls -------------------------------------------------------------------------------

  private pstnFor(direction: CallDirection, from: string, to: string): PstnPort {
    return this.opts.pstn ? this.opts.pstn({ direction, from, to }) : new SimPstnPort(new ToneSource(1004));
  }

  private activeCalls(): number {
    return this.callRecords.filter((r) => r.outcome === "active").length;
  }

  /** How a call's media opens: in a media worker when there are workers and its PSTN port can move there. */
  private openMediaFor(r: GatewayCallRecord): { openMedia?: OpenCallMedia } {
    const pool = this.mediaWorkers;
    if (!pool) return {};
    if (!describePstn(r.pstn)) {
      this.log.warn("media.main-thread", { call: r.id, msg: "this call's PSTN port cannot run in a media worker: its media runs on the main thread" });
      return {};
    }
    return { openMedia: (mo) => pool.openSession(r.id, mo, { onFailed: (e) => this.mediaFailed(r, e) }) };
  }

  /** The worker running a call's media died (or refused its keys): the call ends, "failed". */
  private mediaFailed(r: GatewayCallRecord, e: Error & { code: string }): void {
    if (r.outcome !== "active") return;
    r.error = { code: e.code, message: e.message };
    this.log.warn("call.media-failed", { call: r.id, member: r.member, code: e.code, msg: e.message });
    void this.finish(r, "failed");
  }

  private callOptions(r: GatewayCallRecord, ports: { rtp: number; rtcp: number }) {
    const c = this.config;
    return {
      ...this.openMediaFor(r),
      srtp: this.srtp,
      pstn: r.pstn,
      srtpMode: c.trunk.srtpMode,
      bindAddress: c.media.address,
      advertiseAddress: c.media.address,
      sdp: { suites: c.trunk.srtpProfiles as SrtpProfile[], offerMki: c.trunk.mki ? ("both" as const) : ("without" as const) },
      media: {
        rtpPort: ports.rtp,
        rtcpPort: ports.rtcp,
        replayWindow: c.trunk.replayWindow,
        rtcpIntervalMs: this.opts.rtcpIntervalMs ?? c.media.rtcpIntervalMs,
        ...(this.opts.tap ? { tap: (p: MediaTapPacket) => this.opts.tap!({ ...p, callId: r.id }) } : {}),
        onKeyLimit: (e: { direction: "tx" | "rx"; hard: boolean; remaining: number }) =>
          this.log.warn("srtp.key-limit", { call: r.id, direction: e.direction, hard: e.hard, remaining: e.remaining }),
      },
    };
  }

  /** Call records are made only with a stream slot taken (StreamSlots.tryTake); finish() gives it back. */
  private newRecord(direction: CallDirection, from: string, to: string, member: string | null): GatewayCallRecord {
    let pstn: PstnPort;
    try {
      pstn = this.pstnFor(direction, from, to);
    } catch (e) {
      this.streams.release(); // no record holds the slot taken for this call
      throw e;
    }
    const r: GatewayCallRecord = { id: `c${++this.callSeq}`, direction, from, to, member, startedAt: new Date(), outcome: "active", pstn, srtp: null, holdsStreamSlot: true };
    this.callRecords.push(r);
    return r;
  }

  private attach(r: GatewayCallRecord, call: GatewayCall, rtpPort: number): void {
    r.call = call;
    r.answeredAt = new Date();
    const s = call.media.negotiated?.srtp;
    r.srtp = s ? { profile: s.profile, txMki: hex(s.tx.mki), lastRxForm: "" } : null;
    this.lastRx.set(r, { rtp: 0, rtcp: 0, at: performance.now() });
    call.on("media", (m) => {
      if (m.srtp && r.srtp) r.srtp = { ...r.srtp, profile: m.srtp.profile, txMki: hex(m.srtp.tx.mki) };
    });
    call.on("ended", (e) => {
      r.end = e;
      this.ports.release(rtpPort);
      void this.finish(r, r.outcome === "active" ? "completed" : r.outcome);
    });
    this.log.info("call.up", {
      call: r.id,
      direction: r.direction,
      member: r.member,
      from: r.from,
      to: r.to,
      srtp: r.srtp ? r.srtp.profile : "none",
      mki: r.srtp?.txMki ?? null,
      localRtp: `${this.config.media.address}:${call.media.localRtpPort}`,
      ...(call.media instanceof RemoteMediaSession ? { mediaWorker: call.media.worker } : {}),
      remoteRtp: call.media.negotiated ? `${call.media.negotiated.remoteAddress}:${call.media.negotiated.remoteRtpPort}` : null,
    });
    this.emit("call", r);
  }

  /** Ends a call's record once: hangs up when still up, keeps the last statistics. */
  private async finish(r: GatewayCallRecord, outcome: CallOutcome): Promise<void> {
    if (r.outcome !== "active") return;
    r.outcome = outcome;
    if (r.holdsStreamSlot) {
      r.holdsStreamSlot = false;
      this.streams.release();
    }
    const call = r.call;
    if (call) {
      r.stats = call.stats();
      if (r.srtp) r.srtp.lastRxForm = call.media.lastRxForm;
      if (!call.sip.ended) await call.hangup().catch(() => undefined);
      else await call.media.close().catch(() => undefined);
      r.stats = call.stats();
    }
    r.endedAt = new Date();
    this.lastRx.delete(r);
    const s = r.stats;
    this.log.info("call.end", {
      call: r.id,
      direction: r.direction,
      member: r.member,
      outcome,
      reason: r.end?.reason,
      by: r.end?.by,
      durationMs: r.answeredAt ? r.endedAt.getTime() - r.answeredAt.getTime() : 0,
      ...(s
        ? {
            rtpSent: s.rtpSent,
            rtpReceived: s.rtpReceived,
            authFailures: s.authFailures,
            replays: s.replays,
            lost: s.lost,
            rtcpSent: s.rtcpSent,
            rtcpReceived: s.rtcpReceived,
          }
        : {}),
      ...(r.error ? { code: r.error.code } : {}),
    });
    this.emit("callEnded", r);
    this.prune(this.callRecords, (c) => c.outcome !== "active");
  }

  /** Keeps the newest `callHistory` ended records (a gateway runs for months: its history must not grow with every call it carried). */
  private prune<T>(records: T[], ended: (r: T) => boolean): void {
    const keep = this.opts.callHistory ?? 100;
    let n = 0;
    for (let i = records.length - 1; i >= 0; i--) if (ended(records[i]!) && ++n > keep) records.splice(i, 1);
  }

  private async onInvite(inc: import("../sip/call.js").IncomingCall): Promise<void> {
    const req = inc.request;
    const from = userPart(req.get("From") ?? "");
    const to = userPart(req.get("To") ?? "");
    const contact = /^<?sips?:(?:[^@>]*@)?([^:;>]+)(?::(\d+))?/i.exec((req.get("Contact") ?? "").replace(/^[^<]*</, "<"));
    const member = contact ? `${contact[1]}:${contact[2] ?? "5067"}` : null;
    const refusal = this.stopping
      ? "the gateway is stopping"
      : this.streams.free === 0
        ? `every SRTP stream slot is in use (board core.streamSlots ${this.streams.slots})`
        : this.activeCalls() >= this.config.limits.maxCalls
          ? `maxCalls (${this.config.limits.maxCalls}) reached`
          : undefined;
    if (refusal !== undefined || !this.streams.tryTake()) {
      this.log.warn("call.refused", { from, to, member, status: 503, msg: refusal });
      inc.reject(503);
      return;
    }
    const r = this.newRecord("inbound", from, to, member);
    this.log.info("call.incoming", { call: r.id, from, to, member });
    try {
      const { value: call, rtp } = await this.ports.bind((ports) => GatewayCall.answer(inc, this.callOptions(r, ports)));
      if (r.outcome !== "active") {
        await call.hangup().catch(() => undefined);
        this.ports.release(rtp);
        return;
      }
      this.attach(r, call, rtp);
    } catch (e) {
      r.error = errInfo(e);
      this.log.warn("call.refused", { call: r.id, code: r.error.code, msg: r.error.message });
      await this.finish(r, r.error.code.startsWith("ERR_SDP") ? "rejected" : "failed");
    }
  }

  /** Places a call towards the pool (failover between members per the SIP layer). */
  async place(to: string, from: string): Promise<GatewayCallRecord> {
    if (this.stopping) throw new GatewayError("ERR_GATEWAY_STATE", "the gateway is stopping");
    if (this.streams.free === 0) throw new GatewayError("ERR_GATEWAY_STREAM_SLOTS", `every SRTP stream slot is in use (board core.streamSlots ${this.streams.slots})`);
    if (this.activeCalls() >= this.config.limits.maxCalls) throw new GatewayError("ERR_GATEWAY_CALL_LIMIT", `maxCalls (${this.config.limits.maxCalls}) reached`);
    this.streams.tryTake();
    const r = this.newRecord("outbound", from, to, null);
    this.log.info("call.outgoing", { call: r.id, from, to });
    try {
      const { value: call, rtp } = await this.ports.bind((ports) => GatewayCall.place(this.endpoint, { to, from }, this.callOptions(r, ports)));
      const m = call.sip.member;
      r.member = m ? this.memberName(m) : null;
      if (r.outcome !== "active") {
        await call.hangup().catch(() => undefined);
        this.ports.release(rtp);
        return r;
      }
      this.attach(r, call, rtp);
    } catch (e) {
      r.error = errInfo(e);
      this.log.warn("call.failed", { call: r.id, code: r.error.code, msg: r.error.message });
      await this.finish(r, (e as { status?: number }).status && (e as { status: number }).status < 500 ? "rejected" : "failed");
    }
    return r;
  }

  /** Hangs up one call (BYE) with the given outcome. */
  async hangup(r: GatewayCallRecord, outcome: CallOutcome = "completed"): Promise<void> {
    await this.finish(r, outcome);
  }

  private checkMedia(): void {
    const limit = this.opts.mediaTimeoutMs ?? this.config.media.mediaTimeoutMs;
    const now = performance.now();
    for (const [r, last] of this.lastRx) {
      const s = r.call?.media.stats;
      if (!s || r.outcome !== "active") continue;
      if (s.rtpReceived !== last.rtp || s.rtcpReceived !== last.rtcp) {
        this.lastRx.set(r, { rtp: s.rtpReceived, rtcp: s.rtcpReceived, at: now });
      } else if (now - last.at > limit) {
        this.log.warn("call.media-timeout", { call: r.id, member: r.member, silentMs: now - last.at });
        void this.finish(r, "media-timeout");
      }
    }
  }

  /** The active calls and the newest ended ones (see GatewayOptions.callHistory). */
  calls(): GatewayCallRecord[] {
    return [...this.callRecords];
  }

  links(): GatewayLinkRecord[] {
    return [...this.linkRecords];
  }

  /** Hangs up every call (outcome `outcome`), closes the links and the listener. */
  async stop(outcome: CallOutcome = "interrupted"): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const b of this.backoff.values()) clearTimeout(b.timer);
    this.backoff.clear();
    await Promise.all(this.callRecords.filter((r) => r.outcome === "active" && r.call).map((r) => this.finish(r, outcome)));
    await this.endpoint?.close().catch(() => undefined);
    await this.mediaWorkers?.close().catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve(), true);
    });
    this.store.close();
    this.log.info("gateway.stopped", { calls: this.callSeq });
  }
}
