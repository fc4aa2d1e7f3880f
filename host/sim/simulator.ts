// The desktop simulator (`gwsdk sim`, `npm start`): the whole product working on one machine.
//
//  1. State: the demo enterprise CA, the pool certificate and the gateway identity enrolled through
//     our certificate store (host/sim/state.ts), made on the first run and reused afterwards.
//  2. The Mediation pool: two members on loopback, Node `tls` (OpenSSL) with requestCert +
//     rejectUnauthorized, Skype-style SIP/SDP, node-srtp media (host/sim/mediation/pool.ts).
//  3. The gateway, booted from the board exactly as `gwsdk gateway` boots it (host/gateway): the core's
//     power-on self-test, the store, the TLS policy; our MTLS both ways, our SRTP.
//  4. OPTIONS both ways, calls both ways with SDES-keyed SRTP, media for `durationS`, hang-up, and a
//     report (host/sim/report.ts). With `failover`, member 1 stops half-way: its calls end with outcome
//     "failover" and are placed again on the next member.
import { createWriteStream, type WriteStream } from "node:fs";
import { loadBoard, type Board } from "../boards/board.js";
import { resolveConfig, validateConfigDocument, type GatewayConfig } from "../gateway/config.js";
import { Gateway, type GatewayCallRecord } from "../gateway/gateway.js";
import { Logger, silentLogger } from "../gateway/log.js";
import { PcapWriter } from "../gateway/pcap.js";
import { ToneSource } from "../media/pstn.js";
import { CheckedPstnPort } from "./audio-check.js";
import type { SrtpMode } from "../sdp/negotiator.js";
import { MediationPool } from "./mediation/pool.js";
import type { PeerCall } from "./mediation/peer.js";
import { SimError } from "./errors.js";
import { prepareSimState, type SimState } from "./state.js";
import { buildReport, type SimReport, type SimCallRun } from "./report.js";

export type SimDirection = "in" | "out" | "both";

export interface SimOptions {
  /** State directory (default .gwsdk/sim). */
  stateDir: string;
  /** Board id or file (default "sim"). */
  board?: string;
  /** Calls in all (default 2); with direction "both" they alternate, outbound first. */
  calls?: number;
  /** Seconds of media per call (default 5). */
  durationS?: number;
  direction?: SimDirection;
  /** FIPS mode: approved algorithms only (P-256/P-384, AES-GCM, no X25519); refuses a key log. */
  fips?: boolean;
  /** Only TLS 1.2 on the gateway (the pool still offers 1.3 and 1.2, as Skype for Business Server 2019). */
  tls12?: boolean;
  /** Trunk SRTPMode on both sides (default: the board's). */
  srtpMode?: SrtpMode;
  /** Keys with the MKI (Skype's `|2^31|1:1`, default) or without, both ways. */
  mki?: boolean;
  /** Stop pool member 1 half-way through. */
  failover?: boolean;
  pcap?: string;
  pcapDecrypted?: string;
  keylog?: string;
  /** The gateway's logs (default: none). */
  logger?: Logger;
  /** Progress, about four times a second. */
  progress?: (p: SimProgress) => void;
  /** Notes about the state directory on a first run ("making the demo CA..."). */
  note?: (message: string) => void;
  /** Abort (Ctrl-C): calls are hung up and the report is still made. */
  signal?: AbortSignal;
  /** Keys a first run makes (default RSA 2048; "p256" is faster, for tests). */
  keyType?: "rsa2048" | "p256";
  /** Diagnostics and tests: the pool's TLS secrets as OpenSSL logs them (SSLKEYLOGFILE lines). */
  poolKeylog?: (line: string) => void;
  /** Called once the gateway and the pool are up, before the calls (the CLI starts the console here). */
  onGateway?: (gateway: Gateway, pool: MediationPool) => Promise<void>;
}

export interface SimProgress {
  phase: "state" | "boot" | "links" | "calls" | "hangup" | "done";
  elapsedMs: number;
  callsUp: number;
  callsPlanned: number;
  /** SRTP packets per second through the gateway, both directions, over the last interval. */
  packetsPerSecond: number;
  linksUp: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

async function until(cond: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end || signal?.aborted) return cond();
    await sleep(20);
  }
  return true;
}

