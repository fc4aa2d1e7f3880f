// Messages between a MediaWorkerPool (main thread) and its media workers. Keys cross the thread
// boundary once per call (at setup); packets never do: each worker owns its calls' sockets and its
// own core instance.
import type { CoreVariant } from "../../core/load-core.js";
import type { SrtpProfileName } from "../../srtp/profiles.js";

/** One direction's SDES key material. */
export interface WorkerSrtpKey {
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  mki?: Uint8Array;
  lifetime?: number;
}

/** A call handed to a worker: its SRTP keys and, optionally, its UDP endpoints. */
export interface WorkerCallSpec {
  id: string;
  profile: SrtpProfileName;
  /** Key the gateway protects with (its own SDES offer/answer key). */
  tx: WorkerSrtpKey;
  /** Key the peer protects with (the gateway unprotects with it). */
  rx: WorkerSrtpKey;
  /** Local UDP port for this call's RTP (0 = any); absent: no socket (synthetic load only). */
  localPort?: number;
  /** Where this call's RTP goes. */
  remote?: { address: string; port: number };
}

export interface WorkerInit {
  variant?: CoreVariant;
  /** Index of this worker in the pool (for names and logs). */
  index: number;
}

export interface LoadSpec {
  /** Synthetic calls to create in the worker for this run (keys generated in the worker). */
  calls: number;
  /** Measuring time in milliseconds. */
  ms: number;
  /** RTP payload bytes per packet (G.711 20 ms: 160). */
  payload: number;
  /** One SRTCP packet each way per call every this many ticks (RFC 3550 ~5 s at 50 packets/s: 250). */
  rtcpEvery: number;
}

export interface LoadResult {
  calls: number;
  ticks: number;
  /** Wall-clock milliseconds the worker spent in ticks. */
  wallMs: number;
  /** CPU milliseconds of the worker thread in that time. */
  cpuMs: number;
  packets: number;
  failures: number;
}

export type ToWorker =
  | { type: "add"; seq: number; call: WorkerCallSpec }
  | { type: "remove"; seq: number; id: string }
  | { type: "stats"; seq: number }
  | { type: "load"; seq: number; spec: LoadSpec }
  | { type: "close"; seq: number };

export interface WorkerStats {
  calls: number;
  sent: number;
  received: number;
  failures: number;
}

export type FromWorker =
  | { type: "ready" }
  | { type: "ok"; seq: number; stats?: WorkerStats; load?: LoadResult; port?: number }
  | { type: "error"; seq: number; code: string; message: string };
