// MediaWorkerPool: the media path on several cores. Node runs JavaScript on one thread, so the
// gateway keeps SIP and call control on the main thread and gives each call's media to one of N
// worker_threads; each worker has its own WebAssembly core (its own arena, its own SRTP sessions)
// and owns its calls' UDP sockets. The SDES keys of a call cross to its worker once, at setup;
// packets never cross threads. Calls go to the worker with the fewest calls.
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { GwsdkError } from "../../errors.js";
import type { CoreVariant } from "../../core/load-core.js";
import type { FromWorker, LoadResult, LoadSpec, ToWorker, WorkerCallSpec, WorkerStats } from "./protocol.js";

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
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve: (m: Extract<FromWorker, { type: "ok" }>) => void;
  reject: (e: Error) => void;
}

class MediaWorker {
  readonly calls = new Set<string>();
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(readonly worker: Worker, readonly index: number) {
    worker.on("message", (m: FromWorker) => {
      if (m.type === "ready") return;
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.type === "ok") p.resolve(m);
      else p.reject(new MediaWorkerError(m.code, `media worker ${index}: ${m.message}`));
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", () => this.fail(new MediaWorkerError("ERR_MEDIA_WORKER_CLOSED", `media worker ${index} exited`)));
  }

  static start(index: number, variant: CoreVariant | undefined): Promise<MediaWorker> {
    const w = new Worker(new URL("./media-worker.js", import.meta.url), { workerData: variant ? { index, variant } : { index } });
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
    this.closed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
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

export class MediaWorkerPool {
  private readonly byCall = new Map<string, MediaWorker>();

  private constructor(private readonly workers: MediaWorker[]) {}

  /** Starts the workers (each loads its core and runs the core's power-on self-test). */
  static async start(params: MediaWorkerPoolParams = {}): Promise<MediaWorkerPool> {
    const n = params.workers ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new MediaWorkerError("ERR_MEDIA_WORKER", `workers must be an integer in 1..256, got ${String(n)}`);
    const ws = await Promise.all(Array.from({ length: n }, (_, i) => MediaWorker.start(i, params.variant)));
    return new MediaWorkerPool(ws);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Gives a call to the least-loaded worker: its keys (once) and, with `localPort`, a UDP socket
   * the worker binds on 127.0.0.1 (returned: the bound port). With `remote`, the worker's 20 ms
   * clock sends one protected G.711 frame per tick there.
   */
  async addCall(call: WorkerCallSpec): Promise<{ worker: number; port?: number }> {
    if (this.byCall.has(call.id)) throw new MediaWorkerError("ERR_MEDIA_WORKER_CALL", `call ${call.id} is already placed`);
    const w = this.workers.reduce((a, b) => (b.calls.size < a.calls.size ? b : a));
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

  /** Per-worker counters. */
  async stats(): Promise<WorkerStats[]> {
    return Promise.all(this.workers.map(async (w) => (await w.request({ type: "stats" })).stats!));
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
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
