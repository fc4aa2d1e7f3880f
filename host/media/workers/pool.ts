// MediaWorkerPool: the media path on several cores. Node runs JavaScript on one thread, so the
// gateway keeps SIP and call control on the main thread and gives each call's media to one of N
// worker_threads; each worker has its own WebAssembly core (its own arena, its own SRTP sessions)
// and owns its calls' UDP sockets. The SDES keys of a call cross to its worker once, at setup;
// packets never cross threads. Calls go to the worker with the fewest calls.
//
// Two uses: the gateway's calls (openSession: the gateway's own MediaSession runs in the worker,
// the main thread holds a RemoteMediaSession), and the capacity benchmark's synthetic calls
// (addCall / load). A worker that dies (a crash, terminate()) fails its sessions with
// ERR_MEDIA_WORKER and is replaced by a new worker for the calls that come after.
import { EventEmitter } from "node:events";
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { GwsdkError } from "../../errors.js";
import { runningFromImage } from "../../image/slot-layout.js";
import type { CoreVariant } from "../../core/load-core.js";
import type { MediaSessionOptions } from "../session.js";
import { describePstn } from "../pstn-spec.js";
import type { FromWorker, LoadResult, LoadSpec, SessionSpec, ToWorker, WorkerCallSpec, WorkerInit, WorkerStats } from "./protocol.js";
import { RemoteMediaSession, type RemoteSessionHooks } from "./remote-session.js";

export type { WorkerCallSpec, WorkerSrtpKey, WorkerStats, LoadSpec, LoadResult } from "./protocol.js";

export type MediaWorkerErrorCode = "ERR_MEDIA_WORKER" | "ERR_MEDIA_WORKER_CALL" | "ERR_MEDIA_WORKER_CLOSED";

export class MediaWorkerError extends GwsdkError {
  constructor(code: MediaWorkerErrorCode | string, message: string) {
    super(code, message);
    this.name = "MediaWorkerError";
  }
}

export interface MediaWorkerPoolParams {
  /** Number of workers (default: available cores - 1, at least 1: the main thread keeps SIP). */
  workers?: number;
  /** Core build for every worker (default: the runtime's choice, SIMD when supported). */
  variant?: CoreVariant;
  /** Each worker's core arena cap (a board's core.arenaBytes; default the whole arena). */
  arenaBytes?: number;
  /** SSRCs one SRTP session tracks in the workers' gateway sessions (default 8). */
  maxStreams?: number;
}

export interface MediaWorkerPoolEvents {
  /** A worker died (not closed by the pool): its calls failed with ERR_MEDIA_WORKER. */
  workerExit: [index: number, calls: string[], error: Error];
  /** A new worker took the dead one's place. */
  workerReplaced: [index: number];
  /** The replacement could not start (the pool carries on with fewer workers). */
  workerReplaceFailed: [index: number, error: Error];
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve: (m: Extract<FromWorker, { type: "ok" }>) => void;
  reject: (e: Error) => void;
}

class MediaWorker {
  readonly calls = new Set<string>();
  readonly sessions = new Map<string, RemoteMediaSession>();
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** Set by close(): the exit that follows is not a death. */
  private closing = false;
  /** Called once when the worker goes away without close(). */
  onDeath: ((e: Error) => void) | undefined;

  private constructor(readonly worker: Worker, readonly index: number) {
    worker.on("message", (m: FromWorker) => {
      if (m.type === "ready") return;
      if (m.type === "stats") {
        for (const s of m.sessions) this.sessions.get(s.id)?.pushStats(s.stats, s.lastRxForm);
        return;
      }
      if (m.type === "event") {
        this.sessions.get(m.id)?.deliver(m.event);
        return;
      }
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.type === "ok") p.resolve(m);
      else p.reject(new MediaWorkerError(m.code, `media worker ${index}: ${m.message}`));
    });
    worker.on("error", (e) => this.fail(new MediaWorkerError("ERR_MEDIA_WORKER", `media worker ${index} failed: ${e.message}`)));
    worker.on("exit", (code) => this.fail(new MediaWorkerError(this.closing ? "ERR_MEDIA_WORKER_CLOSED" : "ERR_MEDIA_WORKER", `media worker ${index} exited (code ${code})`)));
  }

  get alive(): boolean {
    return !this.closed;
  }

  static start(index: number, init: Omit<WorkerInit, "index">): Promise<MediaWorker> {
    // A firmware image's host is one bundled script (host/image): the worker runs that script, whose
    // entry (host/cli/main.ts) starts the media worker instead of the CLI when workerData says so.
    const script = runningFromImage() ? new URL(import.meta.url) : new URL("./media-worker.js", import.meta.url);
    const w = new Worker(script, { workerData: { ...init, index, gwsdkMediaWorker: true } satisfies WorkerInit });
    const mw = new MediaWorker(w, index);
    return new Promise((resolve, reject) => {
      const onMsg = (m: FromWorker) => {
        if (m.type === "ready") {
          w.off("message", onMsg);
          w.off("error", reject);
          resolve(mw);
        }
      };
      w.on("message", onMsg);
      w.once("error", reject);
    });
  }

  request(m: DistributiveOmit<ToWorker, "seq">): Promise<Extract<FromWorker, { type: "ok" }>> {
    if (this.closed) return Promise.reject(new MediaWorkerError("ERR_MEDIA_WORKER_CLOSED", `media worker ${this.index} is closed`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.worker.postMessage({ ...m, seq });
    });
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.pending.values()];
    this.pending.clear();
    if (!this.closing) {
      const err = e as MediaWorkerError;
      const sessions = [...this.sessions.values()];
      this.onDeath?.(err); // the pool's bookkeeping first: the sessions' hooks may close them at once
      for (const s of sessions) s.workerDied(err);
    }
    for (const p of pending) p.reject(e);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.closed) return;
    try {
      await this.request({ type: "close" });
    } catch {
      /* already gone */
    }
    this.closed = true;
    await this.worker.terminate();
  }
}

