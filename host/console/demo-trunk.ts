// A live trunk to look at: the desktop simulator itself (host/sim/simulator.ts, `gwsdk sim`) kept
// running. The gateway is booted from the board exactly as `gwsdk gateway` boots it — the core's
// power-on self-test, the certificate store, our MTLS both ways, the core's SRTP — and the Mediation
// pool (two members on Node's tls/OpenSSL with node-srtp) talks to it: OPTIONS both ways, calls both
// ways with SDES-keyed SRTP. The console reads it through GatewayDataSource
// (host/gateway/console-source.ts), as `gwsdk sim` does. `gwsdk console --demo` shows it, and the
// console's browser test drives it.
//
//   const demo = await DemoTrunk.start({ stateDir: ".gwsdk/sim" });   // resolves once the calls run
//   await startBoardConsole(board, { store: demo.gateway.store, dataSource: demo.source, ... });
//   ...
//   const report = await demo.close();                                // the simulator's report
import type { Gateway, GatewayCallRecord } from "../gateway/gateway.js";
import { GatewayDataSource } from "../gateway/console-source.js";
import type { Logger } from "../gateway/log.js";
import { SimError } from "../sim/errors.js";
import type { MediationPool } from "../sim/mediation/pool.js";
import type { SimReport } from "../sim/report.js";
import { runSimulator } from "../sim/simulator.js";

export interface DemoTrunkOptions {
  /** The simulator's state directory (demo CA, pool certificate, the gateway's store): as `gwsdk sim --state`. */
  stateDir: string;
  /** Board id or file (default "sim"). */
  board?: string;
  /** Calls, alternating outbound and inbound (default 2: one each way). */
  calls?: number;
  /** Seconds of media per call (default 86400, the simulator's longest: the calls run until close()). */
  durationS?: number;
  /** Keys a first run makes (default RSA 2048 as `gwsdk sim`; "p256" is faster, for tests). */
  keyType?: "rsa2048" | "p256";
  /** The gateway's logs (default: none). */
  logger?: Logger;
  /** Notes about a first run ("making the demo CA..."). */
  note?: (message: string) => void;
  /** How long start() waits for the links and the calls (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Called once the gateway and the pool are up, before any link or call (the simulator's
   * `onGateway`): where a test attaches its own listeners to the gateway's SIP endpoint.
   */
  onGateway?: (gateway: Gateway, pool: MediationPool) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class DemoTrunk {
  private closing: Promise<SimReport> | undefined;

  private constructor(
    /** The running gateway (links(), calls(), store). */
    readonly gateway: Gateway,
    /** The simulated Mediation pool (linkViews: OpenSSL's view of every link). */
    readonly pool: MediationPool,
    /** What the console shows: GatewayDataSource over the gateway. */
    readonly source: GatewayDataSource,
    private readonly report: Promise<SimReport>,
    private readonly ac: AbortController,
  ) {}

  /**
   * Starts the simulator and resolves once every MTLS link is up (two per pool member) and every
   * planned call is confirmed with media flowing both ways. Rejects (with the simulator stopped)
   * when that does not happen within `readyTimeoutMs`, or when the simulator ends first.
   */
  static async start(o: DemoTrunkOptions): Promise<DemoTrunk> {
    const calls = o.calls ?? 2;
    const ac = new AbortController();
    let up!: (v: { gw: Gateway; pool: MediationPool }) => void;
    const booted = new Promise<{ gw: Gateway; pool: MediationPool }>((resolve) => (up = resolve));
    const report = runSimulator({
      stateDir: o.stateDir,
      board: o.board ?? "sim",
      calls,
      durationS: o.durationS ?? 86_400,
      direction: "both",
      signal: ac.signal,
      ...(o.keyType ? { keyType: o.keyType } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.note ? { note: o.note } : {}),
      onGateway: async (gw, pool) => {
        o.onGateway?.(gw, pool);
        up({ gw, pool });
      },
    });
    // close() collects the report; until then a failure must not be an unhandled rejection.
    report.catch(() => undefined);
    let ended: SimReport | undefined;
    void report.then((r) => (ended = r), () => undefined);
    const first = await Promise.race([booted, report]);
    if (!("gw" in first)) throw new SimError("ERR_SIM_RUN", `the simulator stopped before the gateway was up: ${first.problems.join("; ") || "no reason given"}`);
    const demo = new DemoTrunk(first.gw, first.pool, new GatewayDataSource(first.gw), report, ac);

    const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
    const wantLinks = first.pool.members.length * 2;
    const ready = (): boolean => {
      const links = demo.gateway.links().filter((l) => l.state === "up").length;
      const running = demo.calls().filter((r) => r.outcome === "active" && r.call?.sip.state === "confirmed" && r.call.media.stats.rtpSent > 0 && r.call.media.stats.rtpReceived > 0);
      return links >= wantLinks && running.length >= calls;
    };
    while (!ready() && ended === undefined && Date.now() < deadline) await sleep(25);
    if (!ready()) {
      const links = demo.gateway.links().filter((l) => l.state === "up").length;
      const r = await demo.close();
      const why = r.problems.filter((p) => !/^interrupted/.test(p)).join("; ");
      throw new SimError("ERR_SIM_RUN", `the demo trunk did not come up: ${links} of ${wantLinks} MTLS links, ${calls} call(s) planned${why ? ` (${why})` : ""}`);
    }
    return demo;
  }

  /** The gateway's calls (records with the live GatewayCall). */
  calls(): GatewayCallRecord[] {
    return this.gateway.calls();
  }

  /** Hangs up, stops the gateway and the pool; resolves with the simulator's report (interrupted). */
  close(): Promise<SimReport> {
    if (!this.closing) {
      this.source.close();
      this.ac.abort();
      this.closing = this.report;
    }
    return this.closing;
  }
}