/** The gateway config the simulator writes (the same schema `gwsdk gateway --config` reads). */
export function simConfigDocument(state: SimState, pool: { members: { fqdn: string; port: number }[] }, o: Pick<SimOptions, "fips" | "tls12" | "srtpMode" | "mki">, board: Board): Record<string, unknown> {
  return {
    fqdn: state.names.gateway,
    store: state.storeDir,
    identity: state.identity,
    listen: { host: "127.0.0.1", port: 0 },
    pool: {
      fqdn: state.names.pool,
      members: pool.members.map((m) => ({ fqdn: m.fqdn, host: m.fqdn, port: m.port })),
      hosts: Object.fromEntries(pool.members.map((m) => [m.fqdn, ["127.0.0.1"]])),
    },
    trunk: { srtpMode: o.srtpMode ?? board.srtp.srtpMode, mki: o.mki ?? board.srtp.mki },
    tls: { versions: o.tls12 ? ["TLSv1.2"] : board.tls.versions, fips: o.fips ?? board.tls.fips },
    media: { address: "127.0.0.1" },
  };
}

interface Planned {
  index: number;
  direction: "outbound" | "inbound";
  /** Pool member an inbound call comes from. */
  member: number;
  to: string;
  from: string;
  replaces?: number;
}

/** Runs the simulator; resolves with the report (it does not throw for failed calls: the report says). */
export async function runSimulator(o: SimOptions): Promise<SimReport> {
  const t0 = Date.now();
  const startedAt = new Date();
  const calls = o.calls ?? 2;
  const durationMs = Math.round((o.durationS ?? 5) * 1000);
  const direction = o.direction ?? "both";
  const log = o.logger ?? silentLogger;
  if (!Number.isInteger(calls) || calls < 0 || calls > 1000) throw new SimError("ERR_SIM_OPTIONS", `--calls must be an integer from 0 to 1000, not ${calls}`);
  if (!(durationMs >= 200 && durationMs <= 24 * 3600_000)) throw new SimError("ERR_SIM_OPTIONS", "--duration must be from 0.2 to 86400 seconds");
  if (o.fips && o.keylog) throw new SimError("ERR_SIM_OPTIONS", "--fips refuses --keylog: FIPS mode never writes key material");
  const progress = o.progress ?? (() => undefined);
  const signal = o.signal;
  const problems: string[] = [];
  const tick = (phase: SimProgress["phase"], extra: Partial<SimProgress> = {}) =>
    progress({ phase, elapsedMs: Date.now() - t0, callsUp: 0, callsPlanned: calls, packetsPerSecond: 0, linksUp: 0, ...extra });

  tick("state");
  const state = await prepareSimState(o.stateDir, { ...(o.note ? { note: o.note } : {}), ...(o.keyType ? { keyType: o.keyType } : {}) });
  const board = loadBoard(o.board ?? "sim");
  // Short runs still show several SRTCP reports each way (RFC 3550 intervals are seconds long).
  const rtcpIntervalMs = Math.max(250, Math.min(5000, Math.floor(durationMs / 4)));

  // Debug outputs: only where an explicit flag names a file.
  let keylogFile: WriteStream | undefined;
  const pcap = o.pcap ? new PcapWriter(o.pcap) : undefined;
  const pcapPlain = o.pcapDecrypted ? new PcapWriter(o.pcapDecrypted) : undefined;
  if (o.keylog) keylogFile = createWriteStream(o.keylog, { flags: "a", mode: 0o600 });

  tick("boot");
  const pool = new MediationPool({
    names: { pool: state.names.pool, members: state.names.members },
    tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem },
    srtpMode: o.srtpMode ?? board.srtp.srtpMode,
    mki: o.mki ?? true,
    optionsIntervalMs: board.sip.optionsIntervalMs,
    rtcpIntervalMs,
    source: () => new ToneSource(440),
    pstn: (source) => new CheckedPstnPort(source),
    ...(o.poolKeylog ? { keylog: o.poolKeylog } : {}),
  });
  let gateway: Gateway | undefined;
  const runs: SimCallRun[] = [];
  let interrupted = false;
  let config: GatewayConfig | undefined;
  const linkStates = new Map<number, "up" | "down">();
  try {
    await pool.listen();
    const doc = simConfigDocument(state, { members: pool.members.map((m) => ({ fqdn: m.fqdn, port: m.port })) }, o, board);
    config = resolveConfig(board, validateConfigDocument(doc, "simulator config"), state.dir);
    gateway = await Gateway.start({
      board,
      config,
      logger: log,
      pstn: () => new CheckedPstnPort(new ToneSource(1004)),
      rtcpIntervalMs,
      // The simulator's members stop only when told to: a silent call is a failure, found quickly.
      mediaTimeoutMs: Math.max(3000, 2 * rtcpIntervalMs + 1000),
      ...(keylogFile ? { keylog: (line: string) => keylogFile!.write(line + "\n") } : {}),
      ...(pcap || pcapPlain
        ? {
            tap: (p) => {
              const [src, dst] = p.direction === "tx" ? [p.local, p.remote] : [p.remote, p.local];
              pcap?.udp(src, dst, p.wire);
              if (p.plain) pcapPlain?.udp(src, dst, p.plain);
            },
          }
        : {}),
    });
    const gw = gateway;
    pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
    await o.onGateway?.(gw, pool);

    // MTLS both ways with every member: our OPTIONS out, the pool's OPTIONS in.
    tick("links");
    const wantLinks = pool.members.length * 2;
    const linked = await until(() => gw.links().filter((l) => l.state === "up").length >= wantLinks, 10_000, signal);
    if (!linked && !signal?.aborted) problems.push(`only ${gw.links().filter((l) => l.state === "up").length} of ${wantLinks} MTLS links came up`);

    // The call plan.
    const plan: Planned[] = [];
    let inbound = 0;
    for (let i = 0; i < calls; i++) {
      const dir: "outbound" | "inbound" = direction === "out" ? "outbound" : direction === "in" ? "inbound" : i % 2 === 0 ? "outbound" : "inbound";
      const n = String(100 + i).padStart(4, "0");
      plan.push({
        index: i,
        direction: dir,
        member: dir === "inbound" ? inbound++ % pool.members.length : 0,
        // outbound: a PSTN caller reaches a Teams/Skype user; inbound: the user calls the PSTN
        to: dir === "outbound" ? `+1425555${n}` : `+1206555${n}`,
        from: dir === "outbound" ? `+1206555${n}` : `+1425555${n}`,
      });
    }

    tick("calls", { linksUp: gw.links().filter((l) => l.state === "up").length });
    const failoverAt = o.failover ? Math.floor(durationMs / 2) : undefined;
    const tasks: Promise<void>[] = [];
    const runCall = async (p: Planned, forMs: number): Promise<void> => {
      const run: SimCallRun = { plan: p, startedAt: new Date(), record: undefined, peer: undefined, error: undefined };
      runs.push(run);
      try {
        if (p.direction === "outbound") {
          const r = await gw.place(p.to, p.from);
          run.record = r;
          if (r.outcome === "active" && r.call) {
            const callId = r.call.sip.callId;
            await until(() => pool.findCall(callId) !== undefined, 3000, signal);
            const f = pool.findCall(callId);
            run.peer = f?.call;
            run.peerMember = f?.member.fqdn;
          }
        } else {
          const pc = await pool.call(p.member, p.to, p.from);
          run.peer = pc;
          run.peerMember = pool.members[p.member]!.fqdn;
          const callId = pc.sip.callId;
          await until(() => gw.calls().some((c) => c.call?.sip.callId === callId), 3000, signal);
          run.record = gw.calls().find((c) => c.call?.sip.callId === callId);
        }
      } catch (e) {
        run.error = { code: (e as { code?: string }).code ?? "ERR_SIM_CALL", message: (e as Error).message };
        return;
      }
      const r = run.record;
      if (!r || r.outcome !== "active") return;
      // Media for the planned time (or until the call ends some other way: failover, Ctrl-C).
      await until(() => r.outcome !== "active", forMs, signal);
      if (r.outcome === "active") {
        // Outbound calls: the gateway (its PSTN caller) hangs up; inbound: the Mediation side does.
        if (p.direction === "outbound") await gw.hangup(r, "completed");
        else await run.peer?.hangup();
        await until(() => r.outcome !== "active" && (!run.peer || run.peer.sip.ended), 5000);
        if (r.outcome === "active") await gw.hangup(r, "completed");
      }
    };
    for (const p of plan) {
      if (signal?.aborted) break;
      tasks.push(runCall(p, durationMs));
      await sleep(30, signal);
    }
    // Failover: member 1 stops half-way; its calls (which the gateway ends with outcome "failover")
    // are placed again on the next member for the rest of the time.
    let failover: Promise<void> | undefined;
    if (failoverAt !== undefined) {
      failover = (async () => {
        await sleep(failoverAt, signal);
        if (signal?.aborted) return;
        log.warn("sim.failover", { member: pool.members[0]!.fqdn, msg: "stopping pool member 1" });
        await pool.stopMember(0);
        const replaced = new Set<SimCallRun>();
        const deadline = Date.now() + 10_000;
        const rest = Math.max(1000, durationMs - failoverAt);
        const again: Promise<void>[] = [];
        while (Date.now() < deadline && !signal?.aborted) {
          for (const run of runs) {
            if (replaced.has(run) || run.record?.outcome !== "failover") continue;
            replaced.add(run);
            const p = run.plan;
            const np: Planned = { ...p, index: plan.length + replaced.size - 1, member: p.direction === "inbound" ? 1 % pool.members.length : 0, replaces: p.index };
            again.push(runCall(np, rest));
          }
          const onDead = runs.filter((r) => r.record?.outcome === "active" && (r.peerMember === pool.members[0]!.fqdn || r.record.member?.startsWith(pool.members[0]!.fqdn)));
          if (onDead.length === 0 && runs.every((r) => r.record?.outcome !== "failover" || replaced.has(r))) break;
          await sleep(50);
        }
        await Promise.all(again);
      })();
    }
    const progressTimer = setInterval(() => {
      const recs = gw.calls();
      const pkts = recs.reduce((n, r) => n + (r.call ? r.call.media.stats.rtpSent + r.call.media.stats.rtpReceived : 0), 0);
      const now = Date.now();
      const rate = lastProgress ? ((pkts - lastProgress.pkts) * 1000) / Math.max(1, now - lastProgress.at) : 0;
      lastProgress = { pkts, at: now };
      tick("calls", { callsUp: recs.filter((r) => r.outcome === "active" && r.call).length, packetsPerSecond: Math.round(rate), linksUp: gw.links().filter((l) => l.state === "up").length });
    }, 250);
    let lastProgress: { pkts: number; at: number } | undefined;
    try {
      await Promise.all(tasks);
      if (failover) await failover;
      // Calls placed again by the failover task may still be running.
      await until(() => runs.every((r) => !r.record || r.record.outcome !== "active"), durationMs + 10_000, signal);
    } finally {
      clearInterval(progressTimer);
    }
    if (signal?.aborted) interrupted = true;
    tick("hangup");
  } catch (e) {
    problems.push(`${(e as { code?: string }).code ?? "ERR_SIM_RUN"}: ${(e as Error).message}`);
  } finally {
    if (signal?.aborted) interrupted = true;
    for (const l of gateway?.links() ?? []) linkStates.set(l.id, l.state);
    // Give the last SRTCP packets and BYEs a moment, then stop everything.
    await gateway?.stop(interrupted ? "interrupted" : "completed").catch(() => undefined);
    await pool.close().catch(() => undefined);
    pcap?.close();
    pcapPlain?.close();
    if (keylogFile) await new Promise<void>((r) => keylogFile!.end(() => r()));
  }
  tick("done");
  return buildReport({
    startedAt,
    wallTimeMs: Date.now() - t0,
    options: { calls, durationS: durationMs / 1000, direction, fips: !!o.fips, tls12: !!o.tls12, srtpMode: config?.trunk.srtpMode ?? o.srtpMode ?? board.srtp.srtpMode, mki: o.mki ?? true, failover: !!o.failover, board: board.id },
    state,
    ...(gateway ? { gateway } : {}),
    ...(config ? { config } : {}),
    pool,
    runs,
    interrupted,
    problems,
    linkStates,
    files: { ...(o.pcap ? { pcap: o.pcap } : {}), ...(o.pcapDecrypted ? { pcapDecrypted: o.pcapDecrypted } : {}), ...(o.keylog ? { keylog: o.keylog } : {}) },
  });
}

export type { SimReport, SimCallRun, GatewayCallRecord, PeerCall };