export class MediaWorkerPool extends EventEmitter<MediaWorkerPoolEvents> {
  private readonly byCall = new Map<string, MediaWorker>();
  private closed = false;

  private constructor(
    private readonly workers: MediaWorker[],
    private readonly init: Omit<WorkerInit, "index">,
  ) {
    super();
    for (const w of workers) this.watch(w);
  }

  /** Starts the workers (each loads its core and runs the core's power-on self-test). */
  static async start(params: MediaWorkerPoolParams = {}): Promise<MediaWorkerPool> {
    const n = params.workers ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new MediaWorkerError("ERR_MEDIA_WORKER", `workers must be an integer in 1..256, got ${String(n)}`);
    const init: Omit<WorkerInit, "index"> = {
      ...(params.variant ? { variant: params.variant } : {}),
      ...(params.arenaBytes !== undefined ? { arenaBytes: params.arenaBytes } : {}),
      ...(params.maxStreams !== undefined ? { maxStreams: params.maxStreams } : {}),
    };
    const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => MediaWorker.start(i, init)));
    const ws = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await Promise.all(ws.map((w) => w.close()));
      const e = failed.reason as Error;
      throw new MediaWorkerError("ERR_MEDIA_WORKER", `a media worker did not start: ${e.message}`);
    }
    return new MediaWorkerPool(ws, init);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The worker threads (diagnostics, and tests that kill one). */
  get threads(): readonly Worker[] {
    return this.workers.map((w) => w.worker);
  }

  /** Index of the worker a call (synthetic or gateway session) is placed on. */
  workerOf(id: string): number | undefined {
    return this.byCall.get(id)?.index;
  }

  /** Calls placed per worker (index order). */
  callsPerWorker(): number[] {
    return this.workers.map((w) => w.calls.size);
  }

  private watch(w: MediaWorker): void {
    w.onDeath = (e) => {
      const calls = [...w.calls];
      for (const id of calls) this.byCall.delete(id);
      w.calls.clear();
      w.sessions.clear();
      this.emit("workerExit", w.index, calls, e);
      if (!this.closed) void this.replace(w);
    };
  }

  /** Starts a new worker in a dead one's place (for the calls that come after). */
  private async replace(dead: MediaWorker): Promise<void> {
    try {
      const w = await MediaWorker.start(dead.index, this.init);
      const i = this.workers.indexOf(dead);
      if (this.closed || i < 0) {
        await w.close();
        return;
      }
      this.workers[i] = w;
      this.watch(w);
      this.emit("workerReplaced", w.index);
    } catch (e) {
      this.emit("workerReplaceFailed", dead.index, e as Error);
    }
  }

  /** The live worker with the fewest calls. */
  private pick(): MediaWorker {
    if (this.closed) throw new MediaWorkerError("ERR_MEDIA_WORKER_CLOSED", "the media worker pool is closed");
    const live = this.workers.filter((w) => w.alive);
    if (live.length === 0) throw new MediaWorkerError("ERR_MEDIA_WORKER", "no media worker is running");
    return live.reduce((a, b) => (b.calls.size < a.calls.size ? b : a));
  }

  /**
   * Opens a gateway call's media in the worker with the fewest calls: the worker binds the call's
   * RTP and RTCP sockets (the ports in `opts`; a bind failure rejects with its code, EADDRINUSE
   * included), builds the PSTN port from its description and runs the same MediaSession as the main
   * thread would, on its own core. `opts.srtp` is not used (the worker's core is the provider);
   * `opts.pstn` must be a port describePstn() can move (else ERR_MEDIA_WORKER_CALL).
   */
  async openSession(id: string, opts: MediaSessionOptions, hooks: Omit<RemoteSessionHooks, "tap" | "onKeyLimit" | "onClosed"> = {}): Promise<RemoteMediaSession> {
    if (this.byCall.has(id)) throw new MediaWorkerError("ERR_MEDIA_WORKER_CALL", `call ${id} is already placed`);
    const pstn = describePstn(opts.pstn);
    if (!pstn) throw new MediaWorkerError("ERR_MEDIA_WORKER_CALL", `call ${id}: its PSTN port cannot run in a media worker`);
    const spec: SessionSpec = {
      pstn,
      ...(opts.bindAddress !== undefined ? { bindAddress: opts.bindAddress } : {}),
      ...(opts.rtpPort !== undefined ? { rtpPort: opts.rtpPort } : {}),
      ...(opts.rtcpPort !== undefined ? { rtcpPort: opts.rtcpPort } : {}),
      ...(opts.rtcpIntervalMs !== undefined ? { rtcpIntervalMs: opts.rtcpIntervalMs } : {}),
      ...(opts.rekeyGraceMs !== undefined ? { rekeyGraceMs: opts.rekeyGraceMs } : {}),
      ...(opts.replayWindow !== undefined ? { replayWindow: opts.replayWindow } : {}),
      ...(opts.cname !== undefined ? { cname: opts.cname } : {}),
      ...(opts.maxBurst !== undefined ? { maxBurst: opts.maxBurst } : {}),
      ...(opts.tap ? { tap: true } : {}),
    };
    const w = this.pick();
    w.calls.add(id);
    this.byCall.set(id, w);
    try {
      const r = await w.request({ type: "session.open", id, spec });
      const s = r.session!;
      const release = () => {
        if (this.byCall.get(id) === w) this.byCall.delete(id);
        w.calls.delete(id);
        w.sessions.delete(id);
      };
      const session = new RemoteMediaSession(id, w, s.rtpPort, s.rtcpPort, s.ssrc, {
        ...hooks,
        onClosed: release,
        pstn: hooks.pstn ?? opts.pstn,
        ...(opts.tap ? { tap: opts.tap } : {}),
        ...(opts.onKeyLimit ? { onKeyLimit: opts.onKeyLimit } : {}),
      });
      if (!w.alive) {
        // died between the reply and here
        session.workerDied(new MediaWorkerError("ERR_MEDIA_WORKER", `media worker ${w.index} exited`));
        return session;
      }
      w.sessions.set(id, session);
      return session;
    } catch (e) {
      w.calls.delete(id);
      if (this.byCall.get(id) === w) this.byCall.delete(id);
      throw e;
    }
  }

  /**
   * Gives a call to the least-loaded worker: its keys (once) and, with `localPort`, a UDP socket
   * the worker binds on 127.0.0.1 (returned: the bound port). With `remote`, the worker's 20 ms
   * clock sends one protected G.711 frame per tick there.
   */
  async addCall(call: WorkerCallSpec): Promise<{ worker: number; port?: number }> {
    if (this.byCall.has(call.id)) throw new MediaWorkerError("ERR_MEDIA_WORKER_CALL", `call ${call.id} is already placed`);
    const w = this.pick();
    w.calls.add(call.id);
    this.byCall.set(call.id, w);
    try {
      const r = await w.request({ type: "add", call });
      return r.port === undefined ? { worker: w.index } : { worker: w.index, port: r.port };
    } catch (e) {
      w.calls.delete(call.id);
      this.byCall.delete(call.id);
      throw e;
    }
  }

  /** Ends a call's media: its worker closes the socket and wipes the SRTP sessions. */
  async removeCall(id: string): Promise<void> {
    const w = this.byCall.get(id);
    if (!w) return;
    this.byCall.delete(id);
    w.calls.delete(id);
    await w.request({ type: "remove", id });
  }

  /** Per-worker counters (a dead worker not yet replaced is left out). */
  async stats(): Promise<WorkerStats[]> {
    return Promise.all(this.workers.filter((w) => w.alive).map(async (w) => (await w.request({ type: "stats" })).stats!));
  }

  /**
   * Runs the synthetic media load in every worker at once (spec.calls calls each) and returns each
   * worker's result: the capacity measurement of the benchmark.
   */
  async load(spec: LoadSpec): Promise<LoadResult[]> {
    return Promise.all(this.workers.map(async (w) => (await w.request({ type: "load", spec })).load!));
  }

  /** Stops every worker (their calls' sessions are wiped). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
